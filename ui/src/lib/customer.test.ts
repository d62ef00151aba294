import { describe, expect, it } from 'vitest';
import { customerAmount, customerHeadline, isCustomerView } from './customer';

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

  it('speaks the sale’s language when given one', () => {
    const sale = { amountDisplay: '12.50', currency: 'CAD', qrSvg: '<svg></svg>' };
    expect(customerHeadline({ ...sale, status: 'pending' }, 'zh-CN').text).toBe('扫码支付');
    expect(customerHeadline({ ...sale, status: 'paid' }, 'fr-CA').text).toBe('Payé');
    expect(customerHeadline({ ...sale, status: 'paid' }, 'hi').text).toBe('भुगतान हो गया');
  });

  it('writes the amount as the customer’s language does, from the core’s digits', () => {
    expect(customerAmount({ amountDisplay: '12.50', currency: 'CAD' }, 'en')).toBe('12.50 CAD');
    expect(customerAmount({ amountDisplay: '1,234.50', currency: 'CAD' }, 'en')).toBe('1,234.50 CAD');
    expect(customerAmount({ amountDisplay: '1,234.50', currency: 'CAD' }, 'fr-CA')).toMatch(/^1\s234,50\s\$$/);
    expect(customerAmount({ amountDisplay: '123,456.00', currency: 'INR' }, 'hi')).toBe('₹1,23,456.00');
    expect(customerAmount({ amountDisplay: '1,200', currency: 'JPY' }, 'en')).toBe('1,200 JPY');
    expect(customerAmount({ amountDisplay: 'twelve', currency: 'CAD' }, 'en')).toBe('twelve CAD');
  });
});
