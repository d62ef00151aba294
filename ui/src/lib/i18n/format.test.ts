import { describe, expect, it } from 'vitest';
import { formatAmount, formatCount, formatDecimal, formatPercent } from './format';

// Intl separates groups in French with a no-break space (U+00A0) and the sign with another:
// spelled out so the test says which space is meant.
const NBSP = '\u00a0';

describe('amounts in each language', () => {
  it('English: the sign first, comma groups, point decimals', () => {
    expect(formatAmount(123450, 'CAD', 'en')).toBe('$1,234.50');
    expect(formatAmount(123456789, 'INR', 'en')).toBe('₹1,234,567.89');
  });

  it('French (Canada): space groups, comma decimals, the sign after', () => {
    expect(formatAmount(123450, 'CAD', 'fr-CA')).toBe(`1${NBSP}234,50${NBSP}$`);
    expect(formatAmount(5, 'EUR', 'fr-CA')).toBe(`0,05${NBSP}€`);
  });

  it('Hindi: grouped by lakh and crore', () => {
    expect(formatAmount(123450, 'INR', 'hi')).toBe('₹1,234.50');
    expect(formatAmount(12345600, 'INR', 'hi')).toBe('₹1,23,456.00');
    expect(formatCount(10000000, 'hi')).toBe('1,00,00,000');
  });

  it('Simplified Chinese', () => {
    expect(formatAmount(123450, 'CNY', 'zh-CN')).toBe('¥1,234.50');
  });

  it('a zero-decimal currency keeps no decimals in any language', () => {
    expect(formatAmount(1234, 'JPY', 'en')).toBe('¥1,234');
    expect(formatAmount(1234, 'JPY', 'fr-CA')).toBe(`1${NBSP}234${NBSP}¥`);
  });

  it('negative amounts (refunds) keep their sign', () => {
    expect(formatAmount(-750, 'CAD', 'en')).toBe('-$7.50');
  });

  it('plain decimals and percentages', () => {
    expect(formatDecimal(123450, 2, 'fr-CA')).toBe(`1${NBSP}234,50`);
    expect(formatPercent(15, 'en')).toBe('15%');
    expect(formatPercent(15, 'fr-CA')).toBe(`15${NBSP}%`);
  });
});
