import { describe, expect, it } from 'vitest';
import { customerHeadline, isCustomerView } from './customer';

describe('customer display', () => {
  it('is the page opened with ?view=customer', () => {
    expect(isCustomerView('?view=customer', '')).toBe(true);
    expect(isCustomerView('', '#customer')).toBe(true);
    expect(isCustomerView('', '')).toBe(false);
    expect(isCustomerView('?view=counter', '')).toBe(false);
  });

  it('says one big thing: scan, or the outcome', () => {
    const sale = { amountDisplay: '12.50', currency: 'CAD', qrSvg: '<svg></svg>' };
    expect(customerHeadline({ ...sale, status: 'pending' })).toEqual({ text: 'Scan to pay', tone: 'waiting', final: false });
    expect(customerHeadline({ ...sale, status: 'created', qrSvg: null }).text).toBe('Waiting for your payment');
    expect(customerHeadline({ ...sale, status: 'paid' })).toEqual({ text: 'Paid', tone: 'success', final: true });
    expect(customerHeadline({ ...sale, status: 'failed' })).toEqual({ text: 'Payment declined', tone: 'danger', final: true });
    expect(customerHeadline({ ...sale, status: 'cancelled' }).text).toBe('Sale cancelled');
    expect(customerHeadline({ ...sale, status: 'expired' })).toEqual({
      text: 'Time ran out: please ask at the counter',
      tone: 'neutral',
      final: true,
    });
  });
});
