import { describe, expect, it } from 'vitest';
import { amountInWords, CURRENCY_WORDS, numberInWords } from './words';
import { CURRENCY_CODES } from './currency';

describe('numberInWords', () => {
  it('reads whole numbers as a person says them', () => {
    expect(numberInWords(0)).toBe('zero');
    expect(numberInWords(7)).toBe('seven');
    expect(numberInWords(13)).toBe('thirteen');
    expect(numberInWords(20)).toBe('twenty');
    expect(numberInWords(45)).toBe('forty-five');
    expect(numberInWords(100)).toBe('one hundred');
    expect(numberInWords(101)).toBe('one hundred one');
    expect(numberInWords(999)).toBe('nine hundred ninety-nine');
    expect(numberInWords(1000)).toBe('one thousand');
    expect(numberInWords(1234)).toBe('one thousand two hundred thirty-four');
    expect(numberInWords(10_000_000)).toBe('ten million');
    expect(numberInWords(999_999_999)).toBe(
      'nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine',
    );
    expect(numberInWords(2_000_000_001)).toBe('two billion one');
    expect(numberInWords(-3)).toBe('minus three');
  });

  it('refuses what is not a whole number', () => {
    expect(() => numberInWords(1.5)).toThrow(RangeError);
    expect(() => numberInWords(Number.NaN)).toThrow(RangeError);
  });
});

describe('amountInWords', () => {
  it('reads dollars and cents', () => {
    expect(amountInWords(750, 'CAD')).toBe('seven dollars and fifty cents');
    expect(amountInWords(1250, 'CAD')).toBe('twelve dollars and fifty cents');
    expect(amountInWords(7500, 'CAD')).toBe('seventy-five dollars');
    expect(amountInWords(100, 'USD')).toBe('one dollar');
    expect(amountInWords(101, 'USD')).toBe('one dollar and one cent');
    expect(amountInWords(5, 'cad')).toBe('five cents');
    expect(amountInWords(0, 'CAD')).toBe('zero dollars');
    expect(amountInWords(123456, 'AUD')).toBe('one thousand two hundred thirty-four dollars and fifty-six cents');
  });

  it('tells 7.50 from 75.00 and 0.75', () => {
    const said = new Set([amountInWords(750, 'CAD'), amountInWords(7500, 'CAD'), amountInWords(75, 'CAD')]);
    expect(said.size).toBe(3);
  });

  it('names each currency', () => {
    expect(amountInWords(250, 'EUR')).toBe('two euros and fifty cents');
    expect(amountInWords(101, 'GBP')).toBe('one pound and one penny');
    expect(amountInWords(205, 'GBP')).toBe('two pounds and five pence');
    expect(amountInWords(10050, 'INR')).toBe('one hundred rupees and fifty paise');
    expect(amountInWords(101, 'INR')).toBe('one rupee and one paisa');
    expect(amountInWords(880, 'CNY')).toBe('eight yuan and eighty fen');
    expect(amountInWords(1999, 'CHF')).toBe('nineteen francs and ninety-nine centimes');
    expect(amountInWords(300, 'PLN')).toBe('three zlotys');
    expect(amountInWords(150, 'RUB')).toBe('one rouble and fifty kopeks');
    expect(amountInWords(200, 'UAH')).toBe('two hryvnias');
  });

  it('reads zero-decimal currencies as whole units', () => {
    expect(amountInWords(1500, 'JPY')).toBe('one thousand five hundred yen');
    expect(amountInWords(1, 'JPY')).toBe('one yen');
    expect(amountInWords(50000, 'KRW')).toBe('fifty thousand won');
  });

  it('reads three-decimal currencies in thousandths', () => {
    expect(amountInWords(1250, 'KWD')).toBe('one dinar and two hundred fifty fils');
    expect(amountInWords(5, 'BHD')).toBe('five fils');
    expect(amountInWords(2000, 'BHD')).toBe('two dinars');
  });

  it('has words for every currency the core knows', () => {
    for (const code of CURRENCY_CODES) {
      expect(CURRENCY_WORDS[code], code).toBeDefined();
      expect(amountInWords(123, code)).not.toContain(code);
    }
  });

  it('reads an unknown currency as its number and code', () => {
    expect(amountInWords(750, 'XYZ')).toBe('seven point five zero XYZ');
  });

  it('says minus for a negative amount', () => {
    expect(amountInWords(-750, 'CAD')).toBe('minus seven dollars and fifty cents');
  });
});
