/**
 * Light and dark themes: the colours are CSS variables (app.css) switched by `data-theme` on
 * <html>. By default the theme follows the system's prefers-color-scheme; a choice made in
 * Settings is remembered in localStorage (prefs.ts) and wins.
 */
import { t } from './i18n';
import { loadThemeChoice, saveThemeChoice } from './prefs';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

/** The choices with their words; `label` is read when shown, so it is in the window's language. */
export const THEME_CHOICES: readonly { readonly value: ThemeChoice; readonly label: string }[] = [
  { value: 'system', get label() { return t('theme.system'); } },
  { value: 'light', get label() { return t('theme.light'); } },
  { value: 'dark', get label() { return t('theme.dark'); } },
];

/** A stored value back to a choice; anything unknown (or nothing) follows the system. */
export function parseThemeChoice(stored: string | null | undefined): ThemeChoice {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/** The theme to show for a choice, given whether the system prefers dark. */
export function resolveTheme(choice: ThemeChoice, systemPrefersDark: boolean): Theme {
  if (choice === 'system') return systemPrefersDark ? 'dark' : 'light';
  return choice;
}

const DARK_QUERY = '(prefers-color-scheme: dark)';

function systemQuery(): MediaQueryList | null {
  try {
    return globalThis.matchMedia ? globalThis.matchMedia(DARK_QUERY) : null;
  } catch {
    return null;
  }
}

function apply(theme: Theme): void {
  const root = globalThis.document?.documentElement;
  if (root) root.dataset.theme = theme;
}

/** The current choice (from storage). */
export function currentThemeChoice(): ThemeChoice {
  return parseThemeChoice(loadThemeChoice());
}

/** Shows the theme for the stored choice now. */
export function applyStoredTheme(): Theme {
  const theme = resolveTheme(currentThemeChoice(), systemQuery()?.matches ?? false);
  apply(theme);
  return theme;
}

/** Remembers a choice and shows it at once. */
export function chooseTheme(choice: ThemeChoice): Theme {
  saveThemeChoice(choice);
  return applyStoredTheme();
}

/** Applies the stored theme and follows the system's changes while the choice is 'system'. */
export function startTheme(): void {
  applyStoredTheme();
  systemQuery()?.addEventListener('change', () => applyStoredTheme());
  // Another window (the customer display) changed the choice: follow it.
  globalThis.addEventListener?.('storage', (event: StorageEvent) => {
    if (event.key === null || event.key === 'paydesk.theme') applyStoredTheme();
  });
}
