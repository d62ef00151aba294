/**
 * What the counter offers and how it reads a USB scanner: pure logic, tested by vitest.
 */
import type { MethodKind, OrderView, MethodInfo } from './api';
import { widgetMount } from './cardWidget';
import { errorText, type AppError } from './errors';
import { language, t, tIn, type Language, type MessageKey } from './i18n';
import { methodKey } from './orders';

/** The kinds a cashier can take at the counter; app and token methods belong elsewhere. */
export const COUNTER_KINDS: readonly MethodKind[] = ['qr', 'link', 'barcode', 'widget', 'terminal'];

export function isCounterKind(kind: string): kind is MethodKind {
  return (COUNTER_KINDS as readonly string[]).includes(kind);
}

/**
 * The embedded forms this window can mount (gateway/method). Another gateway's widget kind
 * needs its own script and callback (cardWidget.ts), so it is not offered until it has them.
 */
export const MOUNTABLE_WIDGETS: readonly string[] = ['iotpay/card', 'smepay/upi-widget', 'smartpay/smartpay-card'];

/** The methods shown at the counter, in the order the core lists them. */
export function counterMethods(methods: readonly MethodInfo[]): MethodInfo[] {
  return methods.filter(
    (m) => isCounterKind(m.kind) && (m.kind !== 'widget' || MOUNTABLE_WIDGETS.includes(`${m.gateway}/${m.method}`)),
  );
}

/** How an order is shown while it waits: a QR (qr, link), the card form, the scan hint, or
 * the card terminal's panel (no QR). */
export type SaleVisual = 'qr' | 'widget' | 'barcode' | 'terminal';

export function saleVisual(kind: string | null | undefined): SaleVisual {
  if (kind === 'widget') return 'widget';
  if (kind === 'barcode') return 'barcode';
  if (kind === 'terminal') return 'terminal';
  return 'qr';
}

/**
 * How an order on screen is taken: its method's kind, or, for a method the core no longer
 * lists, the embedded form its payload names ('widget'); null when neither says.
 */
export function orderKind(
  order: Pick<OrderView, 'gateway' | 'method' | 'paymentPayload'>,
  methods: readonly MethodInfo[],
): MethodKind | null {
  const method = methods.find((m) => m.gateway === order.gateway && m.method === order.method);
  if (method) return method.kind;
  return widgetMount(order.gateway, order.method, order.paymentPayload) ? 'widget' : null;
}

export type ScanResult = { ok: true; code: string } | { ok: false; message: string };

/**
 * A scanned (or typed) payment code, ready for the core: surrounding whitespace and the
 * spaces or dashes a person types between digit groups are dropped; anything else that is
 * not a digit is refused rather than silently removed, since it means a misread. The core
 * checks the code's length and prefix.
 */
export function normaliseScan(text: string): ScanResult {
  const code = text.trim().replace(/[\s-]+/g, '');
  if (code === '') return { ok: false, message: t('counter.scan.empty') };
  if (!/^\d+$/.test(code)) {
    return { ok: false, message: t('counter.scan.digits_only') };
  }
  return { ok: true, code };
}

/** Where Enter in the amount field goes: straight to the scanner field for a barcode sale. */
export function amountEnterAction(kind: string | null | undefined): 'submit' | 'focus-barcode' {
  return kind === 'barcode' ? 'focus-barcode' : 'submit';
}

/** What the cashier reads when the customer's wallet declines a scanned code. */
export function declinedScanMessage(): string {
  return t('counter.scan.declined');
}

/**
 * A scanned code whose order came back already over and not paid (the wallet declined it, or
 * the gateway closed it at once): the cashier stays on the entry form to scan again.
 */
export function isDeclinedScan(kind: string | null | undefined, status: string): boolean {
  if (kind !== 'barcode') return false;
  return status === 'failed' || status === 'cancelled' || status === 'expired' || status === 'voided';
}

/** A sale ready to create (its method, and a scan sale's code), or why not and which field
 * the cashier is sent back to. */
export type SaleCheck<M> =
  | { ok: true; method: M; code?: string }
  | { ok: false; error: AppError; focus: 'amount' | 'barcode' | null };

/**
 * The entry form as the cashier left it, checked before the core is asked: a method, an
 * amount, and for a scan sale a code the scanner read well (`code`, ready to send).
 */
export function checkSale<M extends Pick<MethodInfo, 'kind'>>(method: M | null, amount: string, code: string): SaleCheck<M> {
  if (!method) {
    return { ok: false, error: { code: 'invalid_input', message: t('counter.check.method'), field: 'method' }, focus: null };
  }
  if (amount.trim() === '') {
    return { ok: false, error: { code: 'invalid_amount', message: t('counter.check.amount'), field: 'amount' }, focus: 'amount' };
  }
  if (method.kind !== 'barcode') return { ok: true, method };
  const scan = normaliseScan(code);
  if (!scan.ok) return { ok: false, error: { code: 'invalid_input', message: scan.message, field: 'code' }, focus: 'barcode' };
  return { ok: true, method, code: scan.code };
}

