/**
 * The message catalogues: one JSON file per language in `catalogues/`, named by its BCP 47 tag
 * (en, fr-CA, zh-CN, hi). Adding a language is adding one file: it is picked up here, offered
 * in Settings under its own `language.name`, and checked by catalogues.test.ts (the same keys as
 * English, the same ICU arguments, every key used by the code).
 *
 * Messages are ICU MessageFormat (plurals, selects, numbers), read by FormatJS's
 * intl-messageformat. English is the reference: its keys are the type `MessageKey`, so a key
 * the code asks for and English lacks is a type error.
 */
import en from './catalogues/en.json';

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;

const files = import.meta.glob<Catalogue>('./catalogues/*.json', { eager: true, import: 'default' });

/** Every catalogue by its language tag, English first. */
export const CATALOGUES: ReadonlyMap<string, Catalogue> = new Map(
  Object.entries(files)
    .map(([path, messages]) => [path.replace(/^.*\/([^/]+)\.json$/, '$1'), messages] as const)
    .sort(([a], [b]) => (a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b))),
);

export type Language = string;
export const DEFAULT_LANGUAGE: Language = 'en';

/** The languages Paydesk speaks, as tags, English first. */
export const LANGUAGES: readonly Language[] = [...CATALOGUES.keys()];

export function isLanguage(code: string): boolean {
  return CATALOGUES.has(code);
}

/** A language's own name for itself ("Français (Canada)"), for the language pickers. */
export function languageName(code: Language): string {
  return CATALOGUES.get(code)?.['language.name'] ?? code;
}

/** Whether `key` is a message of the catalogues (a key the core sent, checked before use). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(CATALOGUES.get(DEFAULT_LANGUAGE), key);
}
