import { afterEach, describe, expect, it, vi } from 'vitest';
import { chooseTheme, currentThemeChoice, parseThemeChoice, resolveTheme } from './theme';

function fakeStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, String(v)),
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('theme choice', () => {
  it('follows the system unless the owner chose', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('reads anything unknown as following the system', () => {
    expect(parseThemeChoice(null)).toBe('system');
    expect(parseThemeChoice('dark')).toBe('dark');
    expect(parseThemeChoice('sepia')).toBe('system');
  });

  it('remembers the choice and applies it to <html>', () => {
    const root = { dataset: {} as Record<string, string> };
    vi.stubGlobal('localStorage', fakeStorage());
    vi.stubGlobal('document', { documentElement: root });
    vi.stubGlobal('matchMedia', () => ({ matches: true, addEventListener: () => undefined }));
    expect(currentThemeChoice()).toBe('system');
    expect(chooseTheme('light')).toBe('light');
    expect(root.dataset.theme).toBe('light');
    expect(currentThemeChoice()).toBe('light');
    // Back to the system's (dark here); nothing is left stored.
    expect(chooseTheme('system')).toBe('dark');
    expect(root.dataset.theme).toBe('dark');
    expect(localStorage.getItem('paydesk.theme')).toBeNull();
  });
});
