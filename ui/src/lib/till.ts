/**
 * Who is at the till: the sign-in pad's choices, the roles and what each may do (in words),
 * which dialog a refusal of the core opens, how a guarded action is tried (on one's own, or
 * with an approval's PIN), and the idle rule. The core decides every time (staff/mod.rs);
 * this only chooses what the window asks first, so a cashier is not sent a refusal to read.
 */
import { ownerStatus, type OwnerStatus, type Permission, type Person, type Role, type TillStatus } from './api';
import { errorText, toAppError, type AppError } from './errors';
import { language, t, tIn, type MessageKey } from './i18n';
import { withOwnerPin, type PinRequest } from './ownerPin';

// ---- Roles and what they may do ----

export const ROLES: readonly Role[] = ['cashier', 'manager', 'owner'];

const ROLE_LABELS: Record<Role, MessageKey> = { cashier: 'role.cashier', manager: 'role.manager', owner: 'role.owner' };

/** A role's name in the window's language; a role this window does not know, as the core wrote it. */
export function roleLabel(role: Role): string {
  const key = ROLE_LABELS[role];
  return key ? t(key) : role;
}

const MANAGER_MAY: readonly Permission[] = ['sell', 'shift', 'refund', 'settle', 'seeAllOrders'];
const CASHIER_MAY: readonly Permission[] = ['sell', 'shift'];

/** What `role` may do on its own authority: the core's `Role::permits`, for the words shown. */
export function rolePermits(role: Role, what: Permission): boolean {
  if (role === 'owner') return true;
  return (role === 'manager' ? MANAGER_MAY : CASHIER_MAY).includes(what);
}

/** A permission with its words: `words` is read when shown, so it is in the window's language. */
function permission(what: Permission, key: MessageKey): { readonly permission: Permission; readonly words: string } {
  return {
    permission: what,
    get words() {
      return t(key);
    },
  };
}

/** Every permission in plain words, in the order the roles table lists them. */
export const PERMISSION_WORDS: readonly { readonly permission: Permission; readonly words: string }[] = [
  permission('sell', 'permission.sell'),
  permission('shift', 'permission.shift'),
  permission('refund', 'permission.refund'),
  permission('settle', 'permission.settle'),
  permission('seeAllOrders', 'permission.see_all_orders'),
  permission('export', 'permission.export'),
  permission('settings', 'permission.settings'),
  permission('credentials', 'permission.credentials'),
  permission('staff', 'permission.staff'),
  permission('shop', 'permission.shop'),
  permission('audit', 'permission.audit'),
];

/** Who may approve `what` for someone who may not: "a manager or the owner", or "the owner". */
export function whoApproves(what: Permission): string {
  return t(rolePermits('manager', what) ? 'till.approver.manager_or_owner' : 'till.approver.owner');
}

/** Whose PIN the approval dialog asks: "a manager's or the owner's PIN", or "the owner's PIN". */
export function approverPin(what: Permission): string {
  return t(rolePermits('manager', what) ? 'till.approver_pin.manager_or_owner' : 'till.approver_pin.owner');
}

// ---- The bar and the pad ----

/** The bar's words for who is signed in: "Ann · Cashier". */
export function personLabel(person: Person): string {
  return t('till.person', { name: person.name, role: roleLabel(person.role) });
}

/** Whether the counter must show the sign-in pad: the shop asks, and no one is signed in. */
export function padNeeded(status: TillStatus | null): boolean {
  return status !== null && status.signInRequired && status.signedIn === null;
}

/** The most names a digit picks on the pad (1 to 9); more are listed without one. */
export const PAD_DIGITS = 9;

/** The person a digit key picks on the pad ('1' is the first), or null. */
export function personForKey(staff: readonly Person[], key: string): Person | null {
  if (!/^[1-9]$/.test(key)) return null;
  const index = Number(key) - 1;
  return index < Math.min(staff.length, PAD_DIGITS) ? staff[index] : null;
}

/** The digit key that picks `index` on the pad ("1"...), or null past the ninth. */
export function padKey(index: number): string | null {
  return index >= 0 && index < PAD_DIGITS ? String(index + 1) : null;
}

// ---- What a refusal opens ----

/** Refusals a manager's or the owner's PIN can answer: the approval dialog, then the same command again. */
const APPROVAL_CODES = new Set(['needs_approval', 'pin_required', 'over_cap']);

export type TillAnswer = 'approve' | 'sign-in' | 'open-shift' | 'carry';

/**
 * What the window offers for a refusal: an approval (`needs_approval`, `pin_required`,
 * `over_cap`), the sign-in pad (`sign_in_required`, `signed_out`), "Open shift"
 * (`no_open_shift`), "Close and carry them" (`waiting_sales`); null: the message alone.
 */
