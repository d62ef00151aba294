/**
 * Amounts in English words, for the line an owner confirms before money goes back:
 * "Refund 7.50 CAD — seven dollars and fifty cents — to the customer?". Written out so that a
 * misplaced decimal point (75.00 for 7.50) is heard, not only seen.
 */
import { currencyDecimals } from './currency';

interface Unit {
  one: string;
  many: string;
}

interface CurrencyWords {
  major: Unit;
  /** Absent for currencies without a minor unit (JPY, KRW). */
  minor?: Unit;
}

const u = (one: string, many = one): Unit => ({ one, many });
const DOLLAR: CurrencyWords = { major: u('dollar', 'dollars'), minor: u('cent', 'cents') };
const DINAR: CurrencyWords = { major: u('dinar', 'dinars'), minor: u('fils') };

/** The names of every currency the core knows (money.rs), singular and plural. */
export const CURRENCY_WORDS: Readonly<Record<string, CurrencyWords>> = {
  CAD: DOLLAR,
  USD: DOLLAR,
  AUD: DOLLAR,
  HKD: DOLLAR,
  SGD: DOLLAR,
  CNY: { major: u('yuan'), minor: u('fen') },
  INR: { major: u('rupee', 'rupees'), minor: u('paisa', 'paise') },
  EUR: { major: u('euro', 'euros'), minor: u('cent', 'cents') },
  GBP: { major: u('pound', 'pounds'), minor: u('penny', 'pence') },
  CHF: { major: u('franc', 'francs'), minor: u('centime', 'centimes') },
  PLN: { major: u('zloty', 'zlotys'), minor: u('grosz', 'groszy') },
  RUB: { major: u('rouble', 'roubles'), minor: u('kopek', 'kopeks') },
  UAH: { major: u('hryvnia', 'hryvnias'), minor: u('kopiyka', 'kopiykas') },
  JPY: { major: u('yen') },
  KRW: { major: u('won') },
  KWD: DINAR,
  BHD: DINAR,
};

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [number, string][] = [
  [1_000_000_000_000, 'trillion'],
  [1_000_000_000, 'billion'],
  [1_000_000, 'million'],
  [1_000, 'thousand'],
];

function belowThousand(n: number): string {
  const parts: string[] = [];
  if (n >= 100) {
    parts.push(`${ONES[Math.floor(n / 100)]} hundred`);
    n %= 100;
  }
  if (n >= 20) {
    const tens = TENS[Math.floor(n / 10)];
    parts.push(n % 10 === 0 ? tens : `${tens}-${ONES[n % 10]}`);
  } else if (n > 0) {
    parts.push(ONES[n]);
  }
  return parts.join(' ');
}

/** A whole number in words: 1234 -> "one thousand two hundred thirty-four". */
export function numberInWords(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${n} is not a whole number`);
  if (n < 0) return `minus ${numberInWords(-n)}`;
  if (n === 0) return ONES[0];
  const parts: string[] = [];
  let rest = n;
  for (const [size, name] of SCALES) {
    if (rest >= size) {
      parts.push(`${numberInWords(Math.floor(rest / size))} ${name}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(belowThousand(rest));
  return parts.join(' ');
}

function counted(n: number, unit: Unit): string {
  return `${numberInWords(n)} ${n === 1 ? unit.one : unit.many}`;
}

/**
 * `minor` units of `currency` in words: (750, CAD) -> "seven dollars and fifty cents",
 * (1500, JPY) -> "one thousand five hundred yen", (1250, KWD) -> "one dinar and two hundred
 * fifty fils". A currency without names here is read as its number and code:
 * "seven point five zero XYZ".
 */
export function amountInWords(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${minor} is not a whole number of minor units`);
  const code = currency.trim().toUpperCase();
  if (minor < 0) return `minus ${amountInWords(-minor, code)}`;
  const decimals = currencyDecimals(code);
  const scale = 10 ** decimals;
  const major = Math.floor(minor / scale);
  const cents = minor % scale;
  const words = CURRENCY_WORDS[code];
  if (!words) {
    const fraction = decimals === 0 ? '' : String(cents).padStart(decimals, '0');
    const spoken = [...fraction].map((d) => ONES[Number(d)]).join(' ');
    return `${numberInWords(major)}${spoken ? ` point ${spoken}` : ''} ${code}`;
  }
  if (!words.minor || decimals === 0) return counted(major, words.major);
  if (major === 0 && cents > 0) return counted(cents, words.minor);
  if (cents === 0) return counted(major, words.major);
  return `${counted(major, words.major)} and ${counted(cents, words.minor)}`;
}
