import { describe, expect, it } from 'vitest';
import { methodName } from './methods';

describe('methodName', () => {
  it("is the core's English label in English", () => {
    expect(methodName('wechat-qr', 'WeChat Pay QR')).toBe('WeChat Pay QR');
    expect(methodName('barcode')).toBe("Scan customer's code");
  });

  it('speaks the other languages', () => {
    expect(methodName('card-terminal', 'Card terminal', 'fr-CA')).toBe('Terminal de paiement');
    expect(methodName('alipay-qr', 'Alipay QR', 'zh-CN')).toBe('支付宝二维码');
    expect(methodName('card', 'Card', 'hi')).toBe('कार्ड');
  });

  it("falls back to the core's label, then the code, for a method without words", () => {
    expect(methodName('new-method', 'New method', 'fr-CA')).toBe('New method');
    expect(methodName('new-method')).toBe('new-method');
  });
});
