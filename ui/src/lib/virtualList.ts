/**
 * Windowing for a list of fixed-height rows: only the rows in view (and a few either side)
 * are in the DOM, with spacers above and below standing in for the rest, so 100,000 orders
 * scroll like 100.
 */

export interface RowWindow {
  /** First rendered row. */
  start: number;
  /** One past the last rendered row. */
  end: number;
  /** Height of the spacer standing in for rows [0, start). */
  padTop: number;
  /** Height of the spacer standing in for rows [end, count). */
  padBottom: number;
}

/**
 * The rows to render for a viewport scrolled to `scrollTop` (px, measured from the first
 * row) and `height` tall, with `overscan` extra rows either side.
 */
export function visibleWindow(scrollTop: number, height: number, rowHeight: number, count: number, overscan = 8): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(0, height)) / rowHeight);
  const start = Math.min(count, Math.max(0, first - overscan));
  const end = Math.min(count, Math.max(start, last + overscan));
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}

/**
 * Whether to fetch the next page: the rendered rows reach within `threshold` rows of the end
 * of what is loaded, there is more, and no fetch is under way.
 */
export function shouldLoadMore(end: number, loaded: number, hasMore: boolean, loading: boolean, threshold = 20): boolean {
  return hasMore && !loading && end >= loaded - threshold;
}

/** The scrollTop that brings row `index` fully into view, moving as little as possible. */
export function revealRow(index: number, scrollTop: number, height: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + height) return Math.max(0, bottom - height);
  return scrollTop;
}

/**
 * The row a key moves the active row to (ArrowUp/Down, PageUp/Down by a viewport, Home,
 * End), clamped to the list; null for any other key. With no active row, moving down starts
 * at the first row.
 */
export function moveActive(key: string, active: number | null, count: number, pageRows: number): number | null {
  if (count <= 0) return null;
  const current = active ?? -1;
  const page = Math.max(1, pageRows);
  let next: number;
  switch (key) {
    case 'ArrowDown':
      next = current + 1;
      break;
    case 'ArrowUp':
      next = active === null ? 0 : current - 1;
      break;
    case 'PageDown':
      next = current + page;
      break;
    case 'PageUp':
      next = active === null ? 0 : current - page;
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = count - 1;
      break;
    default:
      return null;
  }
  return Math.min(count - 1, Math.max(0, next));
}
