import { describe, expect, it } from 'vitest';
import type { MethodInfo } from './api';
import {
  chosenMethods,
  currencyNote,
  fieldOfError,
  firstProblemField,
  groupMethods,
  newPinProblem,
  orderedKeys,
  pinRepeatProblem,
  setupProblems,
  shopCurrencies,
  shopNameProblem,
  type SetupForm,
} from './setup';

const m = (gateway: string, method: string, kind: MethodInfo['kind'], currencies: string[]): MethodInfo => ({
  gateway,
  method,
  label: method,
  kind,
  currencies,
});

const METHODS: MethodInfo[] = [
  m('iotpay', 'wechat-qr', 'qr', ['CAD', 'USD']),
  m('iotpay', 'barcode', 'barcode', ['CAD', 'USD']),
  m('iotpay', 'wechat-app', 'app', ['CAD', 'USD']),
  m('iotpay', 'card', 'widget', ['CAD']),
  m('iotpay', 'card-token', 'token', ['CAD']),
  m('smepay', 'upi', 'link', ['INR']),
  m('smartpay', 'smartpay-card', 'widget', ['EUR', 'GBP']),
];

const good: SetupForm = { shopName: 'Corner Tea House', currency: 'CAD', pin: '2468', pinRepeat: '2468', methods: ['wechat-qr'] };

describe('setup: methods', () => {
  it('groups the counter methods by how the customer pays, leaving out app and saved-card ones', () => {
    const groups = groupMethods(METHODS);
    expect(groups.map((g) => g.kind)).toEqual(['qr', 'barcode', 'link', 'widget']);
    expect(groups.find((g) => g.kind === 'widget')?.methods.map((x) => x.method)).toEqual(['card', 'smartpay-card']);
    expect(groups.flatMap((g) => g.methods).some((x) => x.kind === 'app' || x.kind === 'token')).toBe(false);
    expect(groups.every((g) => g.title.length > 0)).toBe(true);
  });

  it('offers the currencies the counter methods take, once each, sorted', () => {
    expect(shopCurrencies(METHODS)).toEqual(['CAD', 'EUR', 'GBP', 'INR', 'USD']);
  });

  it("keeps the shop's methods in the core's order; none stored means all", () => {
    expect(chosenMethods(METHODS, []).map((x) => x.method)).toEqual(['wechat-qr', 'barcode', 'card', 'upi', 'smartpay-card']);
    expect(chosenMethods(METHODS, ['upi', 'wechat-qr']).map((x) => x.method)).toEqual(['wechat-qr', 'upi']);
    expect(orderedKeys(METHODS, ['upi', 'barcode'])).toEqual(['barcode', 'upi']);
  });
});

describe('setup: checks', () => {
  it('accepts a complete form', () => {
    expect(setupProblems(good, ['CAD', 'USD'], METHODS)).toEqual({});
  });

  it('wants a shop name of one line, at most 60 characters', () => {
    expect(shopNameProblem('')).toMatch(/name/);
    expect(shopNameProblem('   ')).toMatch(/name/);
    expect(shopNameProblem('x'.repeat(60))).toBeNull();
    expect(shopNameProblem('x'.repeat(61))).toMatch(/60/);
    expect(shopNameProblem('a\nb')).toMatch(/one line/);
  });

  it('wants a PIN of 4 to 8 digits, typed twice the same', () => {
    expect(newPinProblem('')).toMatch(/Choose a PIN/);
    expect(newPinProblem('123')).toMatch(/4 to 8 digits/);
    expect(newPinProblem('123456789')).toMatch(/4 to 8 digits/);
    expect(newPinProblem('12345678')).toBeNull();
    expect(newPinProblem('2468')).toBeNull();
    expect(pinRepeatProblem('2468', '')).toMatch(/again/);
    expect(pinRepeatProblem('2468', '2469')).toBe('The two PINs are not the same: type them again');
    expect(pinRepeatProblem('2468', '2468')).toBeNull();
    // A bad first PIN is the problem to fix first; the repeat is not judged against it.
    expect(pinRepeatProblem('12', '34')).toBeNull();
  });

  it('names every problem by field, the first in the form order', () => {
    const problems = setupProblems(
      { shopName: '', currency: 'XYZ', pin: '2468', pinRepeat: '1357', methods: [] },
      ['CAD'],
      METHODS,
    );
    expect(Object.keys(problems).sort()).toEqual(['currency', 'methods', 'pinRepeat', 'shopName']);
    expect(firstProblemField(problems)).toBe('shopName');
    expect(firstProblemField({ methods: 'x', pin: 'y' })).toBe('pin');
    expect(firstProblemField({})).toBeNull();
  });

  it('refuses methods the counter does not offer', () => {
    expect(setupProblems({ ...good, methods: ['wechat-app'] }, ['CAD'], METHODS).methods).toBeDefined();
    expect(setupProblems({ ...good, methods: ['nope'] }, ['CAD'], METHODS).methods).toBeDefined();
  });

  it("maps the core's error fields to the form's", () => {
    expect(fieldOfError('shopName')).toBe('shopName');
    expect(fieldOfError('shop.currency')).toBe('currency');
    expect(fieldOfError('pin')).toBe('pin');
    expect(fieldOfError('pinRepeat')).toBe('pinRepeat');
    expect(fieldOfError('methods')).toBe('methods');
    expect(fieldOfError(null)).toBeNull();
    expect(fieldOfError('key')).toBeNull();
  });
});

describe('setup: the currency and the methods', () => {
  it('notes when no chosen method takes the shop currency', () => {
    expect(currencyNote(METHODS, [], 'CAD')).toBeNull();
    expect(currencyNote(METHODS, ['wechat-qr'], 'CAD')).toBeNull();
    expect(currencyNote(METHODS, ['upi'], 'CAD')).toBe('None of the ways ticked takes CAD: sales will be in INR.');
    expect(currencyNote(METHODS, ['upi', 'smartpay-card'], 'CAD')).toBe(
      'None of the ways ticked takes CAD: sales will be in EUR, GBP, INR.',
    );
  });
});
