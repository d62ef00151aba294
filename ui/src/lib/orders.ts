import type { OrderView } from './api';

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

/** Local date and time for an RFC 3339 timestamp; the input verbatim if unparseable. */
export function formatLocalTime(iso: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
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

/**
 * Local date and time for a list row: "2026-11-21 17:10", compact and the same in every
 * locale (the detail shows the full local form); the input verbatim if unparseable.
 */
export function formatListTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
