/**
 * The Settings screen's shop, mode, receiver and gateway URL fields, and a first check of each
 * value as it is typed. The core (settings.rs) checks every value again when it is saved and
 * has the last word; these messages only spare a round trip and say the same thing.
 */
import type { BackupStatus, ConnectionCheck, Environment, SettingValue } from './api';
import { DEFAULT_LANGUAGE, language, t, tIn, type Language, type MessageKey } from './i18n';
import { formatDateTime } from './datetime';
import { CURRENCY_CODES } from './currency';
import { NEW_PIN_MAX, PIN_MIN } from './owner';

export const SHOP_NAME = 'shop.name';
export const SHOP_CURRENCY = 'shop.currency';
/** The window's language where the person signed in has none of their own (core: language.rs). */
export const SHOP_LANGUAGE = 'shop.language';
export const NOTIFY_BIND = 'notify.bind';
export const MODE = 'mode';
/** The methods the counter offers, comma-separated method keys in the shop's order (empty = all). */
export const SHOP_METHODS = 'shop.methods';
/** How long Paydesk waits for a gateway's answer, in milliseconds (every gateway). */
export const HTTP_TIMEOUT = 'http.timeout_ms';
/** Minutes without activity before the till signs its person out (0: never): Settings' Staff section. */
export const IDLE_MINUTES = 'staff.idle_minutes';

export interface UrlField {
  name: string;
  /** Its label's message (read with `t` where it is shown, so it follows the language). */
  label: MessageKey;
  /** A URL (the default) or a number of milliseconds. */
  kind?: 'url' | 'ms';
}

const WAIT: UrlField = { name: 'timeout_ms', label: 'settings.url_field.wait', kind: 'ms' };

export interface GatewayUrls {
  gateway: string;
  label: string;
  fields: UrlField[];
}

/** The base URLs payments.rs reads, per gateway (`<gateway>.<env>.<name>`). */
export const GATEWAY_URLS: readonly GatewayUrls[] = [
  {
    gateway: 'iotpay',
    label: 'IOTPay',
    fields: [
      { name: 'v1_base', label: 'settings.url_field.iotpay_v1' },
      { name: 'v3_base', label: 'settings.url_field.iotpay_v3' },
    ],
  },
  { gateway: 'smepay', label: 'SMEPay', fields: [{ name: 'base', label: 'settings.url_field.base' }, WAIT] },
  {
    gateway: 'smartpay',
    label: 'SmartPay',
    fields: [
      { name: 'base', label: 'settings.url_field.smartpay_base' },
      { name: 'token_url', label: 'settings.url_field.token_url' },
      WAIT,
    ],
  },
  {
    gateway: 'smartexpay',
    label: 'SmartExPay',
    fields: [
      { name: 'base', label: 'settings.url_field.smartexpay_base' },
      { name: 'page_base', label: 'settings.url_field.page_base' },
      WAIT,
    ],
  },
];

export function settingKey(gateway: string, env: Environment, name: string): string {
  return `${gateway}.${env}.${name}`;
}

/** Stored value by key ('' when not set). */
export function storedValues(values: SettingValue[]): Record<string, string> {
  return Object.fromEntries(values.map((v) => [v.key, v.value ?? '']));
}

export function defaultOf(values: SettingValue[], key: string): string {
  return values.find((v) => v.key === key)?.default ?? '';
}

/** The keys among `keys` whose typed value differs from the stored one, with that value. */
export function changedValues(
  keys: readonly string[],
  typed: Record<string, string>,
  stored: Record<string, string>,
): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const key of keys) {
    const value = (typed[key] ?? '').trim();
    if (value !== (stored[key] ?? '').trim()) changes[key] = value;
  }
  return changes;
}

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Why a URL setting is refused, in the core's words, or null. Blank = back to the default. */
export function urlProblem(key: string, value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return t('settings.url.not_a_url', { key, text });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return t('settings.url.not_http', { key, protocol: url.protocol });
  }
  if (url.hostname === '') return t('settings.url.no_host', { key, text });
  if (url.username !== '' || url.password !== '') return t('settings.url.has_login', { key });
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return t('settings.url.not_this_machine', { key, host: url.hostname });
  }
  return null;
}

/** An `ip:port` (IPv6 in brackets), as the receiver binds; null when it is not one. */
export function parseBind(value: string): { host: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:]+\]|\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(value.trim());
  if (!match) return null;
  const port = Number(match[2]);
  if (port > 65535) return null;
  const host = match[1];
  if (!host.startsWith('[') && host.split('.').some((part) => Number(part) > 255)) return null;
  return { host, port };
}

