import { describe, expect, it } from 'vitest';
import {
  formatDateTime,
  formatDay,
  formatDayRange,
  formatShortDay,
  formatTime,
  isIsoDay,
  localIsoDay,
} from './datetime';

// A local moment (the computer's zone), so the expected text does not depend on where the tests run.
const moment = new Date(2026, 11, 6, 15, 1, 9);

describe('formatDateTime', () => {
  it('uses the locale’s own order and clock', () => {
    expect(formatDateTime(moment, { locale: 'en-GB' })).toBe('6 Dec 2026, 15:01');
    expect(formatDateTime(moment, { locale: 'en-US' })).toBe('Dec 6, 2026, 03:01 PM');
    expect(formatDateTime(moment, { locale: 'de-DE' })).toBe('6. Dez. 2026, 15:01');
  });

  it('adds the seconds only when asked', () => {
    expect(formatDateTime(moment, { locale: 'en-GB', seconds: true })).toBe('6 Dec 2026, 15:01:09');
  });

  it('reads RFC 3339 text and epoch milliseconds as the same moment', () => {
    const iso = moment.toISOString();
    expect(formatDateTime(iso, { locale: 'en-GB' })).toBe('6 Dec 2026, 15:01');
    expect(formatDateTime(moment.getTime(), { locale: 'en-GB' })).toBe('6 Dec 2026, 15:01');
  });

  it('gives unparseable text back as it is', () => {
    expect(formatDateTime('not a time', { locale: 'en-GB' })).toBe('not a time');
  });

  it('falls back to a default for a locale Intl refuses', () => {
    expect(formatDateTime(moment, { locale: 'not_a_locale!!' })).toContain('2026');
  });

  it('shows the time alone in the same form', () => {
    expect(formatTime(moment, { locale: 'en-GB' })).toBe('15:01');
    expect(formatTime(moment, { locale: 'en-GB', seconds: true })).toBe('15:01:09');
  });
});

describe('days', () => {
  it('formats a YYYY-MM-DD day with the date part of formatDateTime', () => {
    expect(formatDay('2026-12-06', 'en-GB')).toBe('6 Dec 2026');
    expect(formatDay('2026-12-06', 'en-US')).toBe('Dec 6, 2026');
    expect(formatDateTime(moment, { locale: 'en-US' }).startsWith(formatDay('2026-12-06', 'en-US'))).toBe(true);
  });

  it('never shifts a day with the zone (the first and last of a year)', () => {
    expect(formatDay('2026-01-01', 'en-GB')).toBe('1 Jan 2026');
    expect(formatDay('2026-12-31', 'en-GB')).toBe('31 Dec 2026');
  });

  it('leaves anything that is not a day as it is', () => {
    expect(formatDay('2026-13-01', 'en-GB')).toBe('2026-13-01');
    expect(formatDay('', 'en-GB')).toBe('');
  });

  it('has a short form for a chart axis', () => {
    expect(formatShortDay('2026-12-06', 'en-GB')).toBe('6 Dec');
    expect(formatShortDay('2026-12-06', 'en-US')).toBe('Dec 6');
  });

  it('says a range once when it is one day', () => {
    expect(formatDayRange('2026-12-06', '2026-12-06', 'en-GB')).toBe('6 Dec 2026');
    expect(formatDayRange('2026-12-01', '2026-12-06', 'en-GB')).toBe('1 Dec 2026 – 6 Dec 2026');
  });

  it('knows a real day from a look-alike', () => {
    expect(isIsoDay('2024-02-29')).toBe(true);
    expect(isIsoDay('2026-02-29')).toBe(false);
    expect(isIsoDay('2026-2-1')).toBe(false);
    expect(isIsoDay('06/12/2026')).toBe(false);
  });

  it('gives the local day in the form the core and a date picker take', () => {
    expect(localIsoDay(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});
