/** Pure editing rules for the on-screen amount keypad. */

export type KeypadKey =
  | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9'
  | '00'
  | '.'
  | 'backspace'
  | 'clear';

/** Longest amount string the keypad will produce. */
export const MAX_AMOUNT_LENGTH = 12;

function isDigit(key: string): boolean {
  return key.length === 1 && key >= '0' && key <= '9';
}

function appendDigit(value: string, digit: string, decimals: number): string {
  const dot = value.indexOf('.');
  if (dot >= 0) {
    if (value.length - dot - 1 >= decimals) return value;
  } else if (value === '0') {
    // No leading zeros: "0" followed by a digit becomes that digit.
    return digit;
  }
  if (value.length >= MAX_AMOUNT_LENGTH) return value;
  return value + digit;
}

function appendDot(value: string, decimals: number): string {
  if (decimals === 0 || value.includes('.')) return value;
  const next = value === '' ? '0.' : `${value}.`;
  return next.length > MAX_AMOUNT_LENGTH ? value : next;
}

/**
 * Applies one keypad key to an amount string for a currency with `decimals` minor digits.
 * Keys that would make the amount invalid (a second '.', too many decimals, a leading
 * zero, more than MAX_AMOUNT_LENGTH characters) leave it unchanged.
 */
export function applyKey(value: string, key: KeypadKey, decimals: number): string {
  if (isDigit(key)) return appendDigit(value, key, decimals);
  switch (key) {
    case '00':
      return appendDigit(appendDigit(value, '0', decimals), '0', decimals);
    case '.':
      return appendDot(value, decimals);
    case 'backspace':
      return value.slice(0, -1);
    case 'clear':
      return '';
    default:
      return value;
  }
}
