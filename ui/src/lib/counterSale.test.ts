import { describe, expect, it } from 'vitest';
import type { OrderView, MethodInfo } from './api';
import {
  backgroundUpdate,
  cancelFailureMessage,
  createFailureMessage,
  currencySwitch,
  dismissNotice,
  emptyBackground,
  isWaitingStatus,
  scanPrompt,
  sendToBackground,
  shopCounterMethods,
  shortOrderNo,
  takeFromBackground,
  typedDecimals,
  withLedgerSales,
} from './counter';
import { currencyDecimals } from './currency';
import { sampleView } from './testing';

function order(id: number, status: OrderView['status'], updatedAt = '2026-12-06T10:00:00Z'): OrderView {
  return sampleView({
    id,
    merchantOrderNo: `PD20261206100000${String(id).padStart(6, '0')}`,
    status,
    createdAt: updatedAt,
    updatedAt,
  });
}

function method(gateway: string, name: string, kind: MethodInfo['kind'] = 'qr'): MethodInfo {
  return { gateway, method: name, label: name, kind, currencies: ['CAD'] };
}

describe('shopCounterMethods', () => {
  const all = [
    method('iotpay', 'wechat-qr'),
    method('iotpay', 'alipay-qr'),
    method('iotpay', 'barcode', 'barcode'),
    method('iotpay', 'wechat-app', 'app'),
    method('smepay', 'upi'),
  ];

  it('offers every counter method when the shop chose none', () => {
    expect(shopCounterMethods(all, []).map((m) => m.method)).toEqual(['wechat-qr', 'alipay-qr', 'barcode', 'upi']);
    expect(shopCounterMethods(all, undefined)).toHaveLength(4);
  });

  it("offers only the shop's methods, in the shop's order (most used first)", () => {
    expect(shopCounterMethods(all, ['upi', 'barcode']).map((m) => m.method)).toEqual(['upi', 'barcode']);
    expect(shopCounterMethods(all, ['iotpay/alipay-qr']).map((m) => m.method)).toEqual(['alipay-qr']);
  });

  it('never offers an app method at the counter, even when the shop lists it', () => {
    expect(shopCounterMethods(all, ['wechat-app', 'wechat-qr']).map((m) => m.method)).toEqual(['wechat-qr']);
  });
});

describe('currencySwitch', () => {
  it('says nothing when the currency stays', () => {
    expect(currencySwitch('CAD', 'CAD', '12.50', currencyDecimals)).toEqual({ notice: null, amountError: null });
  });

  it('shows the change, and asks to check an amount already typed', () => {
    expect(currencySwitch('CAD', 'INR', '', currencyDecimals).notice).toBe('Currency changed to INR');
    const typed = currencySwitch('CAD', 'INR', '12.50', currencyDecimals);
    expect(typed.notice).toBe('Currency changed to INR: check the amount');
    expect(typed.amountError).toBeNull();
  });

  it('flags an amount with more decimals than the new currency has', () => {
    const yen = currencySwitch('CAD', 'JPY', '12.50', currencyDecimals);
    expect(yen.amountError).toContain('JPY has no decimals');
    expect(currencySwitch('CAD', 'JPY', '1250', currencyDecimals).amountError).toBeNull();
    expect(typedDecimals('12.5')).toBe(1);
    expect(typedDecimals('12')).toBe(0);
  });
});

describe('the waiting screen words', () => {
  it('reads out the last six characters of the order number', () => {
    expect(shortOrderNo('PD20261206103000123456')).toBe('123456');
    expect(shortOrderNo('PD12')).toBe('PD12');
  });

  it('names the app the customer scans with', () => {
    expect(scanPrompt('wechat-qr')).toBe('Scan with WeChat');
    expect(scanPrompt('alipay-qr')).toBe('Scan with Alipay');
    expect(scanPrompt('upi')).toBe('Scan with any UPI app');
    expect(scanPrompt('card-link')).toContain('payment page');
  });
});

