import { describe, expect, it } from 'vitest';
import { formatCount, formatDecimal } from './i18n';
import { moneyText } from './money';

// Intl separates groups in French with a no-break space (U+00A0) and the sign with another:
// spelled out so the test says which space is meant.
const NBSP = '\u00a0';

describe('amounts in each language', () => {
  it('English: the code after, comma groups, point decimals (as the owner reads every currency)', () => {
    expect(moneyText(123450, 'CAD', 'en')).toBe('1,234.50 CAD');
    expect(moneyText(12345600, 'INR', 'en')).toBe('123,456.00 INR');
  });

  it('French (Canada): space groups, comma decimals, $ after the Canadian dollar', () => {
    expect(moneyText(123450, 'CAD', 'fr-CA')).toBe(`1${NBSP}234,50 $`);
    expect(moneyText(5, 'EUR', 'fr-CA')).toBe('0,05 EUR');
  });

  it('Hindi: ₹ before rupees, grouped by lakh and crore', () => {
    expect(moneyText(123450, 'INR', 'hi')).toBe('₹1,234.50');
    expect(moneyText(12345600, 'INR', 'hi')).toBe('₹1,23,456.00');
    expect(formatCount(10000000, 'hi')).toBe('1,00,00,000');
  });

  it('Simplified Chinese: ¥ before yuan', () => {
    expect(moneyText(123450, 'CNY', 'zh-CN')).toBe('¥1,234.50');
  });

  it('a zero-decimal currency keeps no decimals in any language', () => {
    expect(moneyText(1234, 'JPY', 'en')).toBe('1,234 JPY');
    expect(moneyText(1234, 'JPY', 'fr-CA')).toBe(`1${NBSP}234 JPY`);
  });

  it('refunds keep their sign, and nothing given back is 0, never -0', () => {
    expect(moneyText(-750, 'CAD', 'en')).toBe('-7.50 CAD');
    expect(moneyText(-0, 'CAD', 'en')).toBe('0.00 CAD');
  });

  it('plain decimals', () => {
    expect(formatDecimal(123450, 2, 'fr-CA')).toBe(`1${NBSP}234,50`);
    expect(formatDecimal(123450, 2, 'hi')).toBe('1,234.50');
  });
});
