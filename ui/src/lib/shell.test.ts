import { describe, expect, it } from 'vitest';
import { modalOpen, screenForKey } from './shell';

const key = (k: string, mods: Partial<Record<'altKey' | 'ctrlKey' | 'metaKey', boolean>> = {}) => ({
  key: k,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
});

describe('screen keys', () => {
  it('F2 to F5 open the counter, orders, settings and reports', () => {
    expect(screenForKey(key('F2'))).toBe('counter');
    expect(screenForKey(key('F3'))).toBe('orders');
    expect(screenForKey(key('F4'))).toBe('settings');
    expect(screenForKey(key('F5'))).toBe('reports');
  });

  it('other keys and modified ones open nothing', () => {
    expect(screenForKey(key('F1'))).toBeNull();
    expect(screenForKey(key('Enter'))).toBeNull();
    expect(screenForKey(key('F2', { ctrlKey: true }))).toBeNull();
    expect(screenForKey(key('F5', { altKey: true }))).toBeNull();
  });
});

describe('modalOpen', () => {
  const root = (matches: string[]) => ({
    querySelector: (selector: string) => (selector.split(', ').some((s) => matches.includes(s)) ? ({} as Element) : null),
  });

  it('sees an open modal dialog', () => {
    expect(modalOpen(root(['[role="dialog"][aria-modal="true"]']))).toBe(true);
    expect(modalOpen(root(['dialog[open]']))).toBe(true);
    expect(modalOpen(root([]))).toBe(false);
  });
});
