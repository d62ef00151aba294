import { describe, expect, it } from 'vitest';
import type { CurrencyTakings, TotalsView } from './api';
import {
  headlineCapacity,
  outcomeCounts,
  paidCount,
  rankCurrencies,
  splitHeadline,
  takingsDetail,
  takingsText,
  totalAttributes,
  totalsSentence,
} from './totals';
import { setWindowLanguage } from './i18n';

const cur = (currency: string, paidCount: number, takingsMinor = paidCount * 100, waitingCount = 0): CurrencyTakings => ({
  currency,
  paidCount,
  takenMinor: takingsMinor,
  takenDisplay: (takingsMinor / 100).toFixed(2),
  refundedMinor: 0,
  refundedDisplay: '0.00',
  takingsMinor,
  takingsDisplay: (takingsMinor / 100).toFixed(2),
  waitingCount,
  waitingMinor: waitingCount * 1250,
  waitingDisplay: (waitingCount * 12.5).toFixed(2),
  tipsMinor: 0,
  tipsDisplay: '0.00',
  salesMinor: takingsMinor,
  salesDisplay: (takingsMinor / 100).toFixed(2),
});

// One paid 20.00, one waiting 12.50, one failed: as the core's order_totals answers.
const day: TotalsView = {
  count: 3,
  waiting: 1,
  failed: 1,
  cancelled: 0,
  expired: 0,
  byCurrency: [{ ...cur('CAD', 1, 2000, 1) }],
};

describe('the counts beside the takings', () => {
  it('says paid, then each class that has orders, never summed into money', () => {
    expect(outcomeCounts(day).map((c) => c.text)).toEqual(['1 paid', '1 waiting', '1 failed']);
    expect(paidCount(day)).toBe(1);
  });

  it('says 0 paid on a day with nothing taken, and leaves other zeros out', () => {
    const none: TotalsView = { count: 2, waiting: 0, failed: 0, cancelled: 1, expired: 1, byCurrency: [] };
    expect(outcomeCounts(none).map((c) => c.text)).toEqual(['0 paid', '1 cancelled', '1 expired']);
  });

  it('groups thousands', () => {
    const big: TotalsView = { ...day, failed: 12345 };
    expect(outcomeCounts(big).find((c) => c.key === 'failed')?.text).toBe('12,345 failed');
  });
});

describe('the headline per currency', () => {
  it('is the takings, with what made it up in the tooltip', () => {
    const cad = { ...cur('CAD', 3, 3500, 1), takenMinor: 4000, takenDisplay: '40.00', refundedMinor: 500, refundedDisplay: '5.00' };
    expect(takingsText(cad)).toBe('35.00 CAD');
    expect(takingsDetail(cad)).toBe('3 paid: 40.00 CAD taken, 5.00 refunded · 1 waiting: 12.50 (not counted)');
    // Yen have no decimals: 800 minor units are 800 JPY.
    expect(takingsDetail(cur('JPY', 1, 800))).toBe('1 paid: 800 JPY taken');
  });

  it('puts the shop’s currency first, then the most paid orders, then by code', () => {
    const list = [cur('USD', 2), cur('EUR', 5), cur('CAD', 1), cur('AUD', 2)];
    expect(rankCurrencies(list, 'CAD').map((c) => c.currency)).toEqual(['CAD', 'EUR', 'AUD', 'USD']);
    expect(rankCurrencies(list).map((c) => c.currency)).toEqual(['EUR', 'AUD', 'USD', 'CAD']);
  });

  it('fits nine currencies on one line: three, and "+6 more"', () => {
    const nine = ['CAD', 'USD', 'EUR', 'GBP', 'CNY', 'INR', 'JPY', 'AUD', 'HKD'].map((c, i) => cur(c, 9 - i));
    const split = splitHeadline(nine, 'CAD');
    expect(split.shown.map((c) => c.currency)).toEqual(['CAD', 'USD', 'EUR']);
    expect(split.more.map((c) => c.currency)).toEqual(['GBP', 'CNY', 'INR', 'JPY', 'AUD', 'HKD']);
  });

  it('shows as many whole currencies as the line has room for, with room for "+N more"', () => {
    const nine = ['CAD', 'USD', 'EUR', 'GBP', 'CNY', 'INR', 'JPY', 'AUD', 'HKD'].map((c, i) => ({
      ...cur(c, 9 - i, 1484520),
      takingsDisplay: '14,845.20',
    }));
    // "14,845.20 CAD" is 13 characters: 13 * 12 + 15 = 171 px each, "+N more" 92.
    expect(headlineCapacity(nine, 'CAD', 171 * 9)).toBe(9);
    expect(headlineCapacity(nine, 'CAD', 171 * 2 + 92)).toBe(2);
    expect(headlineCapacity(nine, 'CAD', 171 * 2 + 91)).toBe(1);
    // Always the shop's own, however narrow.
    expect(headlineCapacity(nine, 'CAD', 0)).toBe(1);
    const split = splitHeadline(nine, 'CAD', headlineCapacity(nine, 'CAD', 171 * 2 + 92));
    expect(split.shown.map((c) => c.currency)).toEqual(['CAD', 'USD']);
    expect(split.more).toHaveLength(7);
    // Four that fit are all shown, no "+N more".
    const four = nine.slice(0, 4);
    expect(headlineCapacity(four, 'CAD', 171 * 4)).toBe(4);
    expect(splitHeadline(four, 'CAD', 4).more).toEqual([]);
  });

  it('reads as one sentence', () => {
    expect(totalsSentence(day, 'CAD')).toBe('Takings 20.00 CAD; 1 paid, 1 waiting, 1 failed of 3 orders');
    expect(totalsSentence({ ...day, byCurrency: [], count: 1, waiting: 1, failed: 0 })).toBe(
      'No takings; 0 paid, 1 waiting of 1 order',
    );
  });
});

describe("one currency's total", () => {
  it('carries its figures for tests and its make-up as a tooltip', () => {
    const cad = cur('CAD', 1, 2000, 1);
    expect(totalAttributes(cad)).toEqual({
      'data-testid': 'total-CAD',
      'data-currency': 'CAD',
      'data-paid-count': 1,
      'data-takings-minor': 2000,
      'data-refunded-minor': 0,
      'data-waiting-minor': 1250,
      title: takingsDetail(cad),
    });
  });
});

describe('in the window\'s language', () => {
  it('words the counts and writes the amounts as French Canada does', () => {
    setWindowLanguage('fr-CA');
    try {
      expect(outcomeCounts({ ...day, failed: 2 }).map((c) => c.text)).toEqual(['1 payée', '1 en attente', '2 échouées']);
      expect(takingsText(cur('CAD', 1, 123450)).replace(/\s/g, ' ')).toBe('1 234,50 $');
      expect(takingsText(cur('USD', 1, 123450)).replace(/\s/g, ' ')).toBe('1 234,50 USD');
    } finally {
      setWindowLanguage('en');
    }
  });
});
