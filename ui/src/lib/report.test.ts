import { describe, expect, it } from 'vitest';
import type { CurrencyTakings, DailyReport, ReportRow } from './api';
import {
  addDays,
  chartModel,
  formatMinor,
  methodRows,
  pickCurrency,
  presetRange,
  rangeProblem,
  reportCurrencies,
  reportFigures,
  tickStep,
} from './report';

const row = (period: string, gateway: string, status: ReportRow['status'], amountMinor: number, currency = 'CAD', count = 1, refundedMinor = 0): ReportRow => ({
  period,
  gateway,
  method: 'wechat-qr',
  status,
  currency,
  count,
  amountMinor,
  refundedMinor,
  tipMinor: 0,
  tipRefundedMinor: 0,
});

const takings = (currency: string, paidCount: number, takenMinor: number, refundedMinor: number, waitingCount = 0, waitingMinor = 0): CurrencyTakings => ({
  currency,
  paidCount,
  takenMinor,
  takenDisplay: formatMinor(takenMinor, 2),
  refundedMinor,
  refundedDisplay: formatMinor(refundedMinor, 2),
  takingsMinor: takenMinor - refundedMinor,
  takingsDisplay: formatMinor(takenMinor - refundedMinor, 2),
  waitingCount,
  waitingMinor,
  waitingDisplay: formatMinor(waitingMinor, 2),
  tipsMinor: 0,
  tipsDisplay: '0.00',
  salesMinor: takenMinor - refundedMinor,
  salesDisplay: formatMinor(takenMinor - refundedMinor, 2),
});

// Paid 12.50 (WeChat) and 7.50 (Alipay) on the 20th, a failed 99.00 that day, 40.00 paid and
// 15.00 of it refunded on the 22nd, a waiting 4.10, and 100.00 INR paid: as the core answers.
const report: DailyReport = {
  from: '2026-11-20',
  to: '2026-11-22',
  tz: 'local',
  days: ['2026-11-20', '2026-11-21', '2026-11-22'],
  rows: [
    row('2026-11-20', 'iotpay', 'paid', 1250, 'CAD', 1),
    row('2026-11-20', 'smartpay', 'paid', 750, 'CAD', 1),
    row('2026-11-20', 'iotpay', 'failed', 9900, 'CAD', 1),
    row('2026-11-22', 'iotpay', 'partially_refunded', 4000, 'CAD', 1, 1500),
    row('2026-11-22', 'iotpay', 'pending', 410, 'CAD', 1),
    row('2026-11-22', 'smepay', 'paid', 10000, 'INR', 1),
    row('2026-11-21', 'iotpay', 'failed', 500, 'USD', 1),
  ],
  currencies: [
    { code: 'CAD', exponent: 2 },
    { code: 'INR', exponent: 2 },
    { code: 'USD', exponent: 2 },
  ],
  totals: {
    count: 7,
    waiting: 1,
    failed: 2,
    cancelled: 0,
    expired: 0,
    byCurrency: [takings('CAD', 3, 6000, 1500, 1, 410), takings('INR', 1, 10000, 0)],
  },
  takingsByDay: [
    { day: '2026-11-20', currency: 'CAD', takingsMinor: 2000, tipsMinor: 0 },
    { day: '2026-11-22', currency: 'CAD', takingsMinor: 2500, tipsMinor: 0 },
    { day: '2026-11-22', currency: 'INR', takingsMinor: 10000, tipsMinor: 0 },
  ],
  byMethod: [
    { gateway: 'smartpay', method: 'alipay-qr', currency: 'CAD', paidCount: 1, takingsMinor: 750, takingsDisplay: '7.50', tipsMinor: 0 },
    { gateway: 'iotpay', method: 'wechat-qr', currency: 'CAD', paidCount: 2, takingsMinor: 3750, takingsDisplay: '37.50', tipsMinor: 0 },
    { gateway: 'smepay', method: 'upi-widget', currency: 'INR', paidCount: 1, takingsMinor: 10000, takingsDisplay: '100.00', tipsMinor: 0 },
  ],
};

describe('money', () => {
  it('formats minor units per currency with integer arithmetic', () => {
    expect(formatMinor(0, 2)).toBe('0.00');
    expect(formatMinor(5, 2)).toBe('0.05');
    expect(formatMinor(123450, 2)).toBe('1,234.50');
    expect(formatMinor(123456789, 2)).toBe('1,234,567.89');
    expect(formatMinor(1500, 0)).toBe('1,500');
    expect(formatMinor(1234, 3)).toBe('1.234');
    expect(formatMinor(-1250, 2)).toBe('-12.50');
    // Past 2^31, still exact.
    expect(formatMinor(900719925474099, 2)).toBe('9,007,199,254,740.99');
  });
});

