/**
 * The Shift screen's words and figures. The core reads the shift and seals the Z (shifts.rs):
 * here only how a report reads, per currency and never summed across currencies, amounts from
 * minor units with the currency's decimals, reversals of unknown outcome apart from the net,
 * the span, and the file a report is saved as.
 */
import type { CurrencyFigures, ShiftReport, ShiftRow, WaitingSale } from './api';
import { formatDateTime } from './datetime';
import { t } from './i18n';
import { moneyText } from './money';

/** An amount of a report, in the window's language: 123450 CAD -> "1,234.50 CAD". */
export function shiftMoney(minor: number, currency: string): string {
  return moneyText(minor, currency);
}

/** "X report · shift 12" mid-shift, "Z report · shift 12" at the close. */
export function reportTitle(report: Pick<ShiftReport, 'kind' | 'shiftId'>): string {
  return report.kind === 'Z'
    ? t('shift.report_title.z', { shift: report.shiftId })
    : t('shift.report_title.x', { shift: report.shiftId });
}

/** What the kind means, for whoever reads it. */
export function reportMeaning(report: Pick<ShiftReport, 'kind'>): string {
  return report.kind === 'Z' ? t('shift.meaning.z') : t('shift.meaning.x');
}

/** Who opened or closed: their name, or the counter itself (a shop without staff accounts). */
function who(name: string | null | undefined): string {
  return name || t('shift.the_counter');
}

/** Who and when: "Opened by Ann · 6 Dec 2026, 09:00 — closed by Max · 17:30" (or "— read 12:15" for an X). */
export function spanWords(report: Pick<ShiftReport, 'kind' | 'openedBy' | 'openedAtMs' | 'untilMs' | 'closedBy'>, locale?: string): string {
  const opened = formatDateTime(report.openedAtMs, { locale });
  const until = formatDateTime(report.untilMs, { locale });
  if (report.kind === 'Z') {
    return t('shift.span.z', { opener: who(report.openedBy), opened, closer: who(report.closedBy), until });
  }
  return t('shift.span.x', { opener: who(report.openedBy), opened, until });
}

/** One line of a currency's figures: what, how many, how much. */
export interface FigureLine {
  key: string;
  label: string;
  count: number | null;
  amount: string;
  /** Money that went out (refunds, voids): shown as taken away. */
  out?: boolean;
}

/** A currency's lines in reading order: sales, each way paid, refunds, voids. */
export function figureLines(figures: CurrencyFigures, methodName: (gateway: string, method: string, label: string) => string = (_g, _m, label) => label): FigureLine[] {
  const c = figures.currency;
  const lines: FigureLine[] = [{ key: 'sales', label: t('shift.line.sales'), count: figures.salesCount, amount: shiftMoney(figures.salesMinor, c) }];
  for (const line of figures.byMethod) {
    lines.push({
      key: `method-${line.gateway}-${line.method}`,
      label: methodName(line.gateway, line.method, line.label),
      count: line.count,
      amount: shiftMoney(line.minor, c),
    });
  }
  lines.push({ key: 'refunds', label: t('shift.line.refunds'), count: figures.refundsCount, amount: shiftMoney(-figures.refundsMinor, c), out: figures.refundsMinor > 0 });
  lines.push({ key: 'voids', label: t('shift.line.voids'), count: figures.voidsCount, amount: shiftMoney(-figures.voidsMinor, c), out: figures.voidsMinor > 0 });
  return lines;
}

/**
 * Refunds and voids whose outcome is unknown: held apart, never in the net. Null when none.
 */
export function unknownWords(figures: CurrencyFigures): string | null {
  if (figures.unknownReversalsCount === 0) return null;
  return t('shift.unknown', {
    count: figures.unknownReversalsCount,
    amount: shiftMoney(figures.unknownReversalsMinor, figures.currency),
  });
}

/** The net the report states, checked: sales - refunds - voids (the core's definition). */
export function netMinor(figures: Pick<CurrencyFigures, 'salesMinor' | 'refundsMinor' | 'voidsMinor'>): number {
  return figures.salesMinor - figures.refundsMinor - figures.voidsMinor;
}

/** A staff line's name: "" is no one signed in (a shop without staff accounts). */
export function staffName(name: string): string {
  return name === '' ? t('shift.no_one') : name;
}

/** A waiting sale as the list reads it: "PD123 · 12.50 CAD · WeChat Pay · Ann". */
export function waitingLine(sale: WaitingSale, methodName: (method: string) => string = (m) => m): string {
  const parts = [sale.merchantOrderNo, shiftMoney(sale.minor, sale.currency), methodName(sale.method)];
  if (sale.staff) parts.push(sale.staff);
  return parts.join(' · ');
}

/** The file a report is offered as: "shift-12-Z.pdf". */
export function reportFileName(report: Pick<ShiftReport, 'kind' | 'shiftId'>, format: 'csv' | 'pdf'): string {
  return `shift-${report.shiftId}-${report.kind}.${format}`;
}

/** `folder` joined with `name` by the folder's own separator. */
export function inFolder(folder: string | null, name: string): string {
  if (!folder) return name;
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return folder.endsWith(separator) ? `${folder}${name}` : `${folder}${separator}${name}`;
}

/** A shift in the list: "Shift 12 · Ann · 09:00 – 17:30" (or "open"). */
export function shiftRowWords(row: ShiftRow, locale?: string): string {
  const opened = formatDateTime(row.openedAtMs, { locale });
  const closed = row.closedAtMs === null ? t('shift.row.open') : formatDateTime(row.closedAtMs, { locale });
  const parts = [t('shift.row.name', { shift: row.id })];
  if (row.counter) parts.push(row.counter);
  parts.push(who(row.openedBy), `${opened} – ${closed}`);
  return parts.join(' · ');
}

/** The waiting sales a refused close listed, from its words ("PD1 12.50 CAD, PD2 3.00 CAD"). */
export function waitingFromRefusal(message: string): string[] {
  // "2 sale(s) still wait for payment (PD1 12.50 CAD, PD2 3.00 CAD): ..." — the list is the
  // parenthesis the colon follows.
  const match = /\(([^()]*)\):/.exec(message);
  if (!match) return [];
  return match[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
