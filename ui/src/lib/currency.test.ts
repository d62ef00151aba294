import { describe, expect, it } from 'vitest';
import { CURRENCY_CODES, currencyDecimals } from './currency';

describe('the currencies the core knows', () => {
  it('lists the core’s codes, ISO 4217, each once', () => {
    expect(CURRENCY_CODES).toContain('CAD');
    expect(CURRENCY_CODES).toContain('INR');
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    for (const code of CURRENCY_CODES) expect(code).toMatch(/^[A-Z]{3}$/);
  });

  it('knows zero-, two- and three-decimal currencies', () => {
    expect(currencyDecimals('JPY')).toBe(0);
    expect(currencyDecimals('KRW')).toBe(0);
    expect(currencyDecimals('KWD')).toBe(3);
    expect(currencyDecimals('BHD')).toBe(3);
    expect(currencyDecimals('CAD')).toBe(2);
    expect(currencyDecimals('USD')).toBe(2);
  });

  it('is case-insensitive and gives a code the core does not know 2', () => {
    expect(currencyDecimals('jpy')).toBe(0);
    expect(currencyDecimals(' kwd ')).toBe(3);
    expect(currencyDecimals('XYZ')).toBe(2);
    expect(currencyDecimals('')).toBe(2);
  });
});
