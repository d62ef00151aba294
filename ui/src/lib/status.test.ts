import { describe, expect, it } from 'vitest';
import { isFinal, isOrderStatus, ORDER_STATUSES, statusLabel, statusTone, type OrderStatus } from './status';

describe('statusLabel', () => {
  it('gives the cashier-facing label for every status', () => {
    const expected: Record<OrderStatus, string> = {
      created: 'Created',
      pending: 'Waiting for payment',
      authorized: 'Authorized',
      paid: 'Paid',
      failed: 'Failed',
      expired: 'Expired',
      cancelled: 'Cancelled',
      voided: 'Voided',
      partially_refunded: 'Partially refunded',
      refunded: 'Refunded',
    };
    for (const status of ORDER_STATUSES) expect(statusLabel(status)).toBe(expected[status]);
    expect(ORDER_STATUSES).toHaveLength(Object.keys(expected).length);
  });

  it('shows an unknown status verbatim', () => {
    expect(statusLabel('on_hold')).toBe('on_hold');
  });
});

describe('statusTone', () => {
  it('is success only for paid and danger only for failed', () => {
    expect(statusTone('paid')).toBe('success');
    expect(statusTone('failed')).toBe('danger');
    expect(ORDER_STATUSES.filter((s) => statusTone(s) === 'success')).toEqual(['paid']);
    expect(ORDER_STATUSES.filter((s) => statusTone(s) === 'danger')).toEqual(['failed']);
  });

  it('marks in-flight statuses as waiting and closed ones as neutral', () => {
    expect(statusTone('created')).toBe('waiting');
    expect(statusTone('pending')).toBe('waiting');
    expect(statusTone('authorized')).toBe('waiting');
    expect(statusTone('expired')).toBe('neutral');
    expect(statusTone('cancelled')).toBe('neutral');
    expect(statusTone('refunded')).toBe('neutral');
    expect(statusTone('something-new')).toBe('neutral');
  });
});

describe('isFinal', () => {
  it('is false while the customer can still pay', () => {
    expect(isFinal('created')).toBe(false);
    expect(isFinal('pending')).toBe(false);
    expect(isFinal('authorized')).toBe(false);
  });

  it('is true once the payment attempt has concluded', () => {
    for (const s of ['paid', 'failed', 'expired', 'cancelled', 'voided', 'partially_refunded', 'refunded']) {
      expect(isFinal(s)).toBe(true);
    }
  });

  it('is false for unknown statuses', () => {
    expect(isFinal('mystery')).toBe(false);
  });
});

describe('isOrderStatus', () => {
  it('accepts only contract statuses', () => {
    expect(isOrderStatus('partially_refunded')).toBe(true);
    expect(isOrderStatus('PAID')).toBe(false);
    expect(isOrderStatus('toString')).toBe(false);
  });
});
