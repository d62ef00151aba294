/**
 * The Reports screen's logic: days of a range, amounts in minor units formatted per currency
 * (integer arithmetic only), and the stacked bar chart's geometry (one bar per day, one
 * segment per gateway). The core adds the rows up (`daily_report`); nothing here sums across
 * currencies.
 */
import type { CurrencyInfo, DailyReport, ReportRow } from './api';
import type { OrderStatus } from './status';

export { gatewayLabel } from './orderFilters';

/** One colour per gateway, distinct in both themes (and for the common colour blindnesses). */
export const GATEWAY_COLOURS: Record<string, string> = {
  iotpay: '#2f6fde',
  smepay: '#e08a00',
  smartpay: '#9b5de5',
  smartexpay: '#12a07a',
};
const OTHER_COLOUR = '#8a96a0';

export function gatewayColour(gateway: string): string {
  return GATEWAY_COLOURS[gateway] ?? OTHER_COLOUR;
}

/** What the chart adds up: money received (paid, later refunded or not), or every order. */
export type ChartScope = 'takings' | 'all' | OrderStatus;

export const TAKINGS: readonly OrderStatus[] = ['paid', 'partially_refunded', 'refunded'];

export function inScope(status: string, scope: ChartScope): boolean {
  if (scope === 'all') return true;
  if (scope === 'takings') return (TAKINGS as readonly string[]).includes(status);
  return status === scope;
}

// ---- days ----

/** A local date as YYYY-MM-DD. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** YYYY-MM-DD plus `days` (calendar arithmetic in UTC: no daylight-saving surprises). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + days));
  return next.toISOString().slice(0, 10);
}

export type Preset = 'today' | 'week' | 'month' | 'last-month';

export const PRESETS: { value: Preset; label: string }[] = [
  { value: 'today', label: 'Today' },
  { value: 'week', label: 'Last 7 days' },
  { value: 'month', label: 'This month' },
  { value: 'last-month', label: 'Last month' },
];

/** The from / to days of a preset, counted from `today` (YYYY-MM-DD). */
export function presetRange(preset: Preset, today: string): { from: string; to: string } {
  const monthStart = `${today.slice(0, 8)}01`;
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'week':
      return { from: addDays(today, -6), to: today };
    case 'month':
      return { from: monthStart, to: today };
    case 'last-month': {
      const lastDay = addDays(monthStart, -1);
      return { from: `${lastDay.slice(0, 8)}01`, to: lastDay };
    }
  }
}

/** Why a range is refused before asking the core, or null. */
export function rangeProblem(from: string, to: string): string | null {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from)) return 'Choose the first day';
  if (!day.test(to)) return 'Choose the last day';
  if (to < from) return 'The last day is before the first';
  return null;
}

// ---- money ----

/** Minor units as text with thousands grouped: 123450 (2 decimals) -> "1,234.50". */
export function formatMinor(minor: number, exponent: number): string {
  const negative = minor < 0;
  const digits = String(Math.abs(Math.trunc(minor))).padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, digits.length - exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(digits.length - exponent)}`;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction}`;
}

export function exponentOf(report: DailyReport, currency: string): number {
  return report.currencies.find((c) => c.code === currency)?.exponent ?? 2;
}

/** The currency to chart: the one picked if the report has it, else the shop's, else the first. */
export function pickCurrency(currencies: CurrencyInfo[], picked: string | null, shop: string): string | null {
  const codes = currencies.map((c) => c.code);
  if (picked && codes.includes(picked)) return picked;
  if (codes.includes(shop)) return shop;
  return codes[0] ?? null;
}

// ---- table ----

export interface Totals {
  count: number;
  amountMinor: number;
  refundedMinor: number;
}

/** The rows of one currency, by day, gateway and status. */
export function tableRows(report: DailyReport, currency: string): ReportRow[] {
  return report.rows
    .filter((r) => r.currency === currency)
    .sort(
      (a, b) =>
        a.period.localeCompare(b.period) || a.gateway.localeCompare(b.gateway) || a.status.localeCompare(b.status),
    );
}

export function totalsOf(rows: ReportRow[]): Totals {
  return rows.reduce(
    (t, r) => ({
      count: t.count + r.count,
      amountMinor: t.amountMinor + r.amountMinor,
      refundedMinor: t.refundedMinor + r.refundedMinor,
    }),
    { count: 0, amountMinor: 0, refundedMinor: 0 },
  );
}

