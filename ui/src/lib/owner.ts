/** The owner's desk: PIN format, what an order can still give back, refund amount checks. */
import type { OrderView, Refund } from './api';
import type { AppError } from './errors';
import { t } from './i18n';
import { moneyText } from './money';
import { amountInWords } from './words';

/** A PIN typed in is 4 to 12 digits (an owner PIN from before staff accounts may be 12). */
export const PIN_MIN = 4;
export const PIN_MAX = 12;
/** A new PIN (setup, a change, a staff member's) is 4 to 8 digits: the core's pins.rs `PIN_DIGITS`. */
export const NEW_PIN_MAX = 8;

/** Whether `pin` may be chosen as a new PIN: 4 to 8 digits. */
export function isValidNewPin(pin: string): boolean {
  return new RegExp(`^[0-9]{${PIN_MIN},${NEW_PIN_MAX}}$`).test(pin);
}

export function isValidPin(pin: string): boolean {
  return new RegExp(`^[0-9]{${PIN_MIN},${PIN_MAX}}$`).test(pin);
}

/** What may be typed in a PIN field: digits only, at most PIN_MAX of them. */
export function sanitizePin(text: string): string {
  return text.replace(/[^0-9]/g, '').slice(0, PIN_MAX);
}

/** Why a PIN is refused before it is sent, or null when it is well formed. */
export function pinProblem(pin: string): string | null {
  if (pin === '') return t('owner.pin.enter');
  if (!isValidPin(pin)) return t('owner.pin.length', { min: PIN_MIN, max: PIN_MAX });
  return null;
}

/** Digits after the decimal point, as the core's money.rs has them; 2 for anything else. */
const DECIMALS: Record<string, number> = { JPY: 0, KRW: 0, KWD: 3, BHD: 3 };

export function currencyDecimals(currency: string): number {
  return DECIMALS[currency.toUpperCase()] ?? 2;
}

