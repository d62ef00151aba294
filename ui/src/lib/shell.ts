/** The app shell's keys: which screen a function key opens, and when it must not. */

export type Screen = 'counter' | 'orders' | 'reports' | 'settings';

const SCREEN_KEYS: Readonly<Record<string, Screen>> = {
  F2: 'counter',
  F3: 'orders',
  F4: 'settings',
  F5: 'reports',
};

/** The screen a key opens (F2 to F5, without a modifier), or null. */
export function screenForKey(event: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey'>): Screen | null {
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  return SCREEN_KEYS[event.key] ?? null;
}

/** Whether a modal dialog (the PIN, a confirmation) is open in `root`. */
export function modalOpen(root: Pick<Document, 'querySelector'>): boolean {
  return root.querySelector('[role="dialog"][aria-modal="true"], [role="alertdialog"][aria-modal="true"], dialog[open]') !== null;
}
