import { describe, expect, it } from 'vitest';
import { applyKey, MAX_AMOUNT_LENGTH, type KeypadKey } from './keypad';

/** Presses keys in order, starting from `start`. */
function press(keys: KeypadKey[], decimals: number, start = ''): string {
  return keys.reduce((value, key) => applyKey(value, key, decimals), start);
}

describe('applyKey', () => {
  it('appends digits', () => {
    expect(press(['1', '2', '5', '0'], 2)).toBe('1250');
  });

  it('types a decimal amount for a 2-decimal currency', () => {
    expect(press(['1', '2', '.', '5', '0'], 2)).toBe('12.50');
  });

  it('refuses more decimals than the currency allows', () => {
    expect(press(['1', '.', '2', '3', '4'], 2)).toBe('1.23');
    expect(press(['1', '.', '2', '3', '4', '5'], 3)).toBe('1.234');
  });

  it('refuses the decimal point for zero-decimal currencies', () => {
    expect(press(['5', '.', '0', '0'], 0)).toBe('500');
    expect(applyKey('', '.', 0)).toBe('');
  });

  it('refuses a second decimal point', () => {
    expect(press(['1', '.', '5', '.'], 2)).toBe('1.5');
    expect(applyKey('1.', '.', 2)).toBe('1.');
  });

  it('starts a bare decimal point as "0."', () => {
    expect(applyKey('', '.', 2)).toBe('0.');
    expect(press(['.', '9', '9'], 2)).toBe('0.99');
  });

  it('never produces leading zeros', () => {
    expect(press(['0', '0', '7'], 2)).toBe('7');
    expect(press(['0', '0'], 2)).toBe('0');
    expect(applyKey('0', '5', 2)).toBe('5');
    expect(press(['0', '.', '0', '5'], 2)).toBe('0.05');
  });

  it('appends "00" as two zeros, keeping what fits', () => {
    expect(applyKey('12', '00', 2)).toBe('1200');
    expect(applyKey('12.', '00', 2)).toBe('12.00');
    expect(applyKey('12.5', '00', 2)).toBe('12.50');
    expect(applyKey('12.50', '00', 2)).toBe('12.50');
    expect(applyKey('', '00', 2)).toBe('0');
    expect(applyKey('0', '00', 2)).toBe('0');
  });

  it('caps the length at MAX_AMOUNT_LENGTH characters', () => {
    const max = '9'.repeat(MAX_AMOUNT_LENGTH);
    expect(press(Array<KeypadKey>(20).fill('9'), 2)).toBe(max);
    expect(applyKey(max, '.', 2)).toBe(max);
    expect(applyKey('9'.repeat(MAX_AMOUNT_LENGTH - 1), '00', 2)).toBe(`${'9'.repeat(MAX_AMOUNT_LENGTH - 1)}0`);
    expect(applyKey('9'.repeat(MAX_AMOUNT_LENGTH - 1), '.', 2)).toBe(`${'9'.repeat(MAX_AMOUNT_LENGTH - 1)}.`);
  });

  it('backspace removes the last character and is a no-op when empty', () => {
    expect(applyKey('12.5', 'backspace', 2)).toBe('12.');
    expect(applyKey('12.', 'backspace', 2)).toBe('12');
    expect(applyKey('1', 'backspace', 2)).toBe('');
    expect(applyKey('', 'backspace', 2)).toBe('');
  });

  it('allows decimals again after backspacing over them', () => {
    expect(press(['1', '.', '2', '3', 'backspace', '9'], 2)).toBe('1.29');
  });

  it('clear empties the amount', () => {
    expect(applyKey('123.45', 'clear', 2)).toBe('');
    expect(applyKey('', 'clear', 2)).toBe('');
  });
});
