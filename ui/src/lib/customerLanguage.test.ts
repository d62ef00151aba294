import { describe, expect, it } from 'vitest';
import {
  cycleSaleLanguage,
  defaultSaleLanguage,
  displayLanguage,
  isLanguageKey,
  methodLanguage,
  nextLanguage,
  saleLanguage,
} from './customerLanguage';

const wechat = { id: 1, gateway: 'iotpay', method: 'wechat-qr' };
const upi = { id: 2, gateway: 'smepay', method: 'upi' };
const card = { id: 3, gateway: 'smartpay', method: 'smartpay-card' };

describe('the customer display language of a sale', () => {
  it('is Simplified Chinese for the Chinese wallets, QR or payment page', () => {
    for (const method of ['wechat-qr', 'alipay-qr', 'unionpay-qr', 'alipay-web', 'unionpay-web']) {
      expect(methodLanguage({ gateway: 'iotpay', method })).toBe('zh-CN');
    }
  });

  it('is Hindi for SMEPay UPI, QR or checkout', () => {
    expect(methodLanguage(upi)).toBe('hi');
    expect(methodLanguage({ gateway: 'smepay', method: 'upi-widget' })).toBe('hi');
  });

  it('is the window’s for a method that says nothing about the customer', () => {
    expect(methodLanguage(card)).toBeNull();
    expect(methodLanguage({ gateway: 'iotpay', method: 'barcode' })).toBeNull();
    expect(defaultSaleLanguage(card, 'fr-CA')).toBe('fr-CA');
    expect(defaultSaleLanguage(wechat, 'fr-CA')).toBe('zh-CN');
    expect(defaultSaleLanguage(upi, 'en')).toBe('hi');
  });

  it('is the cashier’s choice once switched, for that sale only', () => {
    const chosen = cycleSaleLanguage(wechat, {}, 'en');
    // zh-CN is last in the list (en, fr-CA, hi, zh-CN): the next one wraps to English.
    expect(saleLanguage(wechat, chosen, 'en')).toBe('en');
    expect(saleLanguage(upi, chosen, 'en')).toBe('hi');
    const again = cycleSaleLanguage(wechat, chosen, 'en');
    expect(saleLanguage(wechat, again, 'en')).toBe('fr-CA');
  });

  it('cycles through every language and back', () => {
    const all = ['en', 'fr-CA', 'hi', 'zh-CN'];
    let lang = 'en';
    const seen: string[] = [];
    for (let i = 0; i < all.length; i++) {
      seen.push(lang);
      lang = nextLanguage(lang, all);
    }
    expect(seen).toEqual(all);
    expect(lang).toBe('en');
    expect(nextLanguage('xx', all)).toBe('en');
  });

  it('ignores a stored choice Paydesk has no catalogue for', () => {
    expect(saleLanguage(card, { 3: 'xx' }, 'en')).toBe('en');
  });

  it('is switched by L without a modifier', () => {
    const key = (k: string, mods: Partial<KeyboardEvent> = {}) => ({ key: k, altKey: false, ctrlKey: false, metaKey: false, ...mods });
    expect(isLanguageKey(key('L'))).toBe(true);
    expect(isLanguageKey(key('l'))).toBe(true);
    expect(isLanguageKey(key('l', { ctrlKey: true }))).toBe(false);
    expect(isLanguageKey(key('k'))).toBe(false);
  });

  it('renders in English when the counter sent nothing or a language it lacks', () => {
    expect(displayLanguage('zh-CN')).toBe('zh-CN');
    expect(displayLanguage('')).toBe('en');
    expect(displayLanguage(undefined)).toBe('en');
    expect(displayLanguage('xx')).toBe('en');
  });
});
