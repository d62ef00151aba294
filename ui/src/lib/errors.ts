import type { ErrorPayload } from './bindings';
import { language, tIn, type Language, type MessageKey } from './i18n';

/**
 * The error shape every Paydesk command rejects with (the core's ErrorPayload: `field` names
 * the form field at fault, if any); a failure of the IPC layer itself is put in the same shape.
 */
export type AppError = ErrorPayload;

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
  // A card-terminal sale's refund or void (gateways iotpay/adapter.rs): made on the terminal.
  | 'refund_on_terminal'
  | 'storage'
  | 'vault'
  | 'internal';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
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
  refund_on_terminal: 'owner.refund_on_terminal',
  storage: 'error.storage',
  vault: 'error.vault',
  internal: 'error.internal',
};

/**
 * What a person reads for an error, in `lang` (default: the window's). The core writes its
 * `message` in English and sends no parameters yet, so in English that sentence is shown as it
 * is (it is the precise one); in another language the code's own message comes first and the
 * core's sentence follows as detail (a code the UI does not know reads as `internal`).
 */
export function errorText(error: AppError, lang: Language = language.window): string {
  if (lang === 'en' || error.message.trim() === '') {
    return error.message.trim() === '' ? tIn(lang, messageKeyOf(error.code)) : error.message;
  }
  return tIn(lang, 'error.with_detail', { message: tIn(lang, messageKeyOf(error.code)), detail: error.message });
}

function messageKeyOf(code: string): MessageKey {
  return Object.prototype.hasOwnProperty.call(ERROR_WORDS, code) ? ERROR_WORDS[code as AppErrorCode] : 'error.internal';
}
