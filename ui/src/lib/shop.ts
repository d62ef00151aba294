/**
 * Settings' shop ledger section (components/ShopSettings.svelte): a first check of the address
 * and the counter's name before anything is sent, the status as lines a person reads, and each
 * error of the core's shop.rs in the window's words. The core checks everything again when
 * joining and has the last word; these messages only spare a round trip (and a PIN try).
 */
import type { AppError, ShopCounter, ShopView } from './api';
import { formatDateTime } from './datetime';

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
  if (url === '') return `Type the shop ledger's address: ${SHOP_URL_EXAMPLE}`;
  const scheme = ['postgres://', 'postgresql://'].find((s) => url.toLowerCase().startsWith(s));
  if (!scheme) return `The shop ledger's address starts with postgres://, e.g. ${SHOP_URL_EXAMPLE}`;
  const rest = url.slice(scheme.length);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  const user = at < 0 ? '' : authority.slice(0, at).split(':')[0];
  if (user === '') return `The address needs the database user before an @: ${SHOP_URL_EXAMPLE}`;
  const host = authority.slice(at + 1);
  if (host === '' || host.startsWith(':')) return `The address needs the database server's host after the @: ${SHOP_URL_EXAMPLE}`;
  if (host.includes(',')) return 'The address names one host (several are not supported)';
  const database = slash < 0 ? '' : rest.slice(slash + 1).split('?')[0];
  if (database === '') return `The address needs the database's name after the host: ${SHOP_URL_EXAMPLE}`;
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
  if (name === '') return 'Give this counter its name in the shop, e.g. “Till 2”';
  if ([...name].length > COUNTER_NAME_MAX) return `A counter's name is at most ${COUNTER_NAME_MAX} characters`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return "A counter's name is printable characters only";
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

/** "1 change", "3 changes". */
export function changes(count: number): string {
  return `${count} ${count === 1 ? 'change' : 'changes'}`;
}

/** A moment of the status, or "never". */
export function whenText(ms: number | null, locale?: string): string {
  return ms === null ? 'never' : formatDateTime(ms, { seconds: true, locale });
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
  if (!view.member) return 'Not in a shop';
  return `In a shop as ${view.counter ?? '?'} (number ${view.counterNumber ?? '?'})`;
}

/** Whether the shop ledger answered, and why not. */
export function reachableText(view: ShopView): string {
  if (view.reachable) return 'Reachable';
  const why = view.unreachable ? detail(view.unreachable) : 'no answer';
  return `Not reachable: ${why}. Sales go on here; refunds and voids wait until it is back.`;
}

/** This counter's changes not in the shop ledger yet. */
export function outboxText(view: ShopView): string {
  return view.outbox === 0 ? 'Nothing: the shop ledger has every change of this counter' : `${changes(view.outbox)} of this counter`;
}

/** The shop's changes not here yet (unknown while the shop ledger does not answer). */
export function behindText(view: ShopView): string {
  if (view.behind === null) return 'Not known while the shop ledger does not answer';
  return view.behind === 0 ? 'Nothing: this counter has every change of the shop' : `${changes(view.behind)} of the other counters`;
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
      left: c.leftAtMs === null ? '' : `left ${whenText(c.leftAtMs, locale)}`,
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
      return `Another counter in this shop is already named “${counter.trim()}”: choose another name for this one, or leave the shop on that machine first.`;
    case 'shop_member':
      return 'This counter is already in a shop: leave it first.';
    case 'not_in_shop':
      return 'This counter is not in a shop.';
    case 'shop_unreachable':
      if (action === 'leave') {
        // The core counts them: "... 3 change(s) of this counter are not in it yet; ...".
        const waiting = /(\d+) change\(s\) of this counter/.exec(said);
        const count = waiting ? Number(waiting[1]) : null;
        const these = count === null ? 'changes of this counter may be' : `${changes(count)} of this counter ${count === 1 ? 'is' : 'are'}`;
        return `The shop ledger cannot be reached, and ${these} not in it yet. Leave once it is back, or leave now without them: they then stay on this machine only.`;
      }
      return `The shop ledger cannot be reached: check the address, the network, and that the database server is running (${said}).`;
    case 'shop':
      if (/password authentication failed|\(28P01\)|\(28000\)/.test(said)) {
        return `The shop ledger refused the user or the password (${said}).`;
      }
      return `The shop ledger refused this: ${said}.`;
    case 'vault':
      return `This computer's keychain did not take the password: ${said}`;
    default:
      return sentence(said);
  }
}

/** The field an error is about (the core's `field`), when the form has it. */
export function errorField(error: AppError): JoinField | null {
  return error.field === 'url' || error.field === 'counter' ? error.field : null;
}
