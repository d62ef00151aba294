import { describe, expect, it } from 'vitest';
import type { OrderStatus } from './bindings';
import { isFinal, isOrderStatus, ORDER_STATUSES, statusLabel, statusTone } from './status';

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

describe('moneyClass', () => {
  it('counts only paid and refunded orders as taken, as the core does', async () => {
    const { moneyClass } = await import('./status');
    expect(ORDER_STATUSES.filter((s) => moneyClass(s) === 'taken')).toEqual(['paid', 'partially_refunded', 'refunded']);
    expect(ORDER_STATUSES.filter((s) => moneyClass(s) === 'waiting')).toEqual(['created', 'pending', 'authorized']);
    expect(moneyClass('failed')).toBe('failed');
    expect(moneyClass('voided')).toBe('cancelled');
    expect(moneyClass('cancelled')).toBe('cancelled');
    expect(moneyClass('expired')).toBe('expired');
    expect(moneyClass('on_hold')).toBe('waiting');
  });
});

describe('words for the owner’s screens', () => {
  it('says a declined order is declined, in red, with the core’s reason', async () => {
    const { orderBadge } = await import('./status');
    const declined = orderBadge({ status: 'cancelled', reason: "declined by the customer's wallet" });
    expect(declined).toEqual({ label: 'Declined', tone: 'danger', meaning: "Declined by the customer's wallet" });
    expect(orderBadge({ status: 'failed', reason: 'declined by the card network' }).label).toBe('Declined');
    // The customer cancelling in their wallet is their refusal too, its own words kept.
    expect(orderBadge({ status: 'cancelled', reason: 'cancelled by the customer' })).toEqual({
      label: 'Declined',
      tone: 'danger',
      meaning: 'Cancelled by the customer',
    });
    expect(orderBadge({ status: 'cancelled', reason: 'cancelled before the customer paid' }).label).toBe('Cancelled');
    // Cancelled by the cashier stays Cancelled; a reason is still the meaning.
    expect(orderBadge({ status: 'cancelled', reason: 'cancelled at the counter' })).toMatchObject({
      label: 'Cancelled',
      tone: 'neutral',
      meaning: 'Cancelled at the counter',
    });
    expect(orderBadge({ status: 'pending', reason: null })).toMatchObject({
      label: 'Waiting',
      meaning: 'Waiting for the customer to pay.',
    });
  });

  it('keeps changes and leaves repeated polls out of the timeline', async () => {
    const { timelineEvents } = await import('./status');
    const events = [
      { fromStatus: null, toStatus: 'created', source: 'create', changed: true },
      { fromStatus: 'created', toStatus: 'pending', source: 'poll', changed: true },
      { fromStatus: 'pending', toStatus: 'pending', source: 'poll', changed: false },
      { fromStatus: 'pending', toStatus: 'pending', source: 'poll' },
      { fromStatus: 'pending', toStatus: 'paid', source: 'notify' },
    ];
    expect(timelineEvents(events).map((e) => e.toStatus)).toEqual(['created', 'pending', 'paid']);
  });

  it('words a change and its source without tags or codes', async () => {
    const { changeWords, sourceWords } = await import('./status');
    expect(changeWords({ fromStatus: 'pending', toStatus: 'paid', source: 'poll', label: 'paid by the customer' })).toBe(
      'Paid by the customer',
    );
    expect(changeWords({ fromStatus: 'pending', toStatus: 'paid', source: 'poll' })).toBe('Waiting for payment → Paid');
    expect(changeWords({ fromStatus: null, toStatus: 'created', source: 'create' })).toBe('Created');
    expect(sourceWords('poll', 'IOTPay')).toBe('checked with IOTPay');
    expect(sourceWords('notify', 'IOTPay')).toBe('IOTPay told Paydesk');
    expect(sourceWords('something-new', 'IOTPay')).toBe('');
  });
});
