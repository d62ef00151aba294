import { describe, expect, it } from 'vitest';
import { isSwitchKey, KEY_LIST, modalOpen, screenForKey, SWITCH_KEY } from './shell';

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

  it('F7 opens the shift; F6 is the switch-person key, no screen', () => {
    expect(screenForKey(key('F7'))).toBe('shift');
    expect(screenForKey(key('F6'))).toBeNull();
    expect(isSwitchKey(key('F6'))).toBe(true);
    expect(isSwitchKey(key('F6', { ctrlKey: true }))).toBe(false);
    expect(isSwitchKey(key('F7'))).toBe(false);
    expect(SWITCH_KEY).toBe('F6');
  });

  it('the key list names every key the shell answers, each once', () => {
    const keys = KEY_LIST.map((k) => k.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(screenForKey(key(k)) !== null || isSwitchKey(key(k))).toBe(true);
    for (const k of ['F1', 'F8', 'F9', 'F10', 'F11', 'F12']) expect(keys).not.toContain(k);
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
