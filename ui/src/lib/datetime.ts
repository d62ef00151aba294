/**
 * One date and time format per language, everywhere (the Orders list, an order's detail,
 * Reports, shifts): Intl in the window's language (`language.window`, the one its words are in),
 * so a window in French writes « 6 déc. 2026 » and one in Chinese 2026年12月6日. A `locale` given
 * overrides it (tests, a fixed form). Days the core takes or answers stay YYYY-MM-DD
 * (`<input type="date">` holds that form whatever it shows) and exports stay locale-neutral;
 * only what people read is formatted.
 */
import { language } from './i18n';

/** The locale dates are written in: the window's language. */
function windowLocale(): string {
  return language.window;
}

const DATE: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' };
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let found = cache.get(key);
  if (!found) {
    try {
      found = new Intl.DateTimeFormat(locale, options);
    } catch {
      // A locale Intl does not know: its default rather than nothing.
      found = new Intl.DateTimeFormat(undefined, options);
    }
    cache.set(key, found);
  }
  return found;
}

function parse(value: string | number | Date): Date | null {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A moment as local date and time, e.g. "Dec 6, 2026, 03:01 PM" (en-US) or "6 Dec 2026, 15:01"
 * (en-GB); with `seconds`, the same with the seconds (the timeline, where changes come close
 * together). An RFC 3339 text, epoch milliseconds or a Date; unparseable text comes back as it is.
 */
export function formatDateTime(
  value: string | number | Date,
  options: { seconds?: boolean; locale?: string } = {},
): string {
  const date = parse(value);
  if (!date) return String(value);
  const time = options.seconds ? { ...TIME, second: '2-digit' as const } : TIME;
  return formatter(options.locale ?? windowLocale(), { ...DATE, ...time }).format(date);
}

/** Only the time of a moment, in the same form as `formatDateTime`'s. */
export function formatTime(value: string | number | Date, options: { seconds?: boolean; locale?: string } = {}): string {
  const date = parse(value);
  if (!date) return String(value);
  const time = options.seconds ? { ...TIME, second: '2-digit' as const } : TIME;
  return formatter(options.locale ?? windowLocale(), time).format(date);
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a calendar day as the core takes it (YYYY-MM-DD, a real date). */
export function isIsoDay(text: string): boolean {
  const match = ISO_DAY.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * A calendar day (YYYY-MM-DD, as the core writes days) in the locale's date form, e.g.
 * "Dec 6, 2026": the same date part `formatDateTime` shows. Formatted in UTC, so the day never
 * shifts with the computer's zone. Anything else comes back as it is.
 */
export function formatDay(day: string, locale?: string): string {
  if (!isIsoDay(day)) return day;
  const [y, m, d] = day.split('-').map(Number);
  return formatter(locale ?? windowLocale(), { ...DATE, timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** A day without its year, for a chart's axis: "Dec 6" (en-US), "6 Dec" (en-GB). */
export function formatShortDay(day: string, locale?: string): string {
  if (!isIsoDay(day)) return day;
  const [y, m, d] = day.split('-').map(Number);
  return formatter(locale ?? windowLocale(), { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** A range of days for people: one day alone, or "first – last". */
export function formatDayRange(from: string, to: string, locale?: string): string {
  if (from === to) return formatDay(from, locale);
  return `${formatDay(from, locale)} – ${formatDay(to, locale)}`;
}

/** The computer's local date as YYYY-MM-DD (what a date picker and the core take). */
export function localIsoDay(date: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
