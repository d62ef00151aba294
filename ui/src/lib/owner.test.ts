import { describe, expect, it } from 'vitest';
import {
  canRefund,
  canVoid,
  refundElsewhere,
  checkRefundAmount,
  formatMinor,
  formatMoney,
  isValidPin,
  newestRefund,
  reversalName,
  reversalWho,
  unansweredReversal,
  pinProblem,
  refundPrefill,
  refundableMinor,
  heldMinor,
  sanitizePin,
  amountLine,
  refundQuestion,
  voidQuestion,
  isPinError,
  triesLeft,
  isLockedOut,
  pinRefusal,
} from './owner';
import { errorText } from './errors';

describe('owner PIN', () => {
  it('is 4 to 12 digits', () => {
    expect(isValidPin('1234')).toBe(true);
    expect(isValidPin('12345678')).toBe(true);
    expect(isValidPin('123456789012')).toBe(true);
    expect(isValidPin('1234567890123')).toBe(false);
    expect(isValidPin('123')).toBe(false);
    expect(isValidPin('123456789')).toBe(true);
    expect(isValidPin('12a4')).toBe(false);
    expect(isValidPin(' 1234')).toBe(false);
    expect(isValidPin('')).toBe(false);
  });

  it('fields keep digits only, at most twelve', () => {
    expect(sanitizePin('12-34 ab')).toBe('1234');
    expect(sanitizePin('12345678901234')).toBe('123456789012');
    expect(sanitizePin('')).toBe('');
  });

  it('says why a PIN is refused before sending it', () => {
    expect(pinProblem('')).toBe('Enter the owner PIN');
    expect(pinProblem('12')).toBe('The owner PIN is 4 to 12 digits');
    expect(pinProblem('2468')).toBeNull();
  });
});

describe('amounts per currency', () => {
  it('formats minor units as plain text the core parses back', () => {
    expect(formatMinor(750, 'CAD')).toBe('7.50');
    expect(formatMinor(5, 'CAD')).toBe('0.05');
    expect(formatMinor(0, 'EUR')).toBe('0.00');
    expect(formatMinor(123456, 'USD')).toBe('1234.56');
    expect(formatMinor(1500, 'JPY')).toBe('1500');
    expect(formatMinor(1005, 'KWD')).toBe('1.005');
  });
});

describe('refund amount', () => {
  const paid = { amountMinor: 1250, refundedMinor: 0, currency: 'CAD' };

  it('prefills all that is left, in the currency decimals', () => {
    expect(refundPrefill(paid)).toBe('12.50');
    expect(refundPrefill({ ...paid, refundedMinor: 500 })).toBe('7.50');
    expect(refundPrefill({ amountMinor: 1500, refundedMinor: 200, currency: 'JPY' })).toBe('1300');
    expect(refundableMinor({ amountMinor: 100, refundedMinor: 150 })).toBe(0);
  });

  it('accepts amounts up to what is left', () => {
    expect(checkRefundAmount('5', 'CAD', 1250)).toEqual({ ok: true, minor: 500 });
    expect(checkRefundAmount(' 5.5 ', 'CAD', 1250)).toEqual({ ok: true, minor: 550 });
    expect(checkRefundAmount('12.50', 'CAD', 1250)).toEqual({ ok: true, minor: 1250 });
    expect(checkRefundAmount('.75', 'CAD', 1250)).toEqual({ ok: true, minor: 75 });
    expect(checkRefundAmount('300', 'JPY', 1500)).toEqual({ ok: true, minor: 300 });
    expect(checkRefundAmount('0.125', 'KWD', 1000)).toEqual({ ok: true, minor: 125 });
  });

  it('refuses what the core would refuse', () => {
    expect(checkRefundAmount('', 'CAD', 1250)).toEqual({ ok: false, message: 'Enter the amount to refund' });
    expect(checkRefundAmount('12.345', 'CAD', 5000)).toEqual({ ok: false, message: 'CAD takes at most 2 decimals' });
    expect(checkRefundAmount('1.5', 'JPY', 5000)).toEqual({ ok: false, message: 'JPY takes no decimals' });
    expect(checkRefundAmount('-1', 'CAD', 1250).ok).toBe(false);
    expect(checkRefundAmount('1,000', 'CAD', 500000).ok).toBe(false);
    expect(checkRefundAmount('.', 'CAD', 1250).ok).toBe(false);
    expect(checkRefundAmount('abc', 'CAD', 1250)).toEqual({ ok: false, message: 'abc is not an amount' });
    expect(checkRefundAmount('0.00', 'CAD', 1250)).toEqual({ ok: false, message: 'The amount must be more than zero' });
    expect(checkRefundAmount('12.51', 'CAD', 1250)).toEqual({
      ok: false,
      message: '12.51 is more than can be refunded: 12.50 CAD is left',
    });
  });
});

