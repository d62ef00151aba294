/**
 * The export panel's pure parts: progress as a share and a sentence, the file name offered in
 * the save dialog, and the chosen columns in the export's own order.
 */
import type { ExportProgress, FilterInput } from './bindings';

/** Whole percent, 0 to 100; an empty export is complete when done. */
export function progressPercent(progress: ExportProgress): number {
  if (progress.total <= 0) return progress.done ? 100 : 0;
  const share = Math.floor((progress.rows * 100) / progress.total);
  if (progress.done) return 100;
  // 100% is kept for the end: the file is renamed into place after the last row.
  return Math.min(99, Math.max(0, share));
}

/** 48210 -> "48,210" (the same grouping as the core's amounts, whatever the locale). */
export function formatCount(n: number): string {
  const digits = String(Math.max(0, Math.trunc(n)));
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function progressLabel(progress: ExportProgress): string {
  const noun = progress.total === 1 ? 'order' : 'orders';
  if (progress.done) return `${formatCount(progress.rows)} ${progress.rows === 1 ? 'order' : 'orders'} written`;
  return `${formatCount(progress.rows)} of ${formatCount(progress.total)} ${noun} (${progressPercent(progress)}%)`;
}

/** 1536 -> "1.5 KB"; bytes below 1 KB as they are. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
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

/** A column name for people: "merchant_order_no" -> "Merchant order no". */
export function columnLabel(name: string): string {
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
