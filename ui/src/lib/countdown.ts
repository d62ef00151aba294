/**
 * Milliseconds left until `expiresAt` (an RFC 3339 timestamp) at time `now`,
 * never negative; null when `expiresAt` is missing or unparseable.
 */
export function remainingMs(expiresAt: string | null | undefined, now: number | Date): number | null {
  if (!expiresAt) return null;
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return null;
  const current = typeof now === 'number' ? now : now.getTime();
  return Math.max(0, end - current);
}

/** Formats a duration as "mm:ss", rounding partial seconds up (minutes may exceed 59). */
export function formatDuration(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** "mm:ss" left until `expiresAt` at time `now`, or null when there is no valid expiry. */
export function formatRemaining(expiresAt: string | null | undefined, now: number | Date): string | null {
  const ms = remainingMs(expiresAt, now);
  return ms === null ? null : formatDuration(ms);
}