describe('owner actions on an order', () => {
  const order = { status: 'paid' as const, method: 'wechat-qr', amountMinor: 1000, refundedMinor: 0 };

  it('offers Refund on paid and partly refunded orders with something left', () => {
    expect(canRefund(order)).toBe(true);
    expect(canRefund({ ...order, status: 'partially_refunded', refundedMinor: 400 })).toBe(true);
    expect(canRefund({ ...order, status: 'partially_refunded', refundedMinor: 1000 })).toBe(false);
    expect(canRefund({ ...order, status: 'pending' })).toBe(false);
    expect(canRefund({ ...order, status: 'refunded' })).toBe(false);
  });

  it('offers Void on card orders only, before any refund', () => {
    expect(canVoid(order)).toBe(false);
    expect(canVoid({ ...order, method: 'card' })).toBe(true);
    expect(canVoid({ ...order, method: 'smartpay-card', status: 'authorized' })).toBe(true);
    expect(canVoid({ ...order, method: 'card', status: 'partially_refunded', refundedMinor: 100 })).toBe(false);
    expect(canVoid({ ...order, method: 'card', status: 'voided' })).toBe(false);
  });

  it('offers neither on a card-terminal sale, and says to refund it on the terminal', () => {
    const terminal = { ...order, method: 'card-terminal' };
    expect(canRefund(terminal)).toBe(false);
    expect(canVoid(terminal)).toBe(false);
    expect(refundElsewhere(terminal)).toBe(
      'Refund card-terminal sales on the terminal itself (or in IOTPay’s portal): Paydesk cannot give them back.',
    );
    expect(refundElsewhere({ ...terminal, status: 'pending' })).toBeNull();
    expect(refundElsewhere(order)).toBeNull();
    // The core's refusal, should a refund be tried anyway, reads the same in another language.
    expect(errorText({ code: 'refund_on_terminal', message: '', field: 'order' })).toBe(refundElsewhere(terminal));
  });
});

describe('refunds whose outcome is unknown', () => {
  const refunds = [
    { status: 'succeeded' as const, amountMinor: 200 },
    { status: 'pending' as const, amountMinor: 300 },
    { status: 'failed' as const, amountMinor: 400 },
    { status: 'pending' as const, amountMinor: 50 },
  ];

  it('hold back what they would give (pending only)', () => {
    expect(heldMinor(refunds)).toBe(350);
    expect(heldMinor([])).toBe(0);
  });

  it('leave less to refund, and no void', () => {
    const order = { status: 'partially_refunded' as const, method: 'card', amountMinor: 1000, refundedMinor: 200, currency: 'CAD' };
    expect(refundableMinor(order, 350)).toBe(450);
    expect(refundPrefill(order, 350)).toBe('4.50');
    expect(canRefund(order, 800)).toBe(false);
    expect(canRefund(order, 350)).toBe(true);
    const paidCard = { ...order, status: 'paid' as const, refundedMinor: 0 };
    expect(canVoid(paidCard)).toBe(true);
    expect(canVoid(paidCard, 1000)).toBe(false);
  });
});

