/**
 * How the Orders header and Reports show the core's `TotalsView`: takings (paid minus refunds)
 * per currency as the headline, and beside it the counts of the orders that brought no money
 * (waiting, failed, cancelled, expired), never summed in. The core adds everything up; this
 * only orders, trims to fit one line, and words it in the window's language.
 */
import type { CurrencyTakings, TotalsView } from './api';
import { currencyDecimals } from './currency';
import { formatDecimal, t, type MessageKey } from './i18n';
import { moneyText } from './money';

/** How many currencies the header shows before "+N more" (nine would not fit 1024 px). */
export const HEADLINE_CURRENCIES = 3;

/**
 * The currencies in the order they are shown: the shop's own first, then the most orders that
 * took money, then what is waiting, then by code (stable from one refresh to the next).
 */
export function rankCurrencies(byCurrency: readonly CurrencyTakings[], shopCurrency = ''): CurrencyTakings[] {
  return [...byCurrency].sort(
    (a, b) =>
      Number(b.currency === shopCurrency) - Number(a.currency === shopCurrency) ||
      b.paidCount - a.paidCount ||
      b.waitingCount - a.waitingCount ||
      a.currency.localeCompare(b.currency),
  );
}

export interface HeadlineSplit {
  shown: CurrencyTakings[];
  /** Behind "+N more" (listed in its popover). */
  more: CurrencyTakings[];
}

/** The first `max` currencies (ranked) and the rest, behind "+N more". */
export function splitHeadline(
  byCurrency: readonly CurrencyTakings[],
  shopCurrency = '',
  max = HEADLINE_CURRENCIES,
): HeadlineSplit {
  const ranked = rankCurrencies(byCurrency, shopCurrency);
  if (ranked.length <= max) return { shown: ranked, more: [] };
  return { shown: ranked.slice(0, max), more: ranked.slice(max) };
}

/** What the line's pieces take, in CSS pixels (the header's font: 1.15rem bold figures). */
export interface LineMetrics {
  /** A character of a headline figure ("14,845.20 CAD"). */
  charPx: number;
  /** The gap after each figure. */
  gapPx: number;
  /** The "+N more" button. */
  morePx: number;
}

export const HEADER_METRICS: LineMetrics = { charPx: 12, gapPx: 15, morePx: 92 };

/**
 * How many currencies fit `availablePx` beside the counts: as many as fit whole, with room
 * for "+N more" when some are left out; at least one (the shop's own).
 */
export function headlineCapacity(
  byCurrency: readonly CurrencyTakings[],
  shopCurrency: string,
  availablePx: number,
  metrics: LineMetrics = HEADER_METRICS,
): number {
  const ranked = rankCurrencies(byCurrency, shopCurrency);
  const widths = ranked.map((t) => takingsText(t).length * metrics.charPx + metrics.gapPx);
  for (let k = ranked.length; k > 1; k--) {
    const used = widths.slice(0, k).reduce((a, b) => a + b, 0) + (k < ranked.length ? metrics.morePx : 0);
    if (used <= availablePx) return k;
  }
  return 1;
}

export type OutcomeKey = 'paid' | 'waiting' | 'failed' | 'cancelled' | 'expired';

const OUTCOME_WORDS: Record<OutcomeKey, MessageKey> = {
  paid: 'totals.outcome.paid',
  waiting: 'totals.outcome.waiting',
  failed: 'totals.outcome.failed',
  cancelled: 'totals.outcome.cancelled',
  expired: 'totals.outcome.expired',
};

export interface OutcomeCount {
  key: OutcomeKey;
  count: number;
  /** "1 waiting", "3 failed". */
  text: string;
}

/** Orders that took money, over every currency. */
export function paidCount(totals: TotalsView): number {
  return totals.byCurrency.reduce((sum, t) => sum + t.paidCount, 0);
}

/**
 * The counts beside the takings, in the order a shop cares: paid, then what waits, failed,
 * cancelled and expired. Zeros are left out except paid (a day with nothing taken says so).
 */
export function outcomeCounts(totals: TotalsView): OutcomeCount[] {
  const all: [OutcomeKey, number][] = [
    ['paid', paidCount(totals)],
    ['waiting', totals.waiting],
    ['failed', totals.failed],
    ['cancelled', totals.cancelled],
    ['expired', totals.expired],
  ];
  return all
    .filter(([key, count]) => key === 'paid' || count > 0)
    .map(([key, count]) => ({ key, count, text: t(OUTCOME_WORDS[key], { count }) }));
}

/** "12.50 CAD", the headline of one currency. */
export function takingsText(takings: CurrencyTakings): string {
  return moneyText(takings.takingsMinor, takings.currency);
}

/** The items of a list in the window's language: "a, b, c" (Chinese: "a，b，c"). */
function listed(items: readonly string[]): string {
  return items.join(t('common.list_separator'));
}

/**
 * The tooltip of one currency's headline: what it is made of, e.g.
 * "3 paid: 40.00 CAD taken, 5.00 refunded · 1 waiting: 12.50 (not counted)".
 */
export function takingsDetail(takings: CurrencyTakings): string {
  const decimals = currencyDecimals(takings.currency);
  const taken = moneyText(takings.takenMinor, takings.currency);
  const parts = [
    takings.refundedMinor > 0
      ? t('totals.detail.taken_refunded', {
          count: takings.paidCount,
          taken,
          refunded: formatDecimal(takings.refundedMinor, decimals),
        })
      : t('totals.detail.taken', { count: takings.paidCount, taken }),
  ];
  if (takings.waitingCount > 0) {
    parts.push(
      t('totals.detail.waiting', { count: takings.waitingCount, amount: formatDecimal(takings.waitingMinor, decimals) }),
    );
  }
  return parts.join(' · ');
}

/**
 * What one currency's total carries besides its text, in the headline or behind "+N more": its
 * figures for tests and scripts, its make-up as a tooltip.
 */
export function totalAttributes(t: CurrencyTakings): Record<string, string | number> {
  return {
    'data-testid': `total-${t.currency}`,
    'data-currency': t.currency,
    'data-paid-count': t.paidCount,
    'data-takings-minor': t.takingsMinor,
    'data-refunded-minor': t.refundedMinor,
    'data-waiting-minor': t.waitingMinor,
    title: takingsDetail(t),
  };
}

/** The header's line read out in one sentence (its accessible name and the "+N more" list). */
export function totalsSentence(totals: TotalsView, shopCurrency = ''): string {
  const takings = rankCurrencies(totals.byCurrency, shopCurrency).map(takingsText);
  const counts = listed(outcomeCounts(totals).map((c) => c.text));
  return takings.length > 0
    ? t('totals.sentence', { takings: listed(takings), counts, count: totals.count })
    : t('totals.sentence_no_takings', { counts, count: totals.count });
}
