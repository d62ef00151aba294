/** Small persisted UI preferences; storage failures (private mode, quota) are ignored. */
const LAST_METHOD_KEY = 'paydesk.lastMethod';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function loadLastMethod(): string | null {
  try {
    return storage()?.getItem(LAST_METHOD_KEY) ?? null;
  } catch {
    return null;
  }
}

export function saveLastMethod(key: string): void {
  try {
    storage()?.setItem(LAST_METHOD_KEY, key);
  } catch {
    /* not persisted; harmless */
  }
}

const THEME_KEY = 'paydesk.theme';

/** The owner's theme choice as stored: 'light', 'dark', or null (follow the system). */
export function loadThemeChoice(): string | null {
  try {
    return storage()?.getItem(THEME_KEY) ?? null;
  } catch {
    return null;
  }
}

export function saveThemeChoice(choice: string): void {
  try {
    if (choice === 'system') storage()?.removeItem(THEME_KEY);
    else storage()?.setItem(THEME_KEY, choice);
  } catch {
    /* not persisted; harmless */
  }
}
