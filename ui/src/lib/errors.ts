import type { ErrorPayload } from './bindings';

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
  return { code: 'internal', message: message || 'Unexpected error', field: null };
}