// ---- The shop's methods, most used first ----

/** Whether a key of `shop.methods` names this method (`wechat-qr`, or `iotpay/wechat-qr`). */
function namesMethod(key: string, m: MethodInfo): boolean {
  const k = key.trim();
  return k === m.method || k === `${m.gateway}/${m.method}` || k === `${m.gateway}:${m.method}`;
}

/**
 * The methods the counter offers: those of the shop (`app_info.shopMethods`, already most used
 * first) in that order; every counter method when the shop chose none.
 */
export function shopCounterMethods(methods: readonly MethodInfo[], shopMethods: readonly string[] | undefined): MethodInfo[] {
  const offered = counterMethods(methods);
  const keys = (shopMethods ?? []).filter((k) => k.trim() !== '');
  if (keys.length === 0) return offered;
  const chosen: MethodInfo[] = [];
  for (const key of keys) {
    for (const m of offered) {
      if (namesMethod(key, m) && !chosen.includes(m)) chosen.push(m);
    }
  }
  return chosen;
}

/** The method selected when the counter opens: the one used last if still offered, else the first. */
export function firstMethodKey(offered: readonly MethodInfo[], lastUsed: string | null): string | null {
  if (lastUsed && offered.some((m) => methodKey(m) === lastUsed)) return lastUsed;
  return offered.length > 0 ? methodKey(offered[0]) : null;
}

// ---- Currency changes with the method ----

