/**
 * An amount beside its currency as the window's language writes it, for lists, totals, reports
 * and questions: "1,234.50 CAD" in English (the form the end-to-end tests and the READMEs
 * quote, and unambiguous in a shop taking several currencies), « 1 234,50 $ » in French for the
 * Canadian dollar (other currencies keep their code), ¥ before yuan in Chinese, ₹ before rupees in
 * Hindi. The number is grouped and pointed by Intl (formatDecimal); where the sign goes is the
 * catalogue's `common.money`. What is sent to the core or exported stays owner.ts's `formatMinor`.
 */
import { currencyDecimals } from './currency';
import { formatDecimal, language, tIn, type Language } from './i18n';

/** Minor units with their currency, in `lang` (default: the window's): 123450 CAD -> "1,234.50 CAD". */
export function moneyText(minor: number, currency: string, lang: Language = language.window): string {
  // `|| 0`: nothing given back (-0, from a negated zero) reads as 0.00, never as -0.00.
  return tIn(lang, 'common.money', { amount: formatDecimal(minor || 0, currencyDecimals(currency), lang), currency });
}
