import { describe, expect, it } from 'vitest';
import type { DailyReport, ReportRow } from './api';
import {
  addDays,
  chartModel,
  formatMinor,
  gatewayColour,
  inScope,
  pickCurrency,
  presetRange,
  rangeProblem,
  tableRows,
  tickStep,
  totalsOf,
} from './report';

const row = (period: string, gateway: string, status: ReportRow['status'], amountMinor: number, currency = 'CAD', count = 1, refundedMinor = 0): ReportRow => ({
  period,
  gateway,
  status,
  currency,
  count,
  amountMinor,
  refundedMinor,
});

const report: DailyReport = {
  from: '2026-11-20',
  to: '2026-11-22',
  tz: 'local',
  days: ['2026-11-20', '2026-11-21', '2026-11-22'],
  rows: [
    row('2026-11-20', 'iotpay', 'paid', 1250, 'CAD', 1),
    row('2026-11-20', 'smartpay', 'paid', 750, 'CAD', 2),
    row('2026-11-20', 'iotpay', 'failed', 9900, 'CAD', 1),
    row('2026-11-22', 'iotpay', 'partially_refunded', 4000, 'CAD', 1, 1500),
    row('2026-11-22', 'smepay', 'paid', 10000, 'INR', 1),
  ],
  currencies: [
    { code: 'CAD', exponent: 2 },
    { code: 'INR', exponent: 2 },
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
  it('keeps one currency, sorted by day, gateway and status, with totals', () => {
    const rows = tableRows(report, 'CAD');
    expect(rows.map((r) => `${r.period} ${r.gateway} ${r.status}`)).toEqual([
      '2026-11-20 iotpay failed',
      '2026-11-20 iotpay paid',
      '2026-11-20 smartpay paid',
      '2026-11-22 iotpay partially_refunded',
    ]);
    expect(totalsOf(rows)).toEqual({ count: 5, amountMinor: 1250 + 750 + 9900 + 4000, refundedMinor: 1500 });
    expect(tableRows(report, 'INR')).toHaveLength(1);
  });

  it('picks the currency to chart', () => {
    expect(pickCurrency(report.currencies, null, 'CAD')).toBe('CAD');
    expect(pickCurrency(report.currencies, 'INR', 'CAD')).toBe('INR');
    expect(pickCurrency(report.currencies, 'EUR', 'USD')).toBe('CAD');
    expect(pickCurrency([], null, 'CAD')).toBeNull();
  });
});

describe('chart', () => {
  it('scopes takings to money received', () => {
    expect(inScope('paid', 'takings')).toBe(true);
    expect(inScope('partially_refunded', 'takings')).toBe(true);
    expect(inScope('failed', 'takings')).toBe(false);
    expect(inScope('failed', 'all')).toBe(true);
    expect(inScope('failed', 'failed')).toBe(true);
  });

  it('picks round gridline steps in minor units', () => {
    expect(tickStep(0, 2)).toBe(100);
    expect(tickStep(2000, 2)).toBe(500);
    expect(tickStep(9900, 2)).toBe(5000);
    expect(tickStep(123456, 2)).toBe(50000);
    expect(tickStep(7, 0)).toBe(2);
  });

  it('stacks one segment per gateway per day, bottom up, in one currency', () => {
    const chart = chartModel(report, 'CAD', { width: 400, height: 200 });
    expect(chart.gateways).toEqual(['iotpay', 'smartpay']);
    expect(chart.bars.map((b) => b.day)).toEqual(report.days);
    const [first, empty, last] = chart.bars;
    // Failed orders are not takings.
    expect(first.totalMinor).toBe(2000);
    expect(first.segments.map((s) => [s.gateway, s.amountMinor])).toEqual([
      ['iotpay', 1250],
      ['smartpay', 750],
    ]);
    expect(empty.segments).toEqual([]);
    expect(last.totalMinor).toBe(4000);
    // Segments sit on each other: the first on the baseline, the next on the first.
    const [a, b] = first.segments;
    expect(a.y + a.height).toBeCloseTo(chart.plot.bottom);
    expect(b.y + b.height).toBeCloseTo(a.y);
    // Heights are proportional to amounts, and the tallest bar fits under the top gridline.
    expect(a.height / b.height).toBeCloseTo(1250 / 750);
    expect(chart.maxMinor).toBeGreaterThanOrEqual(4000);
    expect(last.segments[0].y).toBeGreaterThanOrEqual(chart.plot.top);
    expect(chart.ticks[0]).toMatchObject({ valueMinor: 0, label: '0.00' });
    expect(chart.ticks.at(-1)?.valueMinor).toBe(chart.maxMinor);
    expect(a.colour).toBe(gatewayColour('iotpay'));
    // Bars stay inside the plot, in day order.
    for (const bar of chart.bars) {
      expect(bar.x).toBeGreaterThanOrEqual(chart.plot.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(chart.plot.right);
    }
    expect(chart.bars[1].x).toBeGreaterThan(chart.bars[0].x);
  });

  it('charts every status on request, and an empty report still has an axis', () => {
    const all = chartModel(report, 'CAD', { scope: 'all' });
    expect(all.bars[0].totalMinor).toBe(1250 + 750 + 9900);
    const none = chartModel({ ...report, rows: [] }, 'CAD');
    expect(none.gateways).toEqual([]);
    expect(none.ticks.length).toBeGreaterThanOrEqual(2);
    expect(none.bars.every((b) => b.segments.length === 0)).toBe(true);
  });

  it('labels every nth day when there are many', () => {
    const days = Array.from({ length: 60 }, (_, i) => addDays('2026-09-01', i));
    const chart = chartModel({ ...report, days, rows: [] }, 'CAD');
    const labelled = chart.bars.filter((b) => b.labelled).length;
    expect(labelled).toBeLessThanOrEqual(12);
    expect(labelled).toBeGreaterThan(6);
  });
});
