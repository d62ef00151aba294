/**
 * The app shell's keys: which screen a function key opens, the key that switches the person
 * at the till, and when none of them may act.
 *
 * The bar's keys, all of them:
 * - F2 Counter, F3 Orders, F4 Settings, F5 Reports (with the audit log), F7 Shift: screens;
 * - F6 Switch person: the sign-in pad (a digit picks the name, then their PIN and Enter),
 *   shown only in a shop with staff accounts.
 */

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

/** Every key the bar shows, in its order: screen keys and the switch key. */
export const KEY_LIST: readonly { key: string; what: string }[] = [
  { key: 'F2', what: 'Counter' },
  { key: 'F3', what: 'Orders' },
  { key: 'F4', what: 'Settings' },
  { key: 'F5', what: 'Reports' },
  { key: 'F6', what: 'Switch person' },
  { key: 'F7', what: 'Shift' },
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