describe('sales waiting in the background', () => {
  it('keeps a waiting sale in the strip, newest first, and refreshes it', () => {
    let state = sendToBackground(emptyBackground(), order(1, 'pending'));
    state = sendToBackground(state, order(2, 'created'));
    expect(state.waiting.map((o) => o.id)).toEqual([2, 1]);
    const { state: next, announce } = backgroundUpdate(state, order(2, 'pending', '2026-12-06T10:00:05Z'));
    expect(announce).toBe(false);
    expect(next.waiting.find((o) => o.id === 2)?.status).toBe('pending');
  });

  it('announces a sale paid after it left the screen, and takes it out of the strip', () => {
    const state = sendToBackground(emptyBackground(), order(1, 'pending'));
    const { state: next, announce } = backgroundUpdate(state, order(1, 'paid', '2026-12-06T10:01:00Z'));
    expect(announce).toBe(true);
    expect(next.waiting).toEqual([]);
    expect(next.notices.map((o) => o.id)).toEqual([1]);
    expect(dismissNotice(next, 1).notices).toEqual([]);
  });

  it('announces a late payment of a sale cancelled or expired on screen, with what to do', () => {
    const state = sendToBackground(emptyBackground(), order(3, 'cancelled'));
    expect(state.waiting).toEqual([]);
    const { state: next, announce } = backgroundUpdate(state, order(3, 'paid', '2026-12-06T11:00:00Z'));
    expect(announce).toBe(true);
    expect(next.lateNotes[3]).toBe('paid after it was cancelled: refund it');
    expect(dismissNotice(next, 3).lateNotes[3]).toBeUndefined();
    const expired = backgroundUpdate(sendToBackground(emptyBackground(), order(4, 'expired')), order(4, 'paid'));
    expect(expired.state.lateNotes[4]).toContain('after the sale ended');
    // A sale paid from the strip is simply paid.
    const strip = backgroundUpdate(sendToBackground(emptyBackground(), order(5, 'pending')), order(5, 'paid'));
    expect(strip.state.lateNotes[5]).toBeUndefined();
  });

  it('drops a sale that ended unpaid from the strip, quietly', () => {
    const state = sendToBackground(emptyBackground(), order(1, 'pending'));
    const { state: next, announce } = backgroundUpdate(state, order(1, 'expired', '2026-12-06T10:20:00Z'));
    expect(announce).toBe(false);
    expect(next.waiting).toEqual([]);
    expect(next.left).toEqual([{ id: 1, status: 'expired' }]);
  });

  it('ignores sales this counter never had, and older snapshots', () => {
    expect(backgroundUpdate(emptyBackground(), order(9, 'paid')).announce).toBe(false);
    const state = sendToBackground(emptyBackground(), order(1, 'pending', '2026-12-06T10:05:00Z'));
    expect(backgroundUpdate(state, order(1, 'paid', '2026-12-06T10:00:00Z')).announce).toBe(false);
  });

  it('fills the strip from the ledger, leaving out the sale on screen and the settled', () => {
    const state = withLedgerSales(emptyBackground(), [order(1, 'pending'), order(2, 'paid'), order(3, 'created')], 3);
    expect(state.waiting.map((o) => o.id)).toEqual([1]);
    expect(takeFromBackground(state, 1).waiting).toEqual([]);
    expect(isWaitingStatus('authorized')).toBe(true);
    expect(isWaitingStatus('expired')).toBe(false);
  });
});

describe('cancelFailureMessage', () => {
  it("says why a cancel did not happen without the gateway's codes", () => {
    const refused = cancelFailureMessage({ code: 'gateway_rejected', message: 'smartpay refused: INVALID_STATE (code 400)' });
    expect(refused).toContain('refused to cancel');
    expect(refused).not.toContain('400');
    expect(cancelFailureMessage({ code: 'not_waiting', message: 'order PD1 is paid' })).toContain('no longer waiting');
    expect(cancelFailureMessage({ code: 'storage', message: 'disk full' })).toBe('The sale was not cancelled: disk full');
  });
});

describe('createFailureMessage', () => {
  it("keeps the core's plain words for input and hides a gateway's code", () => {
    expect(createFailureMessage({ code: 'invalid_amount', message: 'Enter an amount.' })).toBe('Enter an amount.');
    const refused = createFailureMessage({ code: 'gateway_rejected', message: 'iotpay refused: third-party exception (code 0111)' });
    expect(refused).toContain('refused this payment');
    expect(refused).not.toContain('0111');
  });
});
