import { describe, expect, it } from 'vitest';
import type { OrderStatus } from './bindings';
import { isFinal, isOrderStatus, ORDER_STATUSES, reasonWords, statusLabel, statusTone } from './status';

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

describe('an order’s events and gateway word in the window’s language', () => {
  // As the core sends them (views.rs EventView::of): the English label, the word's key.
  const started = { fromStatus: null, toStatus: 'created', source: 'create', label: 'Sale started', changed: true, gatewayStatusKey: null };
  const initiated = {
    fromStatus: 'created',
    toStatus: 'pending',
    source: 'poll',
    label: 'Waiting for payment: waiting for the customer',
    changed: true,
    gatewayStatusKey: 'gateway_word.smepay.initiated',
    unknownGatewayWord: null,
  };
  const still = {
    fromStatus: 'pending',
    toStatus: 'pending',
    source: 'poll',
    label: 'Checked again: still waiting for payment: the customer is paying on their phone',
    changed: false,
    gatewayStatusKey: 'gateway_word.iotpay.status_1',
    unknownGatewayWord: null,
  };
  const testPaid = {
    fromStatus: 'pending',
    toStatus: 'paid',
    source: 'poll',
    label: 'Paid: paid (test mode)',
    changed: true,
    gatewayStatusKey: 'gateway_word.smepay.test_success',
    unknownGatewayWord: null,
  };
  const paid = { fromStatus: 'pending', toStatus: 'paid', source: 'notify', label: 'Paid', changed: true, gatewayStatusKey: null };
  const odd = {
    fromStatus: null,
    toStatus: 'pending',
    source: 'create',
    label: 'Sale started: waiting for payment: an answer Paydesk does not know (odd)',
    changed: true,
    gatewayStatusKey: 'gateway_word.unknown',
    unknownGatewayWord: 'odd',
  };

  it('shows the core’s English label as it is in English', async () => {
    const { changeWords } = await import('./status');
    for (const event of [started, initiated, still, testPaid, paid, odd]) {
      expect(changeWords(event, 'en')).toBe(event.label);
    }
  });

  it('says each change in French', async () => {
    const { changeWords } = await import('./status');
    expect(changeWords(started, 'fr-CA')).toBe('Vente commencée');
    expect(changeWords(initiated, 'fr-CA')).toBe('En attente du paiement : en attente du client');
    expect(changeWords(still, 'fr-CA')).toBe('Vérifiée de nouveau : toujours en attente du paiement : le client paie sur son téléphone');
    expect(changeWords(testPaid, 'fr-CA')).toBe('Payée : payée (mode test)');
    expect(changeWords(paid, 'fr-CA')).toBe('Payée');
    expect(changeWords(odd, 'fr-CA')).toBe(
      'Vente commencée : en attente du paiement : une réponse que Paydesk ne connaît pas (odd)',
    );
    expect(changeWords({ fromStatus: 'pending', toStatus: 'paid', source: 'poll' }, 'fr-CA')).toBe('En attente du paiement → Payée');
  });

  it('says each change in Chinese', async () => {
    const { changeWords } = await import('./status');
    expect(changeWords(started, 'zh-CN')).toBe('交易已开始');
    expect(changeWords(initiated, 'zh-CN')).toBe('待支付：等待顾客付款');
    expect(changeWords(still, 'zh-CN')).toBe('再次查询：仍为待支付：顾客正在手机上付款');
    expect(changeWords(testPaid, 'zh-CN')).toBe('已支付：已支付（测试模式）');
    expect(changeWords(odd, 'zh-CN')).toBe('交易已开始：待支付：Paydesk 无法识别的答复（odd）');
  });

  it('keeps the core’s English for a word key the window does not know', async () => {
    const { changeWords, gatewayStatusWords } = await import('./status');
    const newer = { ...initiated, gatewayStatusKey: 'gateway_word.newpay.waiting' };
    expect(changeWords(newer, 'fr-CA')).toBe(initiated.label);
    expect(gatewayStatusWords({ gatewayStatusLabel: 'waiting', gatewayStatusKey: 'gateway_word.newpay.waiting' }, 'fr-CA')).toBe('waiting');
  });

  it('says what the gateway last said of an order in the window’s language', async () => {
    const { gatewayStatusWords } = await import('./status');
    const order = { gatewayStatusLabel: 'waiting for the customer', gatewayStatusKey: 'gateway_word.smepay.initiated', unknownGatewayWord: null };
    expect(gatewayStatusWords(order, 'en')).toBe('waiting for the customer');
    expect(gatewayStatusWords(order, 'fr-CA')).toBe('en attente du client');
    expect(gatewayStatusWords(order, 'zh-CN')).toBe('等待顾客付款');
    expect(gatewayStatusWords(order, 'hi')).toBe('ग्राहक का इंतज़ार');
    const odd = { gatewayStatusLabel: 'an answer Paydesk does not know (77)', gatewayStatusKey: 'gateway_word.unknown', unknownGatewayWord: '77' };
    expect(gatewayStatusWords(odd, 'en')).toBe('an answer Paydesk does not know (77)');
    expect(gatewayStatusWords(odd, 'zh-CN')).toBe('Paydesk 无法识别的答复（77）');
    expect(gatewayStatusWords({ gatewayStatusLabel: null, gatewayStatusKey: null }, 'fr-CA')).toBeNull();
  });
});

describe('reasonWords', () => {
  const declined = { reason: 'declined by the customer’s wallet', reasonKey: 'gateway_word.iotpay.code_0014' };
  it('is the core’s reason in English', () => {
    expect(reasonWords(declined, 'en')).toBe('declined by the customer’s wallet');
  });
  it('is Paydesk’s own reason per status in another language', () => {
    expect(reasonWords({ reason: 'no payment came before the sale timed out', reasonKey: 'status.reason.expired' }, 'fr-CA')).toBe(
      'aucun paiement n’est arrivé avant l’expiration de la vente',
    );
    expect(reasonWords({ reason: 'the payment was refused', reasonKey: 'status.reason.failed' }, 'zh-CN')).toBe('付款被拒绝');
  });
  it('keeps the core’s words for a key the window does not know, and is null without a reason', () => {
    expect(reasonWords({ reason: 'odd', reasonKey: 'no.such.key' }, 'fr-CA')).toBe('odd');
    expect(reasonWords({ reason: null, reasonKey: null }, 'fr-CA')).toBeNull();
  });
});
