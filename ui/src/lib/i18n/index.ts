/** The window's words and formats: see catalogues.ts (what), translate.ts (t), format.ts (Intl). */
export { t, tIn, type MessageValues } from './translate';
export { language, setWindowLanguage } from './language.svelte';
export { LANGUAGES, DEFAULT_LANGUAGE, languageName, isLanguage, isMessageKey, type Language, type MessageKey } from './catalogues';
export { formatDecimal, formatCount } from './format';
