import type { ErrorPayload } from './bindings';
import { language, tIn, type Language, type MessageKey } from './i18n';
import type { MessageValues } from './i18n/translate';
import { methodName } from './methods';
import { moneyText } from './money';
import { gatewayName } from './setup';

/**
 * The error shape every Paydesk command rejects with (the core's ErrorPayload: `field` names
 * the form field at fault, if any; `params` the values its message is made of). An error the
 * window makes itself (a form check, a failure of the IPC layer) has no `params`: its message
 * is already in the window's words.
 */
export type AppError = Omit<ErrorPayload, 'params'> & { params?: ErrorPayload['params'] };

/** Error codes the UI branches on; the core may send others, which are treated like `internal`. */
export type AppErrorCode =
  | 'invalid_amount'
  | 'invalid_currency'
  | 'invalid_input'
  | 'unsupported_method'
  | 'gateway_rejected'
  | 'gateway_unreachable'
  | 'not_found'
  | 'forbidden'
  | 'pin_required'
  | 'pin_wrong'
  | 'locked_out'
  | 'already_set_up'
  // Staff, approvals and shifts (the core's staff/mod.rs, shifts.rs).
  | 'needs_approval'
  | 'over_cap'
  | 'not_permitted'
  | 'sign_in_required'
  | 'signed_out'
  | 'no_open_shift'
  | 'shift_open'
  | 'waiting_sales'
  | 'last_owner'
  | 'name_taken'
  | 'no_such_staff'
  | 'shift_sealed'
  | 'z_tampered'
  // A card-terminal sale's refund or void (gateways iotpay/adapter.rs): made on the terminal.
  | 'refund_on_terminal'
  // Tips (domain/tip.rs, core/tips.rs), sales, receipts.
  | 'tip_too_large'
  | 'tips_off'
  | 'tip_not_taken'
  | 'not_waiting'
  | 'no_receipt'
  | 'no_printer'
  // The shop ledger (core/shop.rs, ledger/shop/).
  | 'shop_member'
  | 'not_in_shop'
  | 'shop_unreachable'
  | 'shop'
  | 'shop_order_unknown'
  | 'counter_taken'
  // A gateway's answer left the outcome open (never a refusal).
  | 'gateway_pending'
  | 'gateway_protocol'
  // Restore and updates (ledger/backup.rs, shell/updates.rs).
  | 'app_open'
  | 'update_refused'
  | 'update_unreachable'
  | 'update_failed'
  | 'updates_off'
  | 'sale_open'
  | 'storage'
  | 'vault'
  | 'internal';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isParams(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

export function isAppError(value: unknown): value is AppError {
  return (
    isRecord(value) &&
    typeof value.code === 'string' &&
    typeof value.message === 'string' &&
    (value.field === undefined || value.field === null || typeof value.field === 'string')
  );
}

/**
 * Normalises anything a command promise can reject with into an AppError.
 * A rejection that is not shaped like an AppError (a bare string, an Error thrown by
 * the IPC layer, ...) becomes `{ code: 'internal', message, field: null }`.
 */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) {
    return {
      code: error.code,
      message: error.message,
      field: typeof error.field === 'string' && error.field !== '' ? error.field : null,
      ...(isParams(error.params) ? { params: error.params } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: message || tIn(language.window, 'error.unexpected'), field: null };
}

/** Each code the UI knows, in words (a code written out in full, so the catalogue test sees it). */
const ERROR_WORDS: Record<AppErrorCode, MessageKey> = {
  invalid_amount: 'error.invalid_amount',
  invalid_currency: 'error.invalid_currency',
  invalid_input: 'error.invalid_input',
  unsupported_method: 'error.unsupported_method',
  gateway_rejected: 'error.gateway_rejected',
  gateway_unreachable: 'error.gateway_unreachable',
  not_found: 'error.not_found',
  forbidden: 'error.forbidden',
  pin_required: 'error.pin_required',
  pin_wrong: 'error.pin_wrong',
  locked_out: 'error.locked_out',
  already_set_up: 'error.already_set_up',
  needs_approval: 'error.needs_approval',
  over_cap: 'error.over_cap',
  not_permitted: 'error.not_permitted',
  sign_in_required: 'error.sign_in_required',
  signed_out: 'error.signed_out',
  no_open_shift: 'error.no_open_shift',
  shift_open: 'error.shift_open',
  waiting_sales: 'error.waiting_sales',
  last_owner: 'error.last_owner',
  name_taken: 'error.name_taken',
  no_such_staff: 'error.no_such_staff',
  shift_sealed: 'error.shift_sealed',
  z_tampered: 'error.z_tampered',
  refund_on_terminal: 'owner.refund_on_terminal',
  tip_too_large: 'error.tip_too_large',
  tips_off: 'error.tips_off',
  tip_not_taken: 'error.tip_not_taken',
  not_waiting: 'error.not_waiting',
  no_receipt: 'error.no_receipt',
  no_printer: 'error.no_printer',
  shop_member: 'error.shop_member',
  not_in_shop: 'error.not_in_shop',
  shop_unreachable: 'error.shop_unreachable',
  shop: 'error.shop',
  shop_order_unknown: 'error.shop_order_unknown',
  counter_taken: 'error.counter_taken',
  gateway_pending: 'error.gateway_pending',
  gateway_protocol: 'error.gateway_protocol',
  app_open: 'error.app_open',
  update_refused: 'error.update_refused',
  update_unreachable: 'error.update_unreachable',
  update_failed: 'error.update_failed',
  updates_off: 'error.updates_off',
  sale_open: 'error.sale_open',
  storage: 'error.storage',
  vault: 'error.vault',
  internal: 'error.internal',
};

/**
 * Codes whose own words say what happened but not the particulars, which only the core's
 * sentence holds (which field and why, the database's or the shop server's words, a signature
 * check's reason): in another language those are followed by the core's sentence as detail.
 */
const WITH_DETAIL: ReadonlySet<string> = new Set([
  'invalid_amount',
  'invalid_currency',
  'invalid_input',
  'unsupported_method',
  'not_waiting',
  'no_receipt',
  'shop_unreachable',
  'shop',
  'app_open',
  'update_refused',
  'update_unreachable',
  'update_failed',
  'updates_off',
  'storage',
  'vault',
  'internal',
]);

/** What a refusal's `action` param names, in words (written out for the catalogue test). */
const ACTION_WORDS: Record<string, MessageKey> = {
  sell: 'error.action.sell',
  shift: 'error.action.shift',
  refund: 'error.action.refund',
  settle: 'error.action.settle',
  see_all_orders: 'error.action.see_all_orders',
  export: 'error.action.export',
  settings: 'error.action.settings',
  credentials: 'error.action.credentials',
  staff: 'error.action.staff',
  shop: 'error.action.shop',
  audit: 'error.action.audit',
};

/** The params that are counts (ICU plurals choose by them). */
const COUNTS: ReadonlySet<string> = new Set(['tries_left', 'count', 'seconds']);

/**
 * The core's params as the message's arguments in `lang`: `<name>_minor` with `currency` is
 * the amount `<name>` as the language writes money; `action`, `method` and `gateway` are named
 * in words; a count is a number (for plurals); the rest goes as it came.
 */
export function errorArguments(params: Record<string, string>, lang: Language): MessageValues {
  const values: MessageValues = {};
  for (const [name, value] of Object.entries(params)) {
    const amount = /^(.+)_minor$/.exec(name);
    if (amount && params.currency && /^-?\d+$/.test(value)) {
      values[amount[1]] = moneyText(Number(value), params.currency, lang);
    } else if (name === 'action' && ACTION_WORDS[value]) {
      values.action = tIn(lang, ACTION_WORDS[value]);
    } else if (name === 'method') {
      values.method = methodName(value, undefined, lang);
    } else if (name === 'gateway') {
      values.gateway = gatewayName(value);
    } else {
      // Counts as numbers (ICU plurals); a name or an order number stays as it was written.
      values[name] = COUNTS.has(name) && /^-?\d+$/.test(value) ? Number(value) : value;
    }
  }
  return values;
}

/**
 * What a person reads for an error, in `lang` (default: the window's). In English the core's
 * own sentence is shown as it is (it is the precise one, and what the CLI prints); an error the
 * window made has its words already. In another language the code's message is filled with
 * the error's params; for the codes in WITH_DETAIL, and for a code the window does not know
 * (read as `internal`), the core's sentence follows as detail.
 */
export function errorText(error: AppError, lang: Language = language.window): string {
  const said = error.message.trim();
  if (said !== '' && (lang === 'en' || error.params === undefined)) return error.message;
  const known = Object.prototype.hasOwnProperty.call(ERROR_WORDS, error.code);
  const key = known ? ERROR_WORDS[error.code as AppErrorCode] : 'error.internal';
  const words = tIn(lang, key, errorArguments(error.params ?? {}, lang));
  // A message whose arguments did not come (an older core) reads as its key: say the code's
  // kind of trouble in general words with the core's sentence instead.
  if (words === key) return said === '' ? tIn(lang, 'error.internal') : tIn(lang, 'error.with_detail', { message: tIn(lang, 'error.internal'), detail: said });
  if (said === '' || (known && !WITH_DETAIL.has(error.code))) return words;
  return tIn(lang, 'error.with_detail', { message: words, detail: said });
}
