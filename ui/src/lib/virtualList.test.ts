import { describe, expect, it } from 'vitest';
import { moveActive, revealRow, shouldLoadMore, visibleWindow } from './virtualList';

describe('visibleWindow', () => {
  it('renders the rows in view plus the overscan, spacers for the rest', () => {
    // 44 px rows, 440 px tall: rows 100..110 in view at scrollTop 4400.
    expect(visibleWindow(4400, 440, 44, 100_000, 5)).toEqual({
      start: 95,
      end: 115,
      padTop: 95 * 44,
      padBottom: (100_000 - 115) * 44,
    });
  });

  it('keeps the total height: spacers plus rendered rows', () => {
    for (const top of [0, 13, 999, 43_999, 1e9]) {
      const w = visibleWindow(top, 500, 44, 1000, 8);
      expect(w.padTop + (w.end - w.start) * 44 + w.padBottom).toBe(1000 * 44);
      expect(w.start).toBeLessThanOrEqual(w.end);
    }
  });

  it('clamps at both ends and handles an empty list', () => {
    expect(visibleWindow(0, 440, 44, 3, 8)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(visibleWindow(-50, 440, 44, 100, 0)).toMatchObject({ start: 0, end: 10 });
    expect(visibleWindow(1e9, 440, 44, 100, 2)).toMatchObject({ start: 100, end: 100, padBottom: 0 });
    expect(visibleWindow(0, 440, 44, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

describe('shouldLoadMore', () => {
  it('fetches near the end of what is loaded, once, while there is more', () => {
    expect(shouldLoadMore(85, 100, true, false, 20)).toBe(true);
    expect(shouldLoadMore(50, 100, true, false, 20)).toBe(false);
    expect(shouldLoadMore(100, 100, false, false, 20)).toBe(false);
    expect(shouldLoadMore(100, 100, true, true, 20)).toBe(false);
  });
});

describe('keyboard', () => {
  it('reveals a row by scrolling as little as possible', () => {
    expect(revealRow(5, 0, 440, 44)).toBe(0);
    expect(revealRow(12, 0, 440, 44)).toBe(13 * 44 - 440);
    expect(revealRow(2, 300, 440, 44)).toBe(88);
  });

  it('moves the active row and clamps it', () => {
    expect(moveActive('ArrowDown', null, 10, 5)).toBe(0);
    expect(moveActive('ArrowDown', 9, 10, 5)).toBe(9);
    expect(moveActive('ArrowUp', 0, 10, 5)).toBe(0);
    expect(moveActive('ArrowUp', null, 10, 5)).toBe(0);
    expect(moveActive('PageDown', 3, 10, 5)).toBe(8);
    expect(moveActive('PageUp', 3, 10, 5)).toBe(0);
    expect(moveActive('End', 3, 10, 5)).toBe(9);
    expect(moveActive('Home', 3, 10, 5)).toBe(0);
    expect(moveActive('a', 3, 10, 5)).toBeNull();
    expect(moveActive('ArrowDown', null, 0, 5)).toBeNull();
  });
});
