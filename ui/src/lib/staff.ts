/**
 * Settings' Staff section: a first check of what the owner types (a name, a role, a new PIN
 * twice, a manager's cap) before it is sent, in the core's words; the core checks it all
 * again and has the last word (staff/mod.rs, pins.rs).
 */
import type { RefundCap, Role, StaffMember } from './api';
import { currencyDecimals } from './currency';
import { formatDateTime } from './datetime';
import { t } from './i18n';
import { NEW_PIN_MAX, PIN_MIN, isValidNewPin } from './owner';
import { roleLabel } from './till';

export const NAME_MAX = 40;

/** Why a staff name is refused, or null: 1 to 40 characters on one line. */
export function nameProblem(name: string): string | null {
  const text = name.trim();
  if (text === '') return t('staff.name.empty');
  if ([...text].length > NAME_MAX) return t('staff.name.too_long', { max: NAME_MAX });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return t('staff.name.one_line');
  return null;
}

/** Why a new PIN typed twice is refused, with the box at fault, or null. */
export function newPinProblems(pin: string, repeat: string): { field: 'pin' | 'repeat'; message: string } | null {
  if (pin === '') return { field: 'pin', message: t('staff.pin.choose', { min: PIN_MIN, max: NEW_PIN_MAX }) };
  if (!isValidNewPin(pin)) return { field: 'pin', message: t('staff.pin.digits', { min: PIN_MIN, max: NEW_PIN_MAX }) };
  if (repeat === '') return { field: 'repeat', message: t('staff.pin.again') };
  if (repeat !== pin) return { field: 'repeat', message: t('staff.pin.not_same') };
  return null;
}

/** Whether `name` is already on the list (names are told apart without case, as the core does). */
export function nameTaken(staff: readonly Pick<StaffMember, 'name'>[], name: string): boolean {
  const wanted = name.trim().toLowerCase();
  return staff.some((s) => s.name.toLowerCase() === wanted);
}

/** Why a cap amount is refused, or null; empty is fine (it removes the cap). */
export function capProblem(amount: string, currency: string): string | null {
  const text = amount.trim();
  if (text === '') return null;
  const decimals = currencyDecimals(currency);
  const rule = decimals === 0 ? new RegExp('^[0-9]+$') : new RegExp(`^[0-9]+(\\.[0-9]{1,${decimals}})?$`);
  if (!rule.test(text)) {
    return decimals === 0 ? t('staff.cap.whole', { currency, text }) : t('staff.cap.not_amount', { currency, text });
  }
  return null;
}

/** A member's state in words: "Active", "Inactive", or locked until a time. */
export function memberState(member: Pick<StaffMember, 'active' | 'lockedUntilMs'>, locale?: string): string {
  if (!member.active) return t('staff.state.inactive');
  if (member.lockedUntilMs !== null) {
    return t('staff.state.locked', { until: formatDateTime(member.lockedUntilMs, { seconds: true, locale }) });
  }
  return t('staff.state.active');
}

/** The role choices, for a select. */
export function roleOptions(): { value: Role; label: string }[] {
  return (['cashier', 'manager', 'owner'] as const).map((value) => ({ value, label: roleLabel(value) }));
}

/** The caps sorted by currency, the shop's first. */
export function sortedCaps(caps: readonly RefundCap[], shopCurrency: string): RefundCap[] {
  return [...caps].sort((a, b) => (a.currency === shopCurrency ? -1 : b.currency === shopCurrency ? 1 : a.currency.localeCompare(b.currency)));
}

/** Why an idle time is refused, or null: whole minutes 0 (never) to 480, as the core's setting rule. */
export function idleProblem(text: string): string | null {
  const value = text.trim();
  if (value === '') return null;
  if (!/^[0-9]+$/.test(value) || Number(value) > 480) return t('staff.idle.range');
  return null;
}
