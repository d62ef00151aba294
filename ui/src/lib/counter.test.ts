import { describe, expect, it } from 'vitest';
import type { MethodInfo } from './api';
import {
  amountEnterAction,
  checkSale,
  counterMethods,
  declinedScanMessage,
  firstMethodKey,
  isCounterKind,
  isDeclinedScan,
  normaliseScan,
  orderKind,
  saleKeyAction,
  saleVisual,
} from './counter';

function method(name: string, kind: MethodInfo['kind']): MethodInfo {
  return { gateway: 'iotpay', method: name, label: name, kind, currencies: ['CAD'] };
}

const ALL: MethodInfo[] = [
  method('wechat-qr', 'qr'),
  method('alipay-qr', 'qr'),
  method('unionpay-qr', 'qr'),
  method('barcode', 'barcode'),
  method('alipay-web', 'link'),
  method('unionpay-web', 'link'),
  method('wechat-app', 'app'),
  method('alipay-app', 'app'),
  method('unionpay-app', 'app'),
  method('card-link', 'link'),
  method('card', 'widget'),
  method('card-token', 'token'),
];

describe('counterMethods', () => {
  it('keeps qr, link, barcode and widget methods in the core order', () => {
    expect(counterMethods(ALL).map((m) => m.method)).toEqual([
      'wechat-qr',
      'alipay-qr',
      'unionpay-qr',
      'barcode',
      'alipay-web',
      'unionpay-web',
      'card-link',
      'card',
    ]);
  });

  it('leaves out app and token methods, and kinds it does not know', () => {
    const odd = { ...method('future', 'qr'), kind: 'hologram' } as unknown as MethodInfo;
    expect(counterMethods([method('wechat-app', 'app'), method('card-token', 'token'), odd])).toEqual([]);
    expect(isCounterKind('app')).toBe(false);
    expect(isCounterKind('token')).toBe(false);
    expect(isCounterKind('widget')).toBe(true);
  });

  it('offers the widgets it can mount: IOTPay card, SMEPay UPI checkout, SmartPay card', () => {
    const smartpay = { ...method('smartpay-card', 'widget'), gateway: 'smartpay' };
    const smepay = { ...method('upi-widget', 'widget'), gateway: 'smepay' };
    const upi = { ...method('upi', 'link'), gateway: 'smepay' };
    expect(counterMethods([method('card', 'widget'), smartpay, smepay, upi]).map((m) => m.method)).toEqual([
      'card',
      'smartpay-card',
      'upi-widget',
      'upi',
    ]);
  });

  it('answers an empty list for no methods', () => {
    expect(counterMethods([])).toEqual([]);
  });
});

describe('saleVisual', () => {
  it('shows a QR for qr and link, the card form for widget, the scan hint for barcode', () => {
    expect(saleVisual('qr')).toBe('qr');
    expect(saleVisual('link')).toBe('qr');
    expect(saleVisual('widget')).toBe('widget');
    expect(saleVisual('barcode')).toBe('barcode');
    expect(saleVisual(null)).toBe('qr');
    expect(saleVisual(undefined)).toBe('qr');
  });
});

describe('normaliseScan', () => {
  it('passes a clean scan through', () => {
    expect(normaliseScan('134567890123456780')).toEqual({ ok: true, code: '134567890123456780' });
  });

  it('trims what a scanner or a paste adds around the code', () => {
    expect(normaliseScan('  286612345678901234\r\n')).toEqual({ ok: true, code: '286612345678901234' });
    expect(normaliseScan('\t6212345678901234567 ')).toEqual({ ok: true, code: '6212345678901234567' });
  });

  it('drops the spaces and dashes a person types between digit groups', () => {
    expect(normaliseScan('1345 6789 0123 4567 80')).toEqual({ ok: true, code: '134567890123456780' });
    expect(normaliseScan('1345-6789-0123-4567-80')).toEqual({ ok: true, code: '134567890123456780' });
  });

  it('refuses an empty scan', () => {
    expect(normaliseScan('')).toMatchObject({ ok: false });
    expect(normaliseScan('   ')).toMatchObject({ ok: false, message: expect.stringContaining('Scan') });
  });

  it('refuses letters and symbols instead of dropping them (a misread or a wrong keyboard layout)', () => {
    expect(normaliseScan('13456789012345678O')).toMatchObject({ ok: false, message: expect.stringContaining('digits') });
    expect(normaliseScan('&é"\'(-è_çà')).toMatchObject({ ok: false });
    expect(normaliseScan('+134567890123456780')).toMatchObject({ ok: false });
    expect(normaliseScan('１３４５')).toMatchObject({ ok: false });
  });
});

