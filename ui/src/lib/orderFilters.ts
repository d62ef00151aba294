/**
 * The Orders screen's filter form and what it sends. The core parses and checks every value
 * (amounts in the chosen currency, days in the local zone); the window only trims, leaves
 * blanks out, and shows the core's answer beside the field it names.
 */
import { methodName } from './methods';
import { formatDay } from './datetime';
import { t } from './i18n';
import type { FilterInput } from './bindings';
import type { AppError } from './errors';

/**
 * The form holds every field of the core's filter (`FilterInput`), as typed: the request's keys
 * are the form's, so the core's error `field` names one of them.
 */
export type FilterForm = Required<FilterInput>;

export type FilterField = keyof FilterForm;

export const FILTER_FIELDS: readonly FilterField[] = [
  'status',
  'gateway',
  'method',
  'currency',
  'minAmount',
  'maxAmount',
  'from',
  'to',
  'search',
  'counter',
  'staff',
];

export function emptyFilters(): FilterForm {
  return {
    status: '',
    gateway: '',
    method: '',
    currency: '',
    minAmount: '',
    maxAmount: '',
    from: '',
    to: '',
    search: '',
    counter: '',
    staff: '',
  };
}

/** Only the fields that hold something, trimmed. */
export function toFilterRequest(form: FilterForm): FilterInput {
  const request: FilterInput = {};
  for (const field of FILTER_FIELDS) {
    const value = form[field].trim();
    if (value !== '') request[field] = value;
  }
  return request;
}

/** A stable key for a request: equal filters give equal keys (reload only on a change). */
export function requestKey(request: FilterInput): string {
  return JSON.stringify(FILTER_FIELDS.map((field) => request[field] ?? ''));
}

export function activeFilterCount(form: FilterForm): number {
  return FILTER_FIELDS.filter((field) => form[field].trim() !== '').length;
}

export function isFilterField(field: string | null): field is FilterField {
  return field !== null && (FILTER_FIELDS as readonly string[]).includes(field);
}

/**
 * The core's message without its leading "field: " (the message is shown beside that field,
 * so naming it again is noise).
 */
export function fieldMessage(error: AppError): string {
  if (error.field && error.message.startsWith(`${error.field}: `)) {
    return error.message.slice(error.field.length + 2);
  }
  return error.message;
}

interface MethodLike {
  gateway: string;
  method: string;
  currencies: string[];
}

/** The methods to offer in the filter: the chosen gateway's, or every one. */
export function methodOptions(methods: readonly MethodLike[], gateway: string): string[] {
  const names = methods.filter((m) => gateway === '' || m.gateway === gateway).map((m) => m.method);
  return [...new Set(names)];
}

export function gatewayOptions(methods: readonly MethodLike[]): string[] {
  return [...new Set(methods.map((m) => m.gateway))];
}

/** Every currency some method takes (the chosen gateway's when one is), sorted. */
export function currencyOptions(methods: readonly MethodLike[], gateway: string): string[] {
  const codes = methods.filter((m) => gateway === '' || m.gateway === gateway).flatMap((m) => m.currencies);
  return [...new Set(codes)].sort();
}

/**
 * After the gateway changes: a method of another gateway no longer applies and is cleared
 * (the core would refuse the pair).
 */
export function withGateway(form: FilterForm, gateway: string, methods: readonly MethodLike[]): FilterForm {
  const next = { ...form, gateway };
  if (next.method !== '' && !methodOptions(methods, gateway).includes(next.method)) next.method = '';
  return next;
}

const GATEWAY_LABELS: Record<string, string> = {
  iotpay: 'IOTPay',
  smepay: 'SMEPay',
  smartpay: 'SmartPay',
  smartexpay: 'SmartExPay',
};

export function gatewayLabel(gateway: string): string {
  return GATEWAY_LABELS[gateway] ?? gateway;
}

/** A method's name for people in the window's language, from its code (methodName; the core's label, else the code, for one without words). */
export function methodLabel(methods: readonly { method: string; label: string }[], method: string): string {
  return methodName(method, methods.find((m) => m.method === method)?.label);
}

/**
 * The filter in a line for people, e.g. "Paid · IOTPay · Nov 1, 2026 to Nov 30, 2026" (days in
 * `day`'s form: the locale's, as everywhere); "" for none.
 */
export function filterSummary(
  request: FilterInput,
  statusName: (status: string) => string = (s) => s,
  day: (isoDay: string) => string = (d) => formatDay(d),
): string {
  const parts: string[] = [];
  if (request.status) parts.push(statusName(request.status));
  if (request.gateway) parts.push(gatewayLabel(request.gateway));
  if (request.method) parts.push(request.method);
  if (request.from && request.to) parts.push(t('filters.summary.days', { from: day(request.from), to: day(request.to) }));
  else if (request.from) parts.push(t('filters.summary.from', { from: day(request.from) }));
  else if (request.to) parts.push(t('filters.summary.until', { to: day(request.to) }));
  // The amounts as typed: the core reads them in its own neutral form.
  const currency = request.currency ?? '';
  if (request.minAmount && request.maxAmount) {
    parts.push(t('filters.summary.between', { min: request.minAmount, max: request.maxAmount, currency }));
  } else if (request.minAmount) parts.push(t('filters.summary.at_least', { min: request.minAmount, currency }));
  else if (request.maxAmount) parts.push(t('filters.summary.at_most', { max: request.maxAmount, currency }));
  else if (currency) parts.push(currency);
  if (request.search) parts.push(t('filters.summary.search', { search: request.search }));
  if (request.staff) parts.push(t('filters.summary.staff', { staff: request.staff }));
  return parts.map((p) => p.trim()).join(' · ');
}

/**
 * Whether an order the list shows still belongs in it after a live update. Only its status can
 * move it out (gateway, method, currency, amount and creation time never change), so a status
 * filter is the one to check, with the counter (an update pulled from the shop may be another
 * counter's order) and who sold it (any case, as the core compares names); a changed order that now matches is found by the next reload.
 */
export function stillMatches(order: { status: string; counter?: string | null; staff?: string | null }, applied: FilterInput): boolean {
  return (
    (!applied.status || order.status === applied.status) &&
    (!applied.counter || order.counter === applied.counter) &&
    (!applied.staff || (order.staff ?? '').toLowerCase() === applied.staff.trim().toLowerCase())
  );
}
