/**
 * The Reports screen's logic. The core adds everything up (`daily_report`): the chart reads its
 * `takingsByDay`, the table its `byMethod`, the headline its `totals`, all three from one
 * definition of takings (paid minus refunds), so they agree. Here: days of a range, amounts in
 * minor units formatted per currency (integer arithmetic only), the table's order, and the bar
 * chart's geometry (one bar per day). Nothing here sums across currencies.
 */
import type { CurrencyInfo, DailyReport, MethodTakings } from './api';
import { formatDecimal, t, type MessageKey } from './i18n';

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

/** The quick ranges, each with its words. */
export const PRESETS: { value: Preset; key: MessageKey }[] = [
  { value: 'today', key: 'reports.preset.today' },
  { value: 'week', key: 'reports.preset.week' },
  { value: 'month', key: 'reports.preset.month' },
  { value: 'last-month', key: 'reports.preset.last_month' },
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
  if (!day.test(from)) return t('reports.range.no_first');
  if (!day.test(to)) return t('reports.range.no_last');
  if (to < from) return t('reports.range.backwards');
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

/**
 * The currencies the report can show: those with money taken or waiting (the totals'), else
 * every currency of its orders (a range where nothing was paid still has its failed orders).
 */
export function reportCurrencies(report: DailyReport): CurrencyInfo[] {
  const withMoney = new Set((report.totals?.byCurrency ?? []).map((t) => t.currency));
  const chosen = report.currencies.filter((c) => withMoney.has(c.code));
  return chosen.length > 0 ? chosen : report.currencies;
}

/** How the customer paid, in one currency: most takings first, then by gateway and method. */
export function methodRows(report: DailyReport, currency: string): MethodTakings[] {
  return (report.byMethod ?? [])
    .filter((m) => m.currency === currency)
    .sort(
      (a, b) =>
        b.takingsMinor - a.takingsMinor || a.gateway.localeCompare(b.gateway) || a.method.localeCompare(b.method),
    );
}

export interface ReportFigures {
  /** The headline: the totals' takings of the currency. */
  takingsMinor: number;
  takenMinor: number;
  refundedMinor: number;
  paidCount: number;
  waitingCount: number;
  waitingMinor: number;
  /** What the chart's bars add up to. */
  chartMinor: number;
  /** What the table's rows add up to. */
  tableMinor: number;
}

/**
 * The currency's figures as the core gave them, with the sums of what the chart and the table
 * draw (equal to the takings when the core is right: the screen shows that they agree).
 */
export function reportFigures(report: DailyReport, currency: string): ReportFigures {
  const t = report.totals?.byCurrency.find((c) => c.currency === currency);
  const chartMinor = (report.takingsByDay ?? [])
    .filter((d) => d.currency === currency)
    .reduce((sum, d) => sum + d.takingsMinor, 0);
  const tableMinor = methodRows(report, currency).reduce((sum, m) => sum + m.takingsMinor, 0);
  return {
    takingsMinor: t?.takingsMinor ?? 0,
    takenMinor: t?.takenMinor ?? 0,
    refundedMinor: t?.refundedMinor ?? 0,
    paidCount: t?.paidCount ?? 0,
    waitingCount: t?.waitingCount ?? 0,
    waitingMinor: t?.waitingMinor ?? 0,
    chartMinor,
    tableMinor,
  };
}

// ---- chart ----

export interface Bar {
  day: string;
  x: number;
  width: number;
  y: number;
  height: number;
  totalMinor: number;
  /** The tips inside `totalMinor` (its title says them apart). */
  tipsMinor: number;
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
  maxMinor: number;
  /** The bars added up: the range's takings in this currency. */
  totalMinor: number;
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
}

/** One bar per day of the range: that day's takings in `currency`, as the core counted them. */
export function chartModel(report: DailyReport, currency: string, options: ChartOptions = {}): Chart {
  const width = options.width ?? 800;
  const height = options.height ?? 260;
  const exponent = exponentOf(report, currency);
  // Room above the plot for the currency over the amounts' axis.
  const plot = { left: 84, top: 28, right: width - 12, bottom: height - 36 };

  const byDay = new Map<string, number>();
  const tipsByDay = new Map<string, number>();
  for (const d of report.takingsByDay ?? []) {
    if (d.currency !== currency) continue;
    byDay.set(d.day, (byDay.get(d.day) ?? 0) + d.takingsMinor);
    tipsByDay.set(d.day, (tipsByDay.get(d.day) ?? 0) + (d.tipsMinor ?? 0));
  }
  const totals = report.days.map((day) => byDay.get(day) ?? 0);
  const maxTotal = Math.max(0, ...totals);
  const step = tickStep(maxTotal, exponent);
  const maxMinor = Math.max(step, Math.ceil(maxTotal / step) * step);
  const plotHeight = plot.bottom - plot.top;
  const scale = (minor: number) => (Math.max(0, minor) / maxMinor) * plotHeight;

  const ticks: Tick[] = [];
  for (let v = 0; v <= maxMinor; v += step) {
    // The axis in the window's language (1,000.00; 1 000,00).
    ticks.push({ valueMinor: v, y: plot.bottom - scale(v), label: formatDecimal(v, exponent) });
  }

  const n = Math.max(report.days.length, 1);
  const slot = (plot.right - plot.left) / n;
  const barWidth = Math.max(1, Math.min(48, slot * 0.7));
  const labelEvery = Math.max(1, Math.ceil(n / 12));
  const bars: Bar[] = report.days.map((day, i) => {
    const h = scale(totals[i]);
    return {
      day,
      x: plot.left + slot * i + (slot - barWidth) / 2,
      width: barWidth,
      y: plot.bottom - h,
      height: h,
      totalMinor: totals[i],
      tipsMinor: tipsByDay.get(day) ?? 0,
      labelled: i % labelEvery === 0,
    };
  });
  // Days outside the range (none, from a right core) are still counted in what the bars say.
  const totalMinor = [...byDay.values()].reduce((a, b) => a + b, 0);
  return { width, height, plot, bars, ticks, maxMinor, totalMinor };
}