describe('amountEnterAction', () => {
  it('moves to the scanner field for a barcode sale, submits otherwise', () => {
    expect(amountEnterAction('barcode')).toBe('focus-barcode');
    expect(amountEnterAction('qr')).toBe('submit');
    expect(amountEnterAction('widget')).toBe('submit');
    expect(amountEnterAction(null)).toBe('submit');
  });
});

describe('isDeclinedScan', () => {
  it('keeps the cashier on the form when a scanned code comes back over and unpaid', () => {
    expect(isDeclinedScan('barcode', 'failed')).toBe(true);
    expect(isDeclinedScan('barcode', 'cancelled')).toBe(true);
  });

  it('shows the sale for a paid or waiting scan, and for any other kind', () => {
    expect(isDeclinedScan('barcode', 'paid')).toBe(false);
    expect(isDeclinedScan('barcode', 'pending')).toBe(false);
    expect(isDeclinedScan('qr', 'failed')).toBe(false);
    expect(declinedScanMessage()).toContain("customer's wallet");
  });
});

describe('checkSale', () => {
  it('wants a method first, then an amount', () => {
    expect(checkSale(null, '12.50', '')).toEqual({
      ok: false,
      error: { code: 'invalid_input', message: 'Choose a payment method.', field: 'method' },
      focus: null,
    });
    expect(checkSale(method('wechat-qr', 'qr'), '  ', '')).toEqual({
      ok: false,
      error: { code: 'invalid_amount', message: 'Enter an amount.', field: 'amount' },
      focus: 'amount',
    });
    const qr = method('wechat-qr', 'qr');
    expect(checkSale(qr, '12.50', 'ignored')).toEqual({ ok: true, method: qr });
  });

  it("sends a scan sale's code as the core wants it, or goes back to the scanner field", () => {
    const scan = method('barcode', 'barcode');
    expect(checkSale(scan, '5', ' 1234-5678 ')).toEqual({ ok: true, method: scan, code: '12345678' });
    const misread = checkSale(method('barcode', 'barcode'), '5', '12a4');
    expect(misread.ok).toBe(false);
    if (!misread.ok) {
      expect(misread.error.field).toBe('code');
      expect(misread.focus).toBe('barcode');
    }
  });
});

describe('firstMethodKey', () => {
  const offered = [method('wechat-qr', 'qr'), method('barcode', 'barcode')];

  it('selects the method used last while the shop still offers it, else the first', () => {
    expect(firstMethodKey(offered, 'iotpay/barcode')).toBe('iotpay/barcode');
    expect(firstMethodKey(offered, 'iotpay/alipay-qr')).toBe('iotpay/wechat-qr');
    expect(firstMethodKey(offered, null)).toBe('iotpay/wechat-qr');
    expect(firstMethodKey([], 'iotpay/barcode')).toBeNull();
  });
});

describe('orderKind', () => {
  const sale = { gateway: 'iotpay', method: 'card', paymentPayload: null };

  it("is the kind of the order's method", () => {
    expect(orderKind(sale, ALL)).toBe('widget');
    expect(orderKind({ ...sale, method: 'barcode' }, ALL)).toBe('barcode');
  });

  it('is the embedded form its payload names when the method is no longer listed, else unknown', () => {
    const payload = { secureId: 's-1', scriptUrl: 'https://example.test/iotpaycc.js' };
    expect(orderKind({ ...sale, paymentPayload: payload }, [])).toBe('widget');
    expect(orderKind(sale, [])).toBeNull();
  });
});

describe('saleKeyAction', () => {
  it('never leaves a waiting sale: Esc closes the confirmation at most, Enter explains', () => {
    expect(saleKeyAction('Escape', 'pending', true, false)).toBe('close-confirmation');
    expect(saleKeyAction('Escape', 'pending', false, false)).toBe('explain');
    expect(saleKeyAction('Enter', 'created', false, false)).toBe('explain');
  });

  it("leaves Enter on the confirmation's own buttons, and other keys, alone", () => {
    expect(saleKeyAction('Enter', 'authorized', true, true)).toBeNull();
    expect(saleKeyAction('a', 'pending', false, false)).toBeNull();
    expect(saleKeyAction('Tab', 'paid', false, false)).toBeNull();
  });

  it('starts the next sale on Enter or Esc once the sale is over', () => {
    expect(saleKeyAction('Enter', 'paid', false, false)).toBe('next-sale');
    expect(saleKeyAction('Escape', 'cancelled', false, false)).toBe('next-sale');
  });
});
