/**
 * The first start: what a new shop answers once (name, currency, owner PIN typed twice, the
 * methods it offers), checked as the core's `complete_setup` checks it, so every problem is
 * shown beside its field before anything is sent. The core checks again and has the last word.
 */
import type { MethodKind, MethodInfo } from './api';
import { t, type MessageKey } from './i18n';
import { NEW_PIN_MAX, PIN_MIN, isValidNewPin } from './owner';

/** The counter offers these kinds; app and saved-card methods are not for a till. */
export const COUNTER_KINDS: readonly MethodKind[] = ['qr', 'barcode', 'link', 'widget', 'terminal'];

/** How the customer pays, as an owner reads it, per kind of method. */
export const KIND_TITLES: Readonly<Record<string, MessageKey>> = {
  qr: 'setup.kind.qr',
  barcode: 'setup.kind.barcode',
  link: 'setup.kind.link',
  widget: 'setup.kind.widget',
  terminal: 'setup.kind.terminal',
};

/** Kinds listed in another kind's group: the card terminal with the card forms (four groups
 * side by side fit a till's 1024 x 768). */
const LISTED_WITH: Readonly<Record<string, MethodKind>> = { terminal: 'widget' };

/** The gateways' names as their contracts spell them. */
export const GATEWAY_NAMES: Readonly<Record<string, string>> = {
  iotpay: 'IOTPay',
  smepay: 'SMEPay',
  smartpay: 'SmartPay',
  smartexpay: 'SmartExPay',
};

export function gatewayName(gateway: string): string {
  return GATEWAY_NAMES[gateway] ?? gateway;
}

export interface MethodGroup {
  kind: MethodKind;
  title: string;
  methods: MethodInfo[];
}

/** The counter's methods grouped by how the customer pays, in the core's order within a group. */
export function groupMethods(methods: readonly MethodInfo[]): MethodGroup[] {
  return COUNTER_KINDS.filter((kind) => !(kind in LISTED_WITH))
    .map((kind) => ({
      kind,
      title: t(KIND_TITLES[kind]),
      methods: methods.filter((m) => m.kind === kind || LISTED_WITH[m.kind] === kind),
    }))
    .filter((group) => group.methods.length > 0);
}

/** The methods the counter can offer at all (every counter kind). */
export function counterMethods(methods: readonly MethodInfo[]): MethodInfo[] {
  return methods.filter((m) => COUNTER_KINDS.includes(m.kind));
}

/**
 * The currencies a shop can choose: every currency some counter method takes (the core's
 * method list), alphabetically. A shop currency no method takes could never be charged.
 */
export function shopCurrencies(methods: readonly MethodInfo[]): string[] {
  return [...new Set(counterMethods(methods).flatMap((m) => m.currencies))].sort();
}

/** The shop's methods, in `all`'s order: `keys` as the core stores them (empty = all). */
export function chosenMethods(all: readonly MethodInfo[], keys: readonly string[]): MethodInfo[] {
  const counter = counterMethods(all);
  if (keys.length === 0) return counter;
  return counter.filter((m) => keys.includes(m.method));
}

export interface SetupForm {
  shopName: string;
  currency: string;
  pin: string;
  pinRepeat: string;
  methods: string[];
}

export type SetupField = keyof SetupForm;

/** The fields in the order the form shows them (the first with a problem gets the focus). */
export const SETUP_FIELDS: readonly SetupField[] = ['shopName', 'currency', 'pin', 'pinRepeat', 'methods'];

export const SHOP_NAME_MAX = 60;

export function shopNameProblem(name: string): string | null {
  const text = name.trim();
  if (text === '') return t('setup.problem.shop_name_empty');
  if ([...text].length > SHOP_NAME_MAX) return t('setup.problem.shop_name_long', { max: SHOP_NAME_MAX });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return t('setup.problem.shop_name_line');
  return null;
}

/** Why a new PIN is refused, or null. */
export function newPinProblem(pin: string): string | null {
  if (pin === '') return t('setup.problem.pin_empty', { min: PIN_MIN, max: NEW_PIN_MAX });
  if (!isValidNewPin(pin)) return t('setup.problem.pin_form', { min: PIN_MIN, max: NEW_PIN_MAX });
  return null;
}

/** Why the repeated PIN is refused, or null: checked only once the first one is well formed. */
export function pinRepeatProblem(pin: string, repeat: string): string | null {
  if (newPinProblem(pin) !== null) return null;
  if (repeat === '') return t('setup.problem.pin_repeat_empty');
  if (repeat !== pin) return t('setup.problem.pin_repeat_differs');
  return null;
}

/** Every problem of the form by field; empty when it can be sent. */
export function setupProblems(
  form: SetupForm,
  currencies: readonly string[],
  known: readonly MethodInfo[],
): Partial<Record<SetupField, string>> {
  const problems: Partial<Record<SetupField, string>> = {};
  const name = shopNameProblem(form.shopName);
  if (name) problems.shopName = name;
  if (!currencies.includes(form.currency)) problems.currency = t('setup.problem.currency');
  const pin = newPinProblem(form.pin);
  if (pin) problems.pin = pin;
  const repeat = pinRepeatProblem(form.pin, form.pinRepeat);
  if (repeat) problems.pinRepeat = repeat;
  const keys = new Set(counterMethods(known).map((m) => m.method));
  if (form.methods.length === 0) problems.methods = t('setup.problem.methods_none');
  else if (form.methods.some((m) => !keys.has(m))) problems.methods = t('setup.problem.methods_unknown');
  return problems;
}

/** The chosen method keys in the core's order (the order the counter starts from). */
export function orderedKeys(known: readonly MethodInfo[], chosen: readonly string[]): string[] {
  return known.filter((m) => chosen.includes(m.method)).map((m) => m.method);
}

/** The first field with a problem, in the form's order. */
export function firstProblemField(problems: Partial<Record<SetupField, string>>): SetupField | null {
  return SETUP_FIELDS.find((f) => problems[f] !== undefined) ?? null;
}

/**
 * Which field a core error belongs to: the core names `shopName`, `currency`, `pin`,
 * `pinRepeat` or `methods` (or the settings keys); anything else is shown above the button.
 */
export function fieldOfError(field: string | null): SetupField | null {
  switch (field) {
    case 'shopName':
    case 'shop_name':
    case 'shop.name':
      return 'shopName';
    case 'currency':
    case 'shop.currency':
      return 'currency';
    case 'pin':
      return 'pin';
    case 'pinRepeat':
    case 'pin_repeat':
      return 'pinRepeat';
    case 'methods':
    case 'shop.methods':
      return 'methods';
    default:
      return null;
  }
}

/**
 * A note (not a refusal) when none of the chosen methods takes the shop's currency: the counter
 * would start each sale in another one. Null when one does, or nothing is chosen yet.
 */
export function currencyNote(known: readonly MethodInfo[], chosen: readonly string[], currency: string): string | null {
  const picked = known.filter((m) => chosen.includes(m.method));
  if (picked.length === 0 || currency === '' || picked.some((m) => m.currencies.includes(currency))) return null;
  const theirs = [...new Set(picked.flatMap((m) => m.currencies))].sort().join(t('common.list_separator'));
  return t('setup.currency_note', { currency, theirs });
}