describe('days', () => {
  it('adds days across months and years', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });

  it('computes presets from today', () => {
    expect(presetRange('today', '2026-11-22')).toEqual({ from: '2026-11-22', to: '2026-11-22' });
    expect(presetRange('week', '2026-11-22')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(presetRange('month', '2026-11-22')).toEqual({ from: '2026-11-01', to: '2026-11-22' });
    expect(presetRange('last-month', '2026-03-10')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
  });

  it('refuses a range that ends before it starts', () => {
    expect(rangeProblem('2026-11-22', '2026-11-21')).toBe('The last day is before the first');
    expect(rangeProblem('', '2026-11-21')).toBe('Choose the first day');
    expect(rangeProblem('2026-11-01', '2026-11-01')).toBeNull();
  });
});

describe('table', () => {
  it('groups by how the customer paid, in one currency, most takings first', () => {
    expect(methodRows(report, 'CAD').map((m) => `${m.gateway}/${m.method} ${m.takingsMinor}`)).toEqual([
      'iotpay/wechat-qr 3750',
      'smartpay/alipay-qr 750',
    ]);
    expect(methodRows(report, 'INR')).toHaveLength(1);
    expect(methodRows(report, 'USD')).toEqual([]);
  });

  it('reads the headline from the totals, and the chart and table add up to it', () => {
    const cad = reportFigures(report, 'CAD');
    // Paid minus refunds: the failed and the waiting order are not in it.
    expect(cad.takingsMinor).toBe(1250 + 750 + 4000 - 1500);
    expect(cad.chartMinor).toBe(cad.takingsMinor);
    expect(cad.tableMinor).toBe(cad.takingsMinor);
    expect(cad).toMatchObject({ takenMinor: 6000, refundedMinor: 1500, paidCount: 3, waitingCount: 1, waitingMinor: 410 });
    // A currency with no money: zeros, not a failure.
    expect(reportFigures(report, 'USD')).toMatchObject({ takingsMinor: 0, chartMinor: 0, tableMinor: 0 });
  });

  it('offers the currencies with money, else every one', () => {
    expect(reportCurrencies(report).map((c) => c.code)).toEqual(['CAD', 'INR']);
    const nothingPaid = { ...report, totals: { ...report.totals, byCurrency: [] } };
    expect(reportCurrencies(nothingPaid).map((c) => c.code)).toEqual(['CAD', 'INR', 'USD']);
  });

  it('picks the currency to chart', () => {
    expect(pickCurrency(report.currencies, null, 'CAD')).toBe('CAD');
    expect(pickCurrency(report.currencies, 'INR', 'CAD')).toBe('INR');
    expect(pickCurrency(report.currencies, 'EUR', 'GBP')).toBe('CAD');
    expect(pickCurrency([], null, 'CAD')).toBeNull();
  });
});

describe('chart', () => {
  it('picks round gridline steps in minor units', () => {
    expect(tickStep(0, 2)).toBe(100);
    expect(tickStep(2000, 2)).toBe(500);
    expect(tickStep(9900, 2)).toBe(5000);
    expect(tickStep(123456, 2)).toBe(50000);
    expect(tickStep(7, 0)).toBe(2);
  });

  it('draws one bar per day of the takings by day, in one currency', () => {
    const chart = chartModel(report, 'CAD', { width: 400, height: 200 });
    expect(chart.bars.map((b) => b.day)).toEqual(report.days);
    expect(chart.bars.map((b) => b.totalMinor)).toEqual([2000, 0, 2500]);
    expect(chart.totalMinor).toBe(4500);
    const [first, empty, last] = chart.bars;
    expect(first.y + first.height).toBeCloseTo(chart.plot.bottom);
    expect(empty.height).toBe(0);
    expect(first.height / last.height).toBeCloseTo(2000 / 2500);
    expect(chart.maxMinor).toBeGreaterThanOrEqual(2500);
    expect(last.y).toBeGreaterThanOrEqual(chart.plot.top);
    expect(chart.ticks[0]).toMatchObject({ valueMinor: 0, label: '0.00' });
    expect(chart.ticks.at(-1)?.valueMinor).toBe(chart.maxMinor);
    for (const bar of chart.bars) {
      expect(bar.x).toBeGreaterThanOrEqual(chart.plot.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(chart.plot.right);
    }
    expect(chart.bars[1].x).toBeGreaterThan(chart.bars[0].x);
  });

  it('an empty report still has an axis', () => {
    const none = chartModel({ ...report, takingsByDay: [] }, 'CAD');
    expect(none.ticks.length).toBeGreaterThanOrEqual(2);
    expect(none.bars.every((b) => b.totalMinor === 0 && b.height === 0)).toBe(true);
    expect(none.totalMinor).toBe(0);
  });

  it('labels every nth day when there are many', () => {
    const days = Array.from({ length: 60 }, (_, i) => addDays('2026-09-01', i));
    const chart = chartModel({ ...report, days, takingsByDay: [] }, 'CAD');
    const labelled = chart.bars.filter((b) => b.labelled).length;
    expect(labelled).toBeLessThanOrEqual(12);
    expect(labelled).toBeGreaterThan(6);
  });
});

describe('tips in the chart and the table', () => {
  it('each bar and method row carries the tips inside its takings, never added again', () => {
    const tipped: DailyReport = {
      ...report,
      takingsByDay: [
        { day: '2026-11-20', currency: 'CAD', takingsMinor: 2000, tipsMinor: 300 },
        { day: '2026-11-22', currency: 'CAD', takingsMinor: 2500, tipsMinor: 0 },
      ],
    };
    const chart = chartModel(tipped, 'CAD');
    const bar = chart.bars.find((b) => b.day === '2026-11-20')!;
    expect([bar.totalMinor, bar.tipsMinor]).toEqual([2000, 300]);
    expect(chart.totalMinor).toBe(4500);
  });
});