export function bindProblem(value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  return parseBind(text) ? null : t('settings.bind.not_address', { text });
}

/** A warning (not an error) for a receiver address other machines can reach. */
export function bindWarning(value: string): string | null {
  const bind = parseBind(value);
  if (!bind || isLoopbackHost(bind.host)) return null;
  return t('settings.bind.not_loopback', { host: bind.host });
}

export function currencyProblem(value: string): string | null {
  const code = value.trim().toUpperCase();
  if (code === '') return null;
  return CURRENCY_CODES.includes(code)
    ? null
    : t('settings.currency.unknown', { text: value.trim() });
}

export function shopNameProblem(value: string): string | null {
  const text = value.trim();
  if ([...text].length > 60) return t('settings.shop_name.too_long', { max: 60 });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return t('settings.shop_name.one_line');
  return null;
}

/** A wait in milliseconds, 1 to 600000 as the core takes it. Blank = back to the default. */
export function timeoutProblem(key: string, value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  const ms = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
  return ms >= 1 && ms <= 600_000 ? null : t('settings.timeout.range', { key, text });
}

/** The stored `shop.methods` as method keys ('' = every method). */
export function parseShopMethods(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

/** The first-pass problem of any setting the screen edits, or null. */
export function settingProblem(key: string, value: string): string | null {
  if (key === SHOP_NAME) return shopNameProblem(value);
  if (key === SHOP_CURRENCY) return currencyProblem(value);
  if (key === NOTIFY_BIND) return bindProblem(value);
  if (/_ms$/.test(key)) return timeoutProblem(key, value);
  if (/(_base|\.base|_url)$/.test(key)) return urlProblem(key, value);
  return null;
}

/** The modes, each with its name's and note's messages (read with `t` where shown). */
export const MODES: readonly { value: 'sandbox' | 'test' | 'live'; label: MessageKey; note: MessageKey }[] = [
  { value: 'sandbox', label: 'settings.mode.sandbox', note: 'settings.mode.sandbox_note' },
  { value: 'test', label: 'settings.mode.test', note: 'settings.mode.test_note' },
  { value: 'live', label: 'settings.mode.live', note: 'settings.mode.live_note' },
];

export interface PinChange {
  pinSet: boolean;
  current: string;
  next: string;
  repeat: string;
}

/** Why a PIN change cannot be sent yet, with the field to fix, or null. */
export function pinChangeProblem(change: PinChange): { field: 'current' | 'next' | 'repeat'; message: string } | null {
  if (change.pinSet && change.current === '') return { field: 'current', message: t('settings.pin.type_current') };
  if (change.next === '') return { field: 'next', message: t('settings.pin.type_new') };
  if (!/^[0-9]+$/.test(change.next) || change.next.length < PIN_MIN || change.next.length > NEW_PIN_MAX) {
    return { field: 'next', message: t('settings.pin.new_digits', { min: PIN_MIN, max: NEW_PIN_MAX }) };
  }
  if (change.repeat === '') return { field: 'repeat', message: t('settings.pin.type_again') };
  if (change.repeat !== change.next) return { field: 'repeat', message: t('settings.pin.not_same') };
  return null;
}

/** One line for a Check connection result, in the owner's words (the gateway's after a colon). */
export function connectionText(check: ConnectionCheck): string {
  switch (check.outcome) {
    case 'ok':
      return t('settings.check.ok', { ms: check.elapsedMs });
    case 'credentials_rejected':
      return t('settings.check.refused', { message: check.message });
    case 'unreachable':
      return t('settings.check.unreachable', { message: check.message });
    default:
      return check.message;
  }
}

/**
 * The backup's state for the owner: in English the core's sentence; in another language the
 * same from its fields (no backup and no folder, none yet in the folder, the last one and
 * whether it is over a day old).
 */
export function backupWords(status: BackupStatus, lang: Language = language.window): string {
  if (lang === DEFAULT_LANGUAGE) return status.message;
  if (!status.last || !status.lastAt) {
    return status.folder ? tIn(lang, 'settings.backup.none_in', { folder: status.folder }) : tIn(lang, 'settings.backup.none');
  }
  const values = { at: formatDateTime(status.lastAt, { locale: lang }), file: status.last };
  return tIn(lang, status.stale ? 'settings.backup.stale' : 'settings.backup.last', values);
}