export function answerFor(error: Pick<AppError, 'code'>): TillAnswer | null {
  if (APPROVAL_CODES.has(error.code)) return 'approve';
  switch (error.code) {
    case 'sign_in_required':
    case 'signed_out':
      return 'sign-in';
    case 'no_open_shift':
      return 'open-shift';
    case 'waiting_sales':
      return 'carry';
    default:
      return null;
  }
}

/** Whether the signed-in person may do `what` without anyone's approval (as the core said). */
export function mayOnOwn(status: TillStatus | null, what: Permission): boolean {
  return status?.signedIn != null && status.permissions.includes(what);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * `request` as an approval: its heading says whose PIN ("Approval: a manager or the owner
 * types their PIN"), its title what and for whom ("Approve: refund 5.00 CAD of order PD1 for
 * Ann"), and `note` why, in the core's words when it said (a manager's cap).
 */
export function approvalRequest(request: PinRequest, what: Permission, status: TillStatus | null, note?: string): PinRequest {
  const action = lowerFirst(request.title);
  const managerMay = rolePermits('manager', what);
  return {
    ...request,
    heading: t(managerMay ? 'till.approval_heading.manager_or_owner' : 'till.approval_heading.owner'),
    title: status?.signedIn
      ? t('till.approve_title_for', { action, name: status.signedIn.name })
      : t('till.approve_title', { action }),
    note: note ?? request.note,
  };
}

/**
 * Runs a guarded action the way the till is: when the core lets whoever is at the till (or no
 * one, where it does) do it, at once on that authority (pin ""), and if the core asks for an
 * approval after all (a manager over the cap, say) the dialog with its words; with someone
 * signed in who may not, or no one signed in in a shop with staff accounts, the approval
 * dialog first (a manager's or the owner's PIN); in a shop run by its owner alone, as before
 * staff accounts: the owner's PIN dialog first (`withOwnerPin`). `ask` shows the dialog;
 * anything else that goes wrong goes to `onerror`.
 */
export async function guarded(
  what: Permission,
  request: PinRequest,
  status: TillStatus | null,
  ask: (request: PinRequest) => void,
  onerror: (error: AppError) => void,
  pinStatus: () => Promise<OwnerStatus> = ownerStatus,
): Promise<void> {
  const staffed = status !== null && (status.signedIn !== null || status.signInRequired);
  if (status?.permissions.includes(what)) {
    try {
      await request.action('');
    } catch (caught) {
      const error = toAppError(caught);
      if (answerFor(error) !== 'approve') onerror(error);
      else ask(staffed ? approvalRequest(request, what, status, errorText(error)) : { ...request, note: errorText(error) });
    }
    return;
  }
  if (staffed) {
    ask(approvalRequest(request, what, status));
    return;
  }
  await withOwnerPin(request, ask, onerror, pinStatus);
}

/** Codes the PIN dialog stays open on, saying why (a wrong PIN, an approver over their cap). */
const DIALOG_CODES = new Set(['forbidden', 'pin_required', 'pin_wrong', 'locked_out', 'needs_approval', 'not_permitted', 'over_cap']);

/** Whether the PIN dialog keeps a refusal (another PIN may do) rather than closing on it. */
export function staysInDialog(error: Pick<AppError, 'code' | 'field'>): boolean {
  return DIALOG_CODES.has(error.code) || error.field === 'pin';
}

/**
 * A refused PIN in words. In a shop run by its owner alone "a manager or the owner" is the
 * owner: "wrong PIN for a manager or the owner: 4 tries left" reads "Wrong owner PIN: 4 tries
 * left". Otherwise the core's words, with a capital. The core writes English: in another
 * language the code's message comes first, the core's sentence as detail (`errorText`).
 */
export function refusalWords(error: Pick<AppError, 'message'> & Partial<Pick<AppError, 'code' | 'params'>>, ownerOnly: boolean): string {
  if (language.window !== 'en' && error.message.trim() !== '') {
    return errorText({ code: error.code ?? 'pin_wrong', message: error.message, field: null, params: error.params ?? {} });
  }
  let text = error.message.trim() || t('till.wrong_pin');
  if (ownerOnly) text = text.replace(/^wrong PIN for a manager or the owner\b/i, tIn('en', 'till.wrong_owner_pin'));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- Idle: the window signs its person out after the owner's minutes without activity ----

/** When a till last used at `lastActivityMs` is idle (ms), or null: never (0 minutes). */
export function idleAt(lastActivityMs: number, idleMinutes: number): number | null {
  if (!(idleMinutes > 0)) return null;
  return lastActivityMs + idleMinutes * 60_000;
}

/** Whether a till last used at `lastActivityMs` is idle at `nowMs`. */
export function isIdle(lastActivityMs: number, nowMs: number, idleMinutes: number): boolean {
  const at = idleAt(lastActivityMs, idleMinutes);
  return at !== null && nowMs >= at;
}

/** How often the window looks at the idle clock (and asks the core who is signed in), ms. */
export const IDLE_CHECK_MS = 15_000;
