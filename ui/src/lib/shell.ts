/**
 * The app shell's keys: which screen a function key opens, the key that switches the person
 * at the till, and when none of them may act.
 *
 * The bar's keys, all of them:
 * - F2 Counter, F3 Orders, F4 Settings, F5 Reports (with the audit log), F7 Shift: screens;
 * - F6 Switch person: the sign-in pad (a digit picks the name, then their PIN and Enter),
 *   shown only in a shop with staff accounts.
 */
import { t } from './i18n';

export type Screen = 'counter' | 'orders' | 'reports' | 'settings' | 'shift';

const SCREEN_KEYS: Readonly<Record<string, Screen>> = {
  F2: 'counter',
  F3: 'orders',
  F4: 'settings',
  F5: 'reports',
  F7: 'shift',
};

/** The key that opens the sign-in pad to switch person (F6). */
export const SWITCH_KEY = 'F6';

/**
 * Every key the bar shows, in its order: screen keys and the switch key. `what` is read when
 * shown, so it is in the window's language.
 */
export const KEY_LIST: readonly { readonly key: string; readonly what: string }[] = [
  { key: 'F2', get what() { return t('shell.counter'); } },
  { key: 'F3', get what() { return t('shell.orders'); } },
  { key: 'F4', get what() { return t('shell.settings'); } },
  { key: 'F5', get what() { return t('shell.reports'); } },
  { key: 'F6', get what() { return t('shell.switch_person'); } },
  { key: 'F7', get what() { return t('shell.shift'); } },
];

type Keys = Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey'>;

/** The screen a key opens (F2 to F5, F7, without a modifier), or null. */
export function screenForKey(event: Keys): Screen | null {
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  return SCREEN_KEYS[event.key] ?? null;
}

/** Whether the key is the switch-person key (F6, without a modifier). */
export function isSwitchKey(event: Keys): boolean {
  return !event.altKey && !event.ctrlKey && !event.metaKey && event.key === SWITCH_KEY;
}

/** Whether a modal dialog (the PIN, a confirmation) is open in `root`. */
export function modalOpen(root: Pick<Document, 'querySelector'>): boolean {
  return root.querySelector('[role="dialog"][aria-modal="true"], [role="alertdialog"][aria-modal="true"], dialog[open]') !== null;
}
