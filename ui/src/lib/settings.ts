/**
 * The Settings screen's shop, mode, receiver and gateway URL fields, and a first check of each
 * value as it is typed. The core (settings.rs) checks every value again when it is saved and
 * has the last word; these messages only spare a round trip and say the same thing.
 */
import type { ConnectionCheck, Environment, SettingValue } from './api';
import { CURRENCY_CODES } from './currency';
import { NEW_PIN_MAX, PIN_MIN } from './owner';

export const SHOP_NAME = 'shop.name';
export const SHOP_CURRENCY = 'shop.currency';
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
  label: string;
  /** A URL (the default) or a number of milliseconds. */
  kind?: 'url' | 'ms';
}

const WAIT: UrlField = { name: 'timeout_ms', label: 'Wait for an answer (milliseconds)', kind: 'ms' };

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
      { name: 'v1_base', label: 'API (v1) base URL' },
      { name: 'v3_base', label: 'Card API (V3) base URL' },
    ],
  },
  { gateway: 'smepay', label: 'SMEPay', fields: [{ name: 'base', label: 'Base URL' }, WAIT] },
  {
    gateway: 'smartpay',
    label: 'SmartPay',
    fields: [
      { name: 'base', label: 'Base URL (given by SmartPay)' },
      { name: 'token_url', label: 'OAuth token URL' },
      WAIT,
    ],
  },
  {
    gateway: 'smartexpay',
    label: 'SmartExPay',
    fields: [
      { name: 'base', label: 'API base URL (given by SmartExPay)' },
      { name: 'page_base', label: 'Payment page base URL' },
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
  const rule = `${key} must be an https:// URL (or http:// on this machine)`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${rule}: "${text}" is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${rule}: ${url.protocol} is not http or https`;
  }
  if (url.hostname === '') return `${rule}: "${text}" has no host`;
  if (url.username !== '' || url.password !== '') {
    return `${rule}: it must not carry a user name or password (those go in the keychain)`;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return `${rule}: ${url.hostname} is not this machine`;
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
  return parseBind(text)
    ? null
    : `notify.bind is an address and port such as 127.0.0.1:47390, not "${text}"`;
}

/** A warning (not an error) for a receiver address other machines can reach. */
export function bindWarning(value: string): string | null {
  const bind = parseBind(value);
  if (!bind || isLoopbackHost(bind.host)) return null;
  return `${bind.host} is not loopback: other machines on the network can reach the receiver (it still checks every signature and re-queries the gateway); give the gateways your public address in their notify_url / callback_url / ipn_url settings`;
}

export function currencyProblem(value: string): string | null {
  const code = value.trim().toUpperCase();
  if (code === '') return null;
  return CURRENCY_CODES.includes(code)
    ? null
    : `shop.currency must be an ISO 4217 code Paydesk knows (such as CAD, USD, EUR, INR), not "${value.trim()}"`;
}

export function shopNameProblem(value: string): string | null {
  const text = value.trim();
  if ([...text].length > 60) return 'shop.name is at most 60 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return 'shop.name is one line of text';
  return null;
}

/** A wait in milliseconds, 1 to 600000 as the core takes it. Blank = back to the default. */
export function timeoutProblem(key: string, value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  const ms = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
  return ms >= 1 && ms <= 600_000 ? null : `${key} is a number of milliseconds from 1 to 600000, not "${text}"`;
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

export const MODES = [
  { value: 'sandbox', label: 'Practice', note: 'a pretend gateway inside Paydesk: no accounts needed, no real money' },
  { value: 'test', label: 'Test accounts', note: "the gateways' test services, with your test accounts: no real money" },
  { value: 'live', label: 'Live', note: 'real money, with your live accounts' },
] as const;

export interface PinChange {
  pinSet: boolean;
  current: string;
  next: string;
  repeat: string;
}

/** Why a PIN change cannot be sent yet, with the field to fix, or null. */
export function pinChangeProblem(change: PinChange): { field: 'current' | 'next' | 'repeat'; message: string } | null {
  if (change.pinSet && change.current === '') return { field: 'current', message: 'Type the PIN you use now' };
  if (change.next === '') return { field: 'next', message: 'Type the new PIN' };
  if (!/^[0-9]+$/.test(change.next) || change.next.length < PIN_MIN || change.next.length > NEW_PIN_MAX) {
    return { field: 'next', message: `The new PIN is ${PIN_MIN} to ${NEW_PIN_MAX} digits` };
  }
  if (change.repeat === '') return { field: 'repeat', message: 'Type the new PIN again to be sure of it' };
  if (change.repeat !== change.next) return { field: 'repeat', message: 'The two new PINs are not the same: type them again' };
  return null;
}

/** One line for a Check connection result, in the owner's words (the gateway's after a colon). */
export function connectionText(check: ConnectionCheck): string {
  const took = `${check.elapsedMs} ms`;
  switch (check.outcome) {
    case 'ok':
      return `Connected: the gateway accepted this account (${took})`;
    case 'credentials_rejected':
      return `The gateway answered but refused this account: ${check.message}`;
    case 'unreachable':
      return `Could not reach the gateway: ${check.message}`;
    default:
      return check.message;
  }
}