/** Minor units as the plain decimal text the core parses back: 750 CAD -> "7.50", 1500 JPY -> "1500". */
export function formatMinor(minor: number, currency: string): string {
  const decimals = currencyDecimals(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(Math.trunc(minor))).padStart(decimals + 1, '0');
  const whole = decimals === 0 ? digits : digits.slice(0, -decimals);
  const text = decimals === 0 ? whole : `${whole}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

/**
 * An amount with its currency, as the owner reads it in the window's language: 750 CAD ->
 * "7.50 CAD" (« 7,50 $ » in French). For reading only: fields take `formatMinor`'s text.
 */
export function formatMoney(minor: number, currency: string): string {
  return moneyText(minor, currency);
}

/**
 * What refunds and voids whose outcome is unknown (pending) hold back: the core counts them
 * against what is left until they are resent or settled.
 */
export function heldMinor(refunds: readonly Pick<Refund, 'status' | 'amountMinor'>[]): number {
  return refunds.filter((r) => r.status === 'pending').reduce((sum, r) => sum + r.amountMinor, 0);
}

/** What is left to refund: the amount less everything refunded, and less `held` (pending). */
export function refundableMinor(order: Pick<OrderView, 'amountMinor' | 'refundedMinor'>, held = 0): number {
  return Math.max(0, order.amountMinor - (order.refundedMinor ?? 0) - held);
}

/** The refund amount field's first value: all that is left, in the currency's decimals. */
export function refundPrefill(order: Pick<OrderView, 'amountMinor' | 'refundedMinor' | 'currency'>, held = 0): string {
  return formatMinor(refundableMinor(order, held), order.currency);
}

export type AmountCheck = { ok: true; minor: number } | { ok: false; message: string };

/**
 * Checks a refund amount as typed, the way the core will: digits with at most one '.', at
 * most the currency's decimals, more than zero and no more than what is left.
 */
export function checkRefundAmount(text: string, currency: string, leftMinor: number): AmountCheck {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: t('owner.refund_amount.empty') };
  const match = /^([0-9]*)(?:\.([0-9]*))?$/.exec(trimmed);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) {
    return { ok: false, message: t('owner.refund_amount.not_amount', { text: trimmed }) };
  }
  const decimals = currencyDecimals(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    return {
      ok: false,
      message: t('owner.refund_amount.decimals', { currency, decimals }),
    };
  }
  const whole = match[1].replace(/^0+/, '');
  if (whole.length > 9) return { ok: false, message: t('owner.refund_amount.too_much', { text: trimmed }) };
  const minor = Number(whole || '0') * 10 ** decimals + Number(fraction.padEnd(decimals, '0') || '0');
  if (minor <= 0) return { ok: false, message: t('owner.refund_amount.zero') };
  if (minor > leftMinor) {
    return {
      ok: false,
      message: t('owner.refund_amount.more_than_left', { text: trimmed, left: formatMoney(leftMinor, currency) }),
    };
  }
  return { ok: true, minor };
}

const REFUNDABLE = new Set(['paid', 'partially_refunded']);
const VOIDABLE_METHODS = new Set(['card', 'card-link', 'card-token', 'smartpay-card']);

/**
 * Sales given back outside Paydesk: a card-terminal sale is refunded on the terminal itself
 * (the core refuses it with `refund_on_terminal`), so the detail offers neither Refund nor Void.
 */
const REFUNDED_ON_TERMINAL = new Set(['card-terminal']);

/** Whether the order detail offers Refund: a paid order with something left. */
export function canRefund(
  order: Pick<OrderView, 'status' | 'amountMinor' | 'refundedMinor'> & { method?: OrderView['method'] },
  held = 0,
): boolean {
  if (order.method !== undefined && REFUNDED_ON_TERMINAL.has(order.method)) return false;
  return REFUNDABLE.has(order.status) && refundableMinor(order, held) > 0;
}

/** What the detail says instead of Refund for a paid sale given back elsewhere; null for others. */
export function refundElsewhere(order: Pick<OrderView, 'status' | 'method'>): string | null {
  if (!REFUNDED_ON_TERMINAL.has(order.method) || !REFUNDABLE.has(order.status)) return null;
  return t('owner.refund_on_terminal');
}

/** Whether it offers Void: a paid card order not refunded yet (wallet payments cannot be voided). */
export function canVoid(order: Pick<OrderView, 'status' | 'method' | 'refundedMinor'>, held = 0): boolean {
  return (
    (order.status === 'paid' || order.status === 'authorized') &&
    VOIDABLE_METHODS.has(order.method) &&
    (order.refundedMinor ?? 0) === 0 &&
    held === 0
  );
}

// ---- Refunds and voids made ----

/** A reversal's name for people: "Refund" or "Void". */
export function reversalName(kind: Refund['kind']): string {
  return kind === 'void' ? t('owner.reversal.void') : t('owner.reversal.refund');
}

/** A reversal and its amount, as its heading reads: "Refund 5.00 CAD", "Void 21.00 CAD". */
export function reversalHeading(kind: Refund['kind'], minor: number, currency: string): string {
  const amount = formatMoney(minor, currency);
  return kind === 'void' ? t('owner.reversal.void_of', { amount }) : t('owner.reversal.refund_of', { amount });
}

/** Who made a refund or void, and who approved it: "by Ann, approved by Max" ("" when unknown). */
export function reversalWho(refund: Pick<Refund, 'staff' | 'approver'>): string {
  if (refund.staff && refund.approver) return t('owner.reversal.by_approved', { staff: refund.staff, approver: refund.approver });
  if (refund.staff) return t('owner.reversal.by', { staff: refund.staff });
  if (refund.approver) return t('owner.reversal.approved', { approver: refund.approver });
  return '';
}

/** The refund or void just made: the newest of an order's (the highest id). */
export function newestRefund(refunds: readonly Refund[]): Refund | null {
  return refunds.reduce<Refund | null>((kept, r) => (kept && kept.id > r.id ? kept : r), null);
}

/** A reversal the gateway did not clearly answer is pending, never "done": what the owner reads. */
export function unansweredReversal(what: string): AppError {
  return {
    code: 'outcome_unknown',
    field: null,
    message: t('owner.reversal.unanswered', { what }),
  };
}

// ---- The PIN dialog: the line the owner confirms, and what a wrong PIN says ----

/**
 * The amount as shown and as said: "7.50 CAD — seven dollars and fifty cents". The words are
 * English (words.ts); a language whose catalogue leaves `{words}` out shows the figure alone.
 */
export function amountLine(minor: number, currency: string): string {
  return t('owner.amount_line', { amount: formatMoney(minor, currency), words: amountInWords(minor, currency) });
}

/** "Refund 7.50 CAD — seven dollars and fifty cents — to the customer?" */
export function refundQuestion(minor: number, currency: string): string {
  return t('owner.refund_question', { amount: formatMoney(minor, currency), words: amountInWords(minor, currency) });
}

/** "Void the card payment of 21.00 CAD — twenty-one dollars? The customer is not charged." */
export function voidQuestion(minor: number, currency: string): string {
  return t('owner.void_question', { amount: formatMoney(minor, currency), words: amountInWords(minor, currency) });
}

/** Error codes of an owner action refused for its PIN (the core's owner.rs). */
const PIN_CODES = new Set(['forbidden', 'pin_required', 'pin_wrong', 'locked_out']);

/** Whether an error is about the PIN (the dialog stays open) rather than the action. */
export function isPinError(error: { code: string; field: string | null }): boolean {
  return PIN_CODES.has(error.code) || error.field === 'pin';
}

/** How many tries the core says are left, when it says so ("... 3 tries left ..."). */
export function triesLeft(message: string): number | null {
  const match = /\b(\d+)\s+(?:more\s+)?(?:tries|try|attempts?)\s+left\b/i.exec(message);
  if (match) return Number(match[1]);
  if (/\bno (?:more )?(?:tries|attempts) left\b/i.test(message)) return 0;
  return null;
}

/** Whether the core refuses every PIN for a while (too many wrong ones). */
export function isLockedOut(error: { code: string; message: string }): boolean {
  return error.code === 'locked_out' || /too many wrong PINs/i.test(error.message);
}

/**
 * What the dialog says after a refused PIN: the core's words with a capital. The core says how
 * many tries are left before the wait ("wrong owner PIN: 3 tries left"); that count is the
 * ledger's (shared with the CLI and other dialogs), so the window never counts on its own.
 */
export function pinRefusal(error: { code: string; message: string }): string {
  const text = error.message.trim() || t('owner.pin.wrong');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
