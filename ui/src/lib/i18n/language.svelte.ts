/**
 * The language the window speaks now, for everything but the customer display (which has its
 * own per sale: `customerLanguage.ts`). One state for the whole window: the shop's language
 * from Settings, replaced by the signed-in staff member's own when they have one. Reading it
 * inside a template (through `t` or the formatters) makes that part re-render when it changes.
 */
import { DEFAULT_LANGUAGE, isLanguage, type Language } from './catalogues';

export const language = $state<{ window: Language }>({ window: DEFAULT_LANGUAGE });

/** Switches the window to `code`; an unknown code (an old setting, a typo) leaves English. */
export function setWindowLanguage(code: string | null | undefined): Language {
  language.window = code && isLanguage(code) ? code : DEFAULT_LANGUAGE;
  if (typeof document !== 'undefined') document.documentElement.lang = language.window;
  return language.window;
}
