import { afterEach, describe, expect, it, vi } from 'vitest';
import { COUNTER_INTERACTIVE, markCounterInteractive } from './startup';

describe('markCounterInteractive', () => {
  afterEach(() => {
    performance.clearMarks();
    vi.unstubAllGlobals();
  });

  it('marks once, in the frame after the counter is usable, however often the counter mounts', () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => frames.push(callback));
    markCounterInteractive();
    expect(performance.getEntriesByName(COUNTER_INTERACTIVE)).toHaveLength(0);
    frames.shift()?.(0);
    expect(performance.getEntriesByName(COUNTER_INTERACTIVE)).toHaveLength(1);
    markCounterInteractive();
    frames.shift()?.(0);
    expect(frames).toHaveLength(0);
    expect(performance.getEntriesByName(COUNTER_INTERACTIVE)).toHaveLength(1);
  });
});
