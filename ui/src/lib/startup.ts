/**
 * The moment the window first became usable at the counter, as a User Timing mark: the amount
 * field is in the page and enabled, and the frame that paints it has begun. The window
 * benchmark reads it for its cold start (tests/it/window_bench.rs), as it reads the stamps of
 * its other painted figures: the page's own moment, not whenever a WebDriver poll from outside
 * happens to see the field (which can be before the frame, or a round trip after it).
 */
export const COUNTER_INTERACTIVE = 'paydesk:counter-interactive';

function marked(): boolean {
  return performance.getEntriesByName(COUNTER_INTERACTIVE).length > 0;
}

/** Marks the first time only (the counter mounts again after every other screen). */
export function markCounterInteractive(): void {
  if (marked()) return;
  requestAnimationFrame(() => {
    if (!marked()) performance.mark(COUNTER_INTERACTIVE);
  });
}