/** Digits after the decimal point of an amount as typed ("12.5" -> 1, "12" -> 0). */
export function typedDecimals(amount: string): number {
  const text = amount.trim();
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

export interface CurrencySwitch {
  /** Shown next to the amount: the cashier sees the change. Null when nothing changed. */
  notice: string | null;
  /** The typed amount does not fit the new currency: shown on the amount field. */
  amountError: string | null;
}

/**
 * What the counter says when a method changes the currency from `from` to `to` with
 * `amount` typed: never silently (a notice), and an amount with more decimals than the new
 * currency has is flagged rather than sent.
 */
export function currencySwitch(from: string, to: string, amount: string, decimalsOf: (currency: string) => number): CurrencySwitch {
  if (from === to) return { notice: null, amountError: null };
  const typed = amount.trim() !== '';
  const notice = t(typed ? 'counter.currency.changed_check' : 'counter.currency.changed', { currency: to });
  const places = decimalsOf(to);
  if (typed && typedDecimals(amount) > places) {
    const amountError =
      places === 0
        ? t('counter.currency.no_decimals', { currency: to })
        : t('counter.currency.max_decimals', { currency: to, places });
    return { notice, amountError };
  }
  return { notice, amountError: null };
}

// ---- The waiting screen's words ----

/** The last six characters of an order number: what a cashier reads out (the full one on hover). */
export function shortOrderNo(merchantOrderNo: string): string {
  return merchantOrderNo.length <= 6 ? merchantOrderNo : merchantOrderNo.slice(-6);
}

/**
 * What the customer does with the QR on screen, in words, by method, in `lang` (default: the
 * window's; the customer display passes the sale's).
 */
export function scanPrompt(method: string, lang: Language = language.window): string {
  return tIn(lang, scanPromptKey(method));
}

function scanPromptKey(method: string): MessageKey {
  switch (method) {
    case 'wechat-qr':
      return 'counter.prompt.wechat';
    case 'alipay-qr':
      return 'counter.prompt.alipay';
    case 'unionpay-qr':
      return 'counter.prompt.unionpay';
    case 'upi':
      return 'counter.prompt.upi';
    case 'exchange':
    case 'alipay-web':
    case 'unionpay-web':
    case 'card-link':
      return 'counter.prompt.payment_page';
    default:
      return 'counter.prompt.phone';
  }
}

// ---- Sales waiting in the background ----

/** A sale that can still be paid: created, pending or authorized. */
export function isWaitingStatus(status: string): boolean {
  return status === 'created' || status === 'pending' || status === 'authorized';
}

/** What the cashier reads after a key that would leave a sale the customer can still pay. */
export function waitingKeysHint(): string {
  return t('counter.waiting_keys_hint');
}

/** What Enter or Esc does with a sale on screen. */
export type SaleKeyAction = 'close-confirmation' | 'explain' | 'next-sale';

/**
 * Enter and Esc with a sale on screen. A waiting sale is never left by a key: Esc closes the
 * cancel confirmation at most, and Enter (a second press, a scanner's) presses nothing but the
 * confirmation's own buttons (`inConfirmation`: the key went to one of them; null: the key is
 * left alone). A sale that is over: either key starts the next one.
 */
export function saleKeyAction(key: string, status: string, confirming: boolean, inConfirmation: boolean): SaleKeyAction | null {
  if (key !== 'Enter' && key !== 'Escape') return null;
  if (!isWaitingStatus(status)) return 'next-sale';
  if (key === 'Escape') return confirming ? 'close-confirmation' : 'explain';
  return inConfirmation ? null : 'explain';
}

/** The counter's sales off screen: those still waiting (the strip), paid ones to announce. */
export interface Background {
  /** Still waiting, newest first. */
  waiting: OrderView[];
  /** Paid after they left the screen, newest first, until the cashier opens or dismisses them. */
  notices: OrderView[];
  /** Sales that left the screen unpaid (cancelled, expired, failed), with how they ended: a
   * payment that still arrives is announced, with what to do about it. */
  left: { id: number; status: string }[];
  /** For a notice of a payment that came after its sale had ended: what the cashier does. */
  lateNotes: Record<number, string>;
}

export function emptyBackground(): Background {
  return { waiting: [], notices: [], left: [], lateNotes: {} };
}

function newestFirst(a: OrderView, b: OrderView): number {
  return b.id - a.id;
}

/** A sale goes off screen: waiting ones to the strip, others remembered for a late payment. */
export function sendToBackground(state: Background, order: OrderView): Background {
  const waiting = state.waiting.filter((o) => o.id !== order.id);
  const left = state.left.filter((l) => l.id !== order.id);
  if (isWaitingStatus(order.status)) waiting.push(order);
  else if (order.status !== 'paid') left.push({ id: order.id, status: order.status });
  return { ...state, waiting: waiting.sort(newestFirst), left };
}

/** Waiting sales found in the ledger at start: added to the strip (not the one on screen). */
export function withLedgerSales(state: Background, found: readonly OrderView[], onScreen: number | null): Background {
  let next = state;
  for (const order of found) {
    if (order.id === onScreen || !isWaitingStatus(order.status)) continue;
    if (next.waiting.some((o) => o.id === order.id)) continue;
    next = sendToBackground(next, order);
  }
  return next;
}

/** A sale comes back on screen: out of the strip and the notices. */
export function takeFromBackground(state: Background, id: number): Background {
  return {
    waiting: state.waiting.filter((o) => o.id !== id),
    notices: state.notices.filter((o) => o.id !== id),
    left: state.left.filter((l) => l.id !== id),
    lateNotes: withoutKey(state.lateNotes, id),
  };
}

function withoutKey(notes: Record<number, string>, id: number): Record<number, string> {
  const rest = { ...notes };
  delete rest[id];
  return rest;
}

export function dismissNotice(state: Background, id: number): Background {
  return { ...state, notices: state.notices.filter((o) => o.id !== id), lateNotes: withoutKey(state.lateNotes, id) };
}

/** What a cashier does about a payment that arrived after its sale had ended unpaid. */
export function latePaymentNote(endedAs: string): string {
  return t(endedAs === 'cancelled' ? 'counter.late.cancelled' : 'counter.late.ended');
}

/**
 * An update of a sale that is not on screen. A waiting one is refreshed in the strip; one that
 * turned paid leaves the strip and is announced (`announce`: chime and notice); one that ended
 * unpaid leaves the strip and is remembered. Sales this counter never had are ignored.
 */
export function backgroundUpdate(state: Background, next: OrderView): { state: Background; announce: boolean } {
  const inStrip = state.waiting.find((o) => o.id === next.id);
  const ended = state.left.find((l) => l.id === next.id);
  const known = inStrip !== undefined || ended !== undefined;
  if (!known) return { state, announce: false };
  if (inStrip && Date.parse(next.updatedAt) < Date.parse(inStrip.updatedAt)) return { state, announce: false };
  if (isWaitingStatus(next.status)) {
    if (!inStrip) return { state, announce: false };
    return { state: { ...state, waiting: state.waiting.map((o) => (o.id === next.id ? next : o)) }, announce: false };
  }
  const rest = takeFromBackground(state, next.id);
  if (next.status === 'paid') {
    const lateNotes = ended ? { ...rest.lateNotes, [next.id]: latePaymentNote(ended.status) } : rest.lateNotes;
    return { state: { ...rest, notices: [next, ...rest.notices], lateNotes }, announce: true };
  }
  return { state: { ...rest, left: [...rest.left, { id: next.id, status: next.status }] }, announce: false };
}

/** Why "Cancel sale" did not cancel, in a cashier's words (the gateway's own text stays in the
 * order's history, never on the counter). */
export function cancelFailureMessage(error: { code: string; message: string }): string {
  switch (error.code) {
    case 'not_waiting':
      return t('counter.cancel_failed.not_waiting');
    case 'gateway_rejected':
      return t('counter.cancel_failed.rejected');
    case 'gateway_unreachable':
    case 'gateway_pending':
    case 'gateway_protocol':
      return t('counter.cancel_failed.no_answer');
    case 'not_found':
      return t('counter.cancel_failed.not_found');
    default:
      return t('counter.cancel_failed.other', { reason: errorText({ ...error, field: null }) });
  }
}

/**
 * What the cashier reads when a payment could not be created. The core's own words for input
 * (amount, currency, code) are plain already; a gateway's refusal carries its code and text,
 * which belong to the order's technical details, not the counter.
 */
export function createFailureMessage(error: { code: string; message: string }): string {
  if (error.code === 'gateway_rejected') {
    return t('counter.create_failed.rejected');
  }
  return errorText({ ...error, field: null });
}
