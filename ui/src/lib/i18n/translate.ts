/**
 * `t(key, values)`: a message of the window's language (or of `lang`, for the customer display),
 * its ICU arguments filled. A message the language lacks falls back to English (the catalogue
 * test keeps that from happening in a release); a message that does not parse shows its key, so
 * a broken translation is visible, never a blank button.
 */
import { IntlMessageFormat, type PrimitiveType } from 'intl-messageformat';
import { CATALOGUES, DEFAULT_LANGUAGE, type Language, type MessageKey } from './catalogues';
import { language } from './language.svelte';

export type MessageValues = Record<string, PrimitiveType>;

const compiled = new Map<string, IntlMessageFormat>();

function format(lang: Language, key: MessageKey): IntlMessageFormat | null {
  const cacheKey = `${lang}\u0000${key}`;
  let found = compiled.get(cacheKey);
  if (!found) {
    const text = CATALOGUES.get(lang)?.[key] ?? CATALOGUES.get(DEFAULT_LANGUAGE)?.[key];
    if (text === undefined) return null;
    try {
      found = new IntlMessageFormat(text, lang);
    } catch {
      return null;
    }
    compiled.set(cacheKey, found);
  }
  return found;
}

/** The message `key` in the window's language. */
export function t(key: MessageKey, values?: MessageValues): string {
  return tIn(language.window, key, values);
}

/** The message `key` in `lang` (the customer display's language for this sale). */
export function tIn(lang: Language, key: MessageKey, values?: MessageValues): string {
  const message = format(lang, key);
  if (!message) return key;
  try {
    return String(message.format(values));
  } catch {
    return key;
  }
}