// ---- chart ----

export interface Segment {
  gateway: string;
  amountMinor: number;
  colour: string;
  y: number;
  height: number;
}

export interface Bar {
  day: string;
  x: number;
  width: number;
  totalMinor: number;
  /** Bottom to top, in the gateways' order. */
  segments: Segment[];
  /** Whether the day's label is drawn (every nth when there are many days). */
  labelled: boolean;
}

export interface Tick {
  valueMinor: number;
  y: number;
  label: string;
}

export interface Chart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  bars: Bar[];
  ticks: Tick[];
  /** The gateways present, in legend order. */
  gateways: string[];
  maxMinor: number;
}

const GATEWAY_ORDER = ['iotpay', 'smepay', 'smartpay', 'smartexpay'];

function gatewayRank(gateway: string): number {
  const i = GATEWAY_ORDER.indexOf(gateway);
  return i < 0 ? GATEWAY_ORDER.length : i;
}

/**
 * A step of 1, 2 or 5 times a power of ten minor units giving about four gridlines up to
 * `max`; at least one major unit (1.00) so an empty or tiny chart still reads sensibly.
 */
export function tickStep(maxMinor: number, exponent: number): number {
  const unit = 10 ** exponent;
  const rough = Math.max(maxMinor / 4, 1);
  let power = 1;
  while (power * 10 <= rough) power *= 10;
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? power * 10;
  return Math.max(step, unit);
}

export interface ChartOptions {
  width?: number;
  height?: number;
  scope?: ChartScope;
}

/** The stacked bars of one currency: per day, per gateway, the amounts of rows in scope. */
export function chartModel(report: DailyReport, currency: string, options: ChartOptions = {}): Chart {
  const width = options.width ?? 800;
  const height = options.height ?? 260;
  const scope = options.scope ?? 'takings';
  const exponent = exponentOf(report, currency);
  // Room above the plot for the currency over the amounts' axis.
  const plot = { left: 84, top: 28, right: width - 12, bottom: height - 36 };

  const sums = new Map<string, Map<string, number>>();
  const present = new Set<string>();
  for (const row of report.rows) {
    if (row.currency !== currency || !inScope(row.status, scope)) continue;
    const day = sums.get(row.period) ?? new Map<string, number>();
    day.set(row.gateway, (day.get(row.gateway) ?? 0) + row.amountMinor);
    sums.set(row.period, day);
    present.add(row.gateway);
  }
  const gateways = [...present].sort((a, b) => gatewayRank(a) - gatewayRank(b) || a.localeCompare(b));

  const totals = report.days.map((day) => [...(sums.get(day)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const maxTotal = Math.max(0, ...totals);
  const step = tickStep(maxTotal, exponent);
  const maxMinor = Math.max(step, Math.ceil(maxTotal / step) * step);
  const plotHeight = plot.bottom - plot.top;
  const scale = (minor: number) => (minor / maxMinor) * plotHeight;

  const ticks: Tick[] = [];
  for (let v = 0; v <= maxMinor; v += step) {
    ticks.push({ valueMinor: v, y: plot.bottom - scale(v), label: formatMinor(v, exponent) });
  }

  const n = Math.max(report.days.length, 1);
  const slot = (plot.right - plot.left) / n;
  const barWidth = Math.max(1, Math.min(48, slot * 0.7));
  const labelEvery = Math.max(1, Math.ceil(n / 12));
  const bars: Bar[] = report.days.map((day, i) => {
    const x = plot.left + slot * i + (slot - barWidth) / 2;
    let base = plot.bottom;
    const segments: Segment[] = [];
    for (const gateway of gateways) {
      const amountMinor = sums.get(day)?.get(gateway) ?? 0;
      if (amountMinor <= 0) continue;
      const h = scale(amountMinor);
      base -= h;
      segments.push({ gateway, amountMinor, colour: gatewayColour(gateway), y: base, height: h });
    }
    return { day, x, width: barWidth, totalMinor: totals[i], segments, labelled: i % labelEvery === 0 };
  });

  return { width, height, plot, bars, ticks, gateways, maxMinor };
}

/** A day's axis label: "11-22" (the year is in the range above the chart). */
export function dayLabel(day: string): string {
  return day.slice(5);
}
