import { describe, expect, it } from 'vitest';
import { formatDuration, formatRemaining, remainingMs } from './countdown';

const EXPIRES = '2025-03-01T12:10:00Z';
const at = (iso: string) => Date.parse(iso);

describe('formatRemaining', () => {
  it('formats minutes and seconds with two digits', () => {
    expect(formatRemaining(EXPIRES, at('2025-03-01T12:00:00Z'))).toBe('10:00');
    expect(formatRemaining(EXPIRES, at('2025-03-01T12:09:05Z'))).toBe('00:55');
    expect(formatRemaining(EXPIRES, at('2025-03-01T12:09:59Z'))).toBe('00:01');
  });

  it('rounds partial seconds up so it reaches 00:00 exactly at expiry', () => {
    expect(formatRemaining(EXPIRES, at('2025-03-01T12:09:59.200Z'))).toBe('00:01');
    expect(formatRemaining(EXPIRES, at('2025-03-01T12:10:00Z'))).toBe('00:00');
  });

  it('clamps at 00:00 after expiry', () => {
    expect(formatRemaining(EXPIRES, at('2025-03-01T13:00:00Z'))).toBe('00:00');
  });

  it('accepts a Date for now and honours timezone offsets', () => {
    expect(formatRemaining('2025-03-01T07:10:00-05:00', new Date('2025-03-01T12:08:30Z'))).toBe('01:30');
  });

  it('lets minutes exceed an hour', () => {
    expect(formatRemaining(EXPIRES, at('2025-03-01T10:00:00Z'))).toBe('130:00');
  });

  it('returns null without a valid expiry', () => {
    expect(formatRemaining(null, 0)).toBeNull();
    expect(formatRemaining(undefined, 0)).toBeNull();
    expect(formatRemaining('', 0)).toBeNull();
    expect(formatRemaining('not a date', 0)).toBeNull();
  });
});

describe('remainingMs / formatDuration', () => {
  it('computes non-negative milliseconds', () => {
    expect(remainingMs(EXPIRES, at('2025-03-01T12:09:00Z'))).toBe(60_000);
    expect(remainingMs(EXPIRES, at('2025-03-01T12:11:00Z'))).toBe(0);
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(61_000)).toBe('01:01');
    expect(formatDuration(-5)).toBe('00:00');
  });
});
