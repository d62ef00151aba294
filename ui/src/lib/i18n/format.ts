/**
 * Numbers as the chosen language writes them (Intl), for reading only: what the core stores,
 * takes and exports stays locale-neutral (minor units, "12.50", ISO dates). fr-CA writes
 * 1 234,50, Hindi groups by lakh: 1,23,456.00. An amount with its currency is money.ts's
 * `moneyText` (these digits, the sign placed by the catalogue).
 */
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