describe('refunds and voids made', () => {
  const refund = (id: number, kind: 'refund' | 'void' = 'refund') => ({
    id,
    orderId: 1,
    refundNo: `R${id}`,
    amountMinor: 100,
    tipMinor: 0,
    kind,
    status: 'succeeded' as const,
    gatewayRefundId: null,
    reason: null,
    createdAtMs: 0,
    staff: null,
    approver: null,
  });

  it('shows an amount with its currency in its decimals', () => {
    expect(formatMoney(750, 'CAD')).toBe('7.50 CAD');
    expect(formatMoney(1500, 'JPY')).toBe('1,500 JPY');
  });

  it('says who made a refund and who approved it', () => {
    expect(reversalWho({ staff: 'Ann', approver: 'Max' })).toBe('by Ann, approved by Max');
    expect(reversalWho({ staff: 'Max', approver: null })).toBe('by Max');
    expect(reversalWho({ staff: null, approver: 'Owner' })).toBe('approved by Owner');
    expect(reversalWho({ staff: null, approver: null })).toBe('');
  });

  it('names each kind, and finds the one just made', () => {
    expect(reversalName('void')).toBe('Void');
    expect(reversalName('refund')).toBe('Refund');
    expect(newestRefund([refund(2), refund(5, 'void'), refund(3)])?.id).toBe(5);
    expect(newestRefund([])).toBeNull();
  });

  it('says that one with no clear answer stays pending', () => {
    const unknown = unansweredReversal('Refund of 7.50 CAD');
    expect(unknown.code).toBe('outcome_unknown');
    expect(unknown.field).toBeNull();
    expect(unknown.message).toMatch(/^Refund of 7\.50 CAD: the gateway gave no clear answer\. It stays pending/);
  });
});

describe('the PIN dialog', () => {
  it('puts the amount in figures and in words in the refund question', () => {
    expect(amountLine(750, 'CAD')).toBe('7.50 CAD — seven dollars and fifty cents');
    expect(refundQuestion(750, 'CAD')).toBe('Refund 7.50 CAD — seven dollars and fifty cents — to the customer?');
    expect(refundQuestion(1500, 'JPY')).toBe('Refund 1,500 JPY — one thousand five hundred yen — to the customer?');
    expect(voidQuestion(2100, 'CAD')).toContain('21.00 CAD — twenty-one dollars');
  });

  it('keeps the dialog for PIN refusals, not for other errors', () => {
    for (const code of ['forbidden', 'pin_required', 'pin_wrong', 'locked_out']) {
      expect(isPinError({ code, field: null })).toBe(true);
    }
    expect(isPinError({ code: 'invalid_input', field: 'pin' })).toBe(true);
    expect(isPinError({ code: 'invalid_input', field: 'path' })).toBe(false);
    expect(isPinError({ code: 'gateway_rejected', field: null })).toBe(false);
  });

  it('reads how many tries are left when the core says it', () => {
    expect(triesLeft('wrong owner PIN: 3 tries left')).toBe(3);
    expect(triesLeft('Wrong PIN, 1 try left before a 60 s wait')).toBe(1);
    expect(triesLeft('wrong owner PIN (2 attempts left)')).toBe(2);
    expect(triesLeft('wrong owner PIN: no tries left')).toBe(0);
    expect(triesLeft('wrong owner PIN')).toBeNull();
  });

  it('tells a lockout and words the refusal as a sentence', () => {
    expect(isLockedOut({ code: 'locked_out', message: 'x' })).toBe(true);
    expect(isLockedOut({ code: 'forbidden', message: 'too many wrong PINs: try again in 59 s' })).toBe(true);
    expect(isLockedOut({ code: 'pin_wrong', message: 'wrong owner PIN: 4 tries left' })).toBe(false);
    expect(pinRefusal({ code: 'pin_wrong', message: 'wrong owner PIN: 4 tries left' })).toBe('Wrong owner PIN: 4 tries left');
    expect(pinRefusal({ code: 'pin_wrong', message: '' })).toBe('Wrong owner PIN');
  });
});
