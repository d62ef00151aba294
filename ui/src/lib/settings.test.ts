import { describe, expect, it } from 'vitest';
import {
  backupWords,
  bindProblem,
  bindWarning,
  changedValues,
  connectionText,
  currencyProblem,
  settingProblem,
  shopNameProblem,
  storedValues,
  urlProblem,
  timeoutProblem,
  parseShopMethods,
  pinChangeProblem,
} from './settings';

describe('settings validation messages', () => {
  it('wants https URLs with a host, http only on this machine', () => {
    const key = 'iotpay.live.v1_base';
    expect(urlProblem(key, 'https://api.iotpaycloud.com/v1')).toBeNull();
    expect(urlProblem(key, 'http://127.0.0.1:18080/iotpay/v1')).toBeNull();
    expect(urlProblem(key, 'http://localhost:8080')).toBeNull();
    expect(urlProblem(key, '')).toBeNull();
    expect(urlProblem(key, 'api.iotpaycloud.com/v1')).toBe(
      'iotpay.live.v1_base must be an https:// URL (or http:// on this machine): "api.iotpaycloud.com/v1" is not a URL',
    );
    expect(urlProblem(key, 'http://api.iotpaycloud.com/v1')).toContain('api.iotpaycloud.com is not this machine');
    expect(urlProblem(key, 'ftp://files.example.com')).toContain('ftp: is not http or https');
    expect(urlProblem(key, 'https://me:pw@host.example')).toContain('user name or password');
  });

  it('knows the currencies the core knows', () => {
    expect(currencyProblem('eur')).toBeNull();
    expect(currencyProblem('JPY')).toBeNull();
    expect(currencyProblem('EURO')).toBe(
      'shop.currency must be an ISO 4217 code Paydesk knows (such as CAD, USD, EUR, INR), not "EURO"',
    );
  });

  it('checks the receiver address and warns when it is not loopback', () => {
    expect(bindProblem('127.0.0.1:47390')).toBeNull();
    expect(bindProblem('[::1]:47390')).toBeNull();
    expect(bindProblem('localhost:47390')).toBe(
      'notify.bind is an address and port such as 127.0.0.1:47390, not "localhost:47390"',
    );
    expect(bindProblem('127.0.0.1:70000')).not.toBeNull();
    expect(bindProblem('300.0.0.1:80')).not.toBeNull();
    expect(bindWarning('127.0.0.1:47390')).toBeNull();
    expect(bindWarning('0.0.0.0:47390')).toContain('0.0.0.0 is not loopback');
  });

  it('keeps the shop name to one short line', () => {
    expect(shopNameProblem('Corner Tea')).toBeNull();
    expect(shopNameProblem('x'.repeat(61))).toBe('shop.name is at most 60 characters');
    expect(shopNameProblem('a\nb')).toBe('shop.name is one line of text');
  });

  it('routes each key to its rule', () => {
    expect(settingProblem('smartpay.test.token_url', 'nope')).toContain('not a URL');
    expect(settingProblem('smepay.live.base', 'nope')).toContain('not a URL');
    expect(settingProblem('shop.currency', 'xx')).toContain('ISO 4217');
    expect(settingProblem('notify.bind', 'x')).toContain('address and port');
    expect(settingProblem('smepay.live.customer_name', 'anything')).toBeNull();
  });
});

describe('what a save sends', () => {
  it('sends only what changed, a cleared field as empty (back to its default)', () => {
    const stored = storedValues([
      { key: 'shop.name', value: 'Corner Tea', default: 'Paydesk' },
      { key: 'iotpay.test.v1_base', value: null, default: 'https://api.iotpaycloud.com/v1' },
      { key: 'shop.currency', value: 'CAD', default: 'CAD' },
    ]);
    const typed = { 'shop.name': '', 'iotpay.test.v1_base': ' http://127.0.0.1:9/v1 ', 'shop.currency': 'CAD' };
    expect(changedValues(['shop.name', 'iotpay.test.v1_base', 'shop.currency'], typed, stored)).toEqual({
      'shop.name': '',
      'iotpay.test.v1_base': 'http://127.0.0.1:9/v1',
    });
  });

  it('describes a connection check in one line', () => {
    const base = { gateway: 'iotpay', environment: 'test', elapsedMs: 42 };
    expect(connectionText({ ...base, outcome: 'ok', message: 'query_order: 0112' })).toBe(
      'Connected: the gateway accepted this account (42 ms)',
    );
    expect(connectionText({ ...base, outcome: 'credentials_rejected', message: 'sign error' })).toBe(
      'The gateway answered but refused this account: sign error',
    );
    expect(connectionText({ ...base, outcome: 'unreachable', message: 'connection failed' })).toBe(
      'Could not reach the gateway: connection failed',
    );
  });
});

describe('advanced and shop values', () => {
  it('takes waits of 1 to 600000 milliseconds', () => {
    expect(timeoutProblem('http.timeout_ms', '')).toBeNull();
    expect(timeoutProblem('http.timeout_ms', '30000')).toBeNull();
    expect(timeoutProblem('http.timeout_ms', '0')).toContain('from 1 to 600000');
    expect(timeoutProblem('http.timeout_ms', '600001')).toContain('from 1 to 600000');
    expect(timeoutProblem('http.timeout_ms', '2s')).toContain('not "2s"');
    expect(settingProblem('smepay.test.timeout_ms', 'x')).toContain('milliseconds');
    expect(settingProblem('http.timeout_ms', '5000')).toBeNull();
  });

  it("reads the shop's methods", () => {
    expect(parseShopMethods('wechat-qr, barcode,,upi')).toEqual(['wechat-qr', 'barcode', 'upi']);
    expect(parseShopMethods('')).toEqual([]);
    expect(parseShopMethods(null)).toEqual([]);
  });

  it('asks for the current PIN and the new one twice', () => {
    const change = { pinSet: true, current: '2468', next: '1357', repeat: '1357' };
    expect(pinChangeProblem(change)).toBeNull();
    expect(pinChangeProblem({ ...change, current: '' })?.field).toBe('current');
    expect(pinChangeProblem({ ...change, pinSet: false, current: '' })).toBeNull();
    expect(pinChangeProblem({ ...change, next: '12' })?.message).toBe('The new PIN is 4 to 8 digits');
    expect(pinChangeProblem({ ...change, repeat: '' })?.field).toBe('repeat');
    expect(pinChangeProblem({ ...change, repeat: '1358' })).toEqual({
      field: 'repeat',
      message: 'The two new PINs are not the same: type them again',
    });
  });
});

describe('backupWords', () => {
  const status = { folder: '/mnt/usb', last: '/mnt/usb/ledger-2026-12-05.db', lastAt: '2026-12-05T10:00:00Z', stale: true, message: 'The last backup is more than a day old' };
  it('is the core’s sentence in English', () => {
    expect(backupWords(status, 'en')).toBe('The last backup is more than a day old');
  });
  it('says the same from the fields in another language', () => {
    expect(backupWords(status, 'fr-CA')).toMatch(/^La dernière sauvegarde date de plus d’un jour \(.*2026.*\) : \/mnt\/usb\/ledger-2026-12-05\.db\.$/);
    expect(backupWords({ ...status, last: null, lastAt: null }, 'zh-CN')).toBe('/mnt/usb 中尚无备份。');
    expect(backupWords({ ...status, folder: null, last: null, lastAt: null }, 'hi')).toBe('अभी कोई बैकअप नहीं, और कोई बैकअप फ़ोल्डर नहीं चुना गया।');
  });
});
