/**
 * Numbers, amounts, dates and times as the chosen language writes them (Intl), for reading
 * only: what the core stores, takes and exports stays locale-neutral (minor units, "12.50",
 * ISO dates). fr-CA writes 1 234,50 $, Hindi groups by lakh: ₹1,23,456.00.
 */
import { currencyDecimals } from '../currency';
import { language } from './language.svelte';
import type { Language } from './catalogues';

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(lang: Language, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${lang}|${JSON.stringify(options)}`;
  let found = cache.get(key);
  if (!found) {
    found = new Intl.NumberFormat(lang, options);
    cache.set(key, found);
  }
  return found;
}

/**
 * Minor units as an amount with its currency's sign, in `lang` (default: the window's):
 * 123450 CAD -> "$1,234.50" (en), "1 234,50 $" (fr-CA); 123456 JPY -> "¥123,456". The digits
 * come from the integer, never through a float sum: minor / 10^decimals is exact enough for
 * display of any amount the ledger holds (< 2^53).
 */
export function formatAmount(minor: number, currency: string, lang: Language = language.window): string {
  const decimals = currencyDecimals(currency);
  const value = minor / 10 ** decimals;
  try {
    return numberFormat(lang, {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    }).format(value);
  } catch {
    // A code Intl does not know: the number and the code, never nothing.
    return `${formatDecimal(minor, decimals, lang)} ${currency}`;
  }
}

/** Minor units as a plain number with the currency's decimals, in `lang`: 123450, 2 -> "1,234.50". */
export function formatDecimal(minor: number, decimals: number, lang: Language = language.window): string {
  return numberFormat(lang, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(
    minor / 10 ** decimals,
  );
}

/** A count, grouped as `lang` groups: 100000 -> "100,000" (en), "1,00,000" (hi). */
export function formatCount(n: number, lang: Language = language.window): string {
  return numberFormat(lang, { maximumFractionDigits: 0 }).format(n);
}

/** A percentage given in whole percent: 15 -> "15%" (en), "15 %" (fr-CA). */
export function formatPercent(percent: number, lang: Language = language.window): string {
  return numberFormat(lang, { style: 'percent', maximumFractionDigits: 2 }).format(percent / 100);
}
