/**
 * Settings' shop ledger section (components/ShopSettings.svelte): a first check of the address
 * and the counter's name before anything is sent, the status as lines a person reads, and each
 * error of the core's shop.rs in the window's words. The core checks everything again when
 * joining and has the last word; these messages only spare a round trip (and a PIN try).
 */
import type { AppError, ShopCounter, ShopView } from './api';
import { formatDateTime } from './datetime';
import { t } from './i18n';

/** How the address is written (README, "One shop, many counters"). */
export const SHOP_URL_EXAMPLE = 'postgres://user@host/database';
/** A counter's name is 1 to 40 printable characters (the ledger's `check_counter_name`). */
export const COUNTER_NAME_MAX = 40;

export type JoinField = 'url' | 'counter' | 'password';

export interface JoinProblem {
  field: JoinField;
  message: string;
}

/**
 * Why the shop ledger's address is refused before it is sent, or null when it has the shape
 * the core takes: postgres:// (or postgresql://), a user, one host, a database.
 */
export function shopUrlProblem(text: string): string | null {
  const url = text.trim();
  if (url === '') return t('shop.url.empty', { example: SHOP_URL_EXAMPLE });
  const scheme = ['postgres://', 'postgresql://'].find((s) => url.toLowerCase().startsWith(s));
  if (!scheme) return t('shop.url.scheme', { example: SHOP_URL_EXAMPLE });
  const rest = url.slice(scheme.length);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  const user = at < 0 ? '' : authority.slice(0, at).split(':')[0];
  if (user === '') return t('shop.url.user', { example: SHOP_URL_EXAMPLE });
  const host = authority.slice(at + 1);
  if (host === '' || host.startsWith(':')) return t('shop.url.host', { example: SHOP_URL_EXAMPLE });
  if (host.includes(',')) return t('shop.url.one_host');
  const database = slash < 0 ? '' : rest.slice(slash + 1).split('?')[0];
  if (database === '') return t('shop.url.database', { example: SHOP_URL_EXAMPLE });
  return null;
}

/** Whether the address carries a password (postgres://user:password@host/db). */
export function urlHasPassword(text: string): boolean {
  const rest = text.trim().replace(/^postgres(ql)?:\/\//i, '');
  const authority = rest.split('/')[0];
  const at = authority.lastIndexOf('@');
  return at >= 0 && authority.slice(0, at).includes(':');
}

/** Why this counter's name is refused before it is sent, or null. */
export function counterNameProblem(text: string): string | null {
  const name = text.trim();
  if (name === '') return t('shop.counter.empty');
  if ([...name].length > COUNTER_NAME_MAX) return t('shop.counter.too_long', { max: COUNTER_NAME_MAX });
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return t('shop.counter.printable');
  return null;
}

/** The first problem of a join, in the order the fields are on screen; null when none. */
export function joinProblem(form: { url: string; counter: string }): JoinProblem | null {
  const url = shopUrlProblem(form.url);
  if (url) return { field: 'url', message: url };
  const counter = counterNameProblem(form.counter);
  if (counter) return { field: 'counter', message: counter };
  return null;
}

/** A moment of the status, or "never". */
export function whenText(ms: number | null, locale?: string): string {
  return ms === null ? t('shop.never') : formatDateTime(ms, { seconds: true, locale });
}

/** The core's "shop ledger: ..." without its prefix. */
function detail(message: string): string {
  return message.replace(/^shop ledger:\s*/i, '').trim();
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The line the section starts with: in a shop as which counter, or not. */
export function shopHeadline(view: ShopView): string {
  if (!view.member) return t('shop.headline.alone');
  return t('shop.headline.member', { counter: view.counter ?? '?', number: view.counterNumber ?? '?' });
}

/** Whether the shop ledger answered, and why not. */
export function reachableText(view: ShopView): string {
  if (view.reachable) return t('shop.reachable');
  const why = view.unreachable ? detail(view.unreachable) : t('shop.no_answer');
  return t('shop.unreachable', { why });
}

/** This counter's changes not in the shop ledger yet. */
export function outboxText(view: ShopView): string {
  return view.outbox === 0 ? t('shop.outbox.none') : t('shop.outbox.some', { count: view.outbox });
}

/** The shop's changes not here yet (unknown while the shop ledger does not answer). */
export function behindText(view: ShopView): string {
  if (view.behind === null) return t('shop.behind.unknown');
  return view.behind === 0 ? t('shop.behind.none') : t('shop.behind.some', { count: view.behind });
}

/** One row of the counters' table, as read. */
export interface CounterLine {
  number: number;
  name: string;
  orders: number;
  lastPush: string;
  /** "" while it is in the shop, else when it left. */
  left: string;
  /** This counter. */
  self: boolean;
}

/** The shop's counters by number: those in the shop, then those that left. */
export function counterLines(view: ShopView, locale?: string): CounterLine[] {
  return [...view.counters]
    .sort((a: ShopCounter, b: ShopCounter) => Number(a.leftAtMs !== null) - Number(b.leftAtMs !== null) || a.number - b.number)
    .map((c) => ({
      number: c.number,
      name: c.name,
      orders: c.orders,
      lastPush: whenText(c.pushedAtMs, locale),
      left: c.leftAtMs === null ? '' : t('shop.counter_left', { when: whenText(c.leftAtMs, locale) }),
      self: view.member && c.number === view.counterNumber,
    }));
}

/** Which action an error answers: the words differ (a leave can be forced). */
export type ShopAction = 'status' | 'join' | 'leave';

/**
 * An error of the shop's commands in the window's words, chosen by its code, with the core's
 * own detail where it says something the owner can act on (the server's refusal, the network's).
 */
export function shopErrorText(error: AppError, action: ShopAction, counter = ''): string {
  const said = detail(error.message);
  switch (error.code) {
    case 'counter_taken':
      return t('shop.error.counter_taken', { counter: counter.trim() });
    case 'shop_member':
      return t('shop.error.member');
    case 'not_in_shop':
      return t('shop.error.not_member');
    case 'shop_unreachable':
      if (action === 'leave') {
        // The core counts them: "... 3 change(s) of this counter are not in it yet; ...".
        const waiting = /(\d+) change\(s\) of this counter/.exec(said);
        return waiting
          ? t('shop.error.unreachable_leave', { count: Number(waiting[1]) })
          : t('shop.error.unreachable_leave_unknown');
      }
      return t('shop.error.unreachable', { said });
    case 'shop':
      if (/password authentication failed|\(28P01\)|\(28000\)/.test(said)) {
        return t('shop.error.login_refused', { said });
      }
      return t('shop.error.refused', { said });
    case 'vault':
      return t('shop.error.keychain', { said });
    default:
      return sentence(said);
  }
}

/** The field an error is about (the core's `field`), when the form has it. */
export function errorField(error: AppError): JoinField | null {
  return error.field === 'url' || error.field === 'counter' ? error.field : null;
}
