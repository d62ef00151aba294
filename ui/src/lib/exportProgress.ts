/**
 * The export panel's pure parts: progress as a share and a sentence, the file name offered in
 * the save dialog, and the chosen columns in the export's own order.
 */
import type { ExportProgress, FilterInput } from './bindings';
import { formatCount, formatDecimal, t, type MessageKey } from './i18n';

/** Counts grouped as the window's language groups them (48,210; 48 210; 48,210 in lakh form past 1,00,000). */
export { formatCount };

/** Whole percent, 0 to 100; an empty export is complete when done. */
export function progressPercent(progress: ExportProgress): number {
  if (progress.total <= 0) return progress.done ? 100 : 0;
  const share = Math.floor((progress.rows * 100) / progress.total);
  if (progress.done) return 100;
  // 100% is kept for the end: the file is renamed into place after the last row.
  return Math.min(99, Math.max(0, share));
}

/** "5,000 of 48,210 orders (10%)" while it runs, "48,210 orders written" at the end. */
export function progressLabel(progress: ExportProgress): string {
  if (progress.done) return t('export.progress.written', { count: progress.rows });
  return t('export.progress.running', { rows: progress.rows, count: progress.total, percent: progressPercent(progress) });
}

/** The units of a size, each as the language writes it (French: o, Ko, Mo, Go). */
const SIZE_UNITS: readonly MessageKey[] = ['export.size.kb', 'export.size.mb', 'export.size.gb'];

/** 1536 -> "1.5 KB"; bytes below 1 KB as they are. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return t('export.size.bytes', { size: bytes });
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 10 (1.5 KB), none above (25 MB); formatDecimal takes the tenths as units.
  const size = value < 10 ? formatDecimal(Math.round(value * 10), 1) : formatDecimal(Math.round(value), 0);
  return t(SIZE_UNITS[unit], { size });
}

/**
 * The file name the save dialog offers: the filter's days when there are any, else today's
 * date, e.g. "paydesk-orders-2026-11-01-to-2026-11-30.csv".
 */
export function suggestedFileName(filter: FilterInput, today: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`;
  const safe = (text: string) => text.replace(/[^0-9A-Za-z-]/g, '');
  if (filter.from && filter.to) return `paydesk-orders-${safe(filter.from)}-to-${safe(filter.to)}.csv`;
  if (filter.from) return `paydesk-orders-from-${safe(filter.from)}.csv`;
  if (filter.to) return `paydesk-orders-to-${safe(filter.to)}.csv`;
  return `paydesk-orders-${day}.csv`;
}

/** The chosen columns in the order the export lists them (the order of `all`). */
export function orderedColumns(all: readonly string[], chosen: ReadonlySet<string>): string[] {
  return all.filter((name) => chosen.has(name));
}

/** The export's columns (the core's export/columns.rs ALL_COLUMNS) by their names for people. */
const COLUMN_LABELS: Record<string, MessageKey> = {
  id: 'export.column.id',
  created_at: 'export.column.created_at',
  updated_at: 'export.column.updated_at',
  expires_at: 'export.column.expires_at',
  merchant_order_no: 'export.column.merchant_order_no',
  gateway: 'export.column.gateway',
  method: 'export.column.method',
  environment: 'export.column.environment',
  status: 'export.column.status',
  amount: 'export.column.amount',
  currency: 'export.column.currency',
  refunded: 'export.column.refunded',
  gateway_order_id: 'export.column.gateway_order_id',
  gateway_status: 'export.column.gateway_status',
  customer: 'export.column.customer',
  description: 'export.column.description',
  reconciliation_reference_id: 'export.column.reconciliation_reference_id',
  gateway_created_at: 'export.column.gateway_created_at',
  counter: 'export.column.counter',
  staff: 'export.column.staff',
};

/**
 * A column's name for people: "merchant_order_no" -> "Merchant order no" (the file's header
 * keeps the core's names); a column the window does not know yet reads as its name, spaced.
 */
export function columnLabel(name: string): string {
  const key = COLUMN_LABELS[name];
  if (key) return t(key);
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export type ZoneChoice = 'local' | 'UTC' | 'offset';

/** What the core's Zone::parse takes for the chosen zone. */
export function zoneText(choice: ZoneChoice, offset: string): string {
  return choice === 'offset' ? offset.trim() : choice;
}

/**
 * The path an export starts with: `fileName` in `folder` (the user's Documents or home folder),
 * with the folder's own separator; just the file name when the folder is unknown.
 */
export function defaultExportPath(folder: string | null, fileName: string): string {
  const dir = folder?.trim() ?? '';
  if (dir === '') return fileName;
  const separator = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith('/') || dir.endsWith('\\') ? `${dir}${fileName}` : `${dir}${separator}${fileName}`;
}
