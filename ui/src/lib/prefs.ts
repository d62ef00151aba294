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
