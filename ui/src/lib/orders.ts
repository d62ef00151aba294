import type { OrderView } from './api';
import { DEFAULT_LANGUAGE, isMessageKey, tIn, language, type Language } from './i18n';
import { moneyText } from './money';

/**
 * Picks the fresher of two snapshots of the same order by `updatedAt`, so an older
 * get_order answer never overwrites a newer 'order-updated' event. Ties go to `incoming`.
 */
export function fresher(current: OrderView | null, incoming: OrderView): OrderView {
  if (!current || current.id !== incoming.id) return incoming;
  const a = Date.parse(current.updatedAt);
  const b = Date.parse(incoming.updatedAt);
  if (Number.isNaN(a) || Number.isNaN(b)) return incoming;
  return b >= a ? incoming : current;
}

/** Stable key for a payment method: one gateway may offer several methods. */
export function methodKey(m: { gateway: string; method: string }): string {
  return `${m.gateway}/${m.method}`;
}

/**
 * The currency to use after choosing a method: keep `current` if the method takes it,
 * else the app's default if the method takes that, else the method's first currency.
 * A method that lists no currencies leaves the choice to the core (`current`).
 */
export function chooseCurrency(currencies: readonly string[], current: string, fallback: string): string {
  if (currencies.length === 0) return current || fallback;
  if (currencies.includes(current)) return current;
  if (currencies.includes(fallback)) return fallback;
  return currencies[0];
}

/** An order's amount as everywhere shown, in the window's language: "12.50 CAD" (« 12,50 $ »). */
export function orderAmount(order: Pick<OrderView, 'amountMinor' | 'currency'>): string {
  return moneyText(order.amountMinor, order.currency);
}

/**
 * An amount the core sent only as its text ("12.50", as it parses it back) with its currency,
 * placed as the window's language places a currency: for answers that carry no minor units.
 */
export function displayedAmount(display: string, currency: string): string {
  return tIn(language.window, 'common.money', { amount: display, currency });
}

/**
 * What to do about a payment that came late, in words: the core's note in English, the
 * catalogue's message for its key in another language.
 */
export function lateNote(payment: { note: string; noteKey: string }, lang: Language = language.window): string {
  if (lang === DEFAULT_LANGUAGE || !isMessageKey(payment.noteKey)) return payment.note;
  return tIn(lang, payment.noteKey);
}
