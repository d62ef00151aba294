import type { OrderStatus } from './bindings';

export type StatusTone = 'success' | 'danger' | 'neutral' | 'waiting';

interface StatusInfo {
  label: string;
  tone: StatusTone;
  final: boolean;
}

const STATUS: Record<OrderStatus, StatusInfo> = {
  created: { label: 'Created', tone: 'waiting', final: false },
  pending: { label: 'Waiting for payment', tone: 'waiting', final: false },
  authorized: { label: 'Authorized', tone: 'waiting', final: false },
  paid: { label: 'Paid', tone: 'success', final: true },
  failed: { label: 'Failed', tone: 'danger', final: true },
  expired: { label: 'Expired', tone: 'neutral', final: true },
  cancelled: { label: 'Cancelled', tone: 'neutral', final: true },
  voided: { label: 'Voided', tone: 'neutral', final: true },
  partially_refunded: { label: 'Partially refunded', tone: 'neutral', final: true },
  refunded: { label: 'Refunded', tone: 'neutral', final: true },
};

/** Every status, in lifecycle order (for filters). */
export const ORDER_STATUSES = Object.keys(STATUS) as OrderStatus[];

export function isOrderStatus(value: string): value is OrderStatus {
  return Object.prototype.hasOwnProperty.call(STATUS, value);
}

/** Human label shown to the cashier; unknown statuses are shown verbatim. */
export function statusLabel(status: string): string {
  return isOrderStatus(status) ? STATUS[status].label : status;
}

export function statusTone(status: string): StatusTone {
  return isOrderStatus(status) ? STATUS[status].tone : 'neutral';
}

/**
 * True once the payment attempt has concluded at the counter: the customer can no longer
 * pay this order (paid, failed, expired, cancelled, or later refund/void states).
 */
export function isFinal(status: string): boolean {
  return isOrderStatus(status) && STATUS[status].final;
}

/**
 * What an order means for the till, mirroring the core's `OrderStatus::money_class`: only
 * `taken` money counts in takings; waiting, failed, cancelled and expired are shown apart.
 */
export type MoneyClass = 'taken' | 'waiting' | 'failed' | 'cancelled' | 'expired';

const MONEY_CLASS: Record<OrderStatus, MoneyClass> = {
  created: 'waiting',
  pending: 'waiting',
  authorized: 'waiting',
  paid: 'taken',
  failed: 'failed',
  expired: 'expired',
  cancelled: 'cancelled',
  voided: 'cancelled',
  partially_refunded: 'taken',
  refunded: 'taken',
};

/** The money class of a status; an unknown status is treated as waiting (never as taken). */
export function moneyClass(status: string): MoneyClass {
  return isOrderStatus(status) ? MONEY_CLASS[status] : 'waiting';
}

// ---- Words for the owner's screens (Orders, the detail): what a status means to a cashier ----

export interface Badge {
  label: string;
  tone: StatusTone;
  /** The longer sentence: the badge's tooltip and the detail's line under it. */
  meaning: string;
}

const MEANING: Record<OrderStatus, string> = {
  created: 'Made at the counter; the customer has not started paying.',
  pending: 'Waiting for the customer to pay.',
  authorized: 'The card is approved; the money is not taken yet.',
  paid: 'The money arrived.',
  failed: 'The payment did not go through: no money was taken.',
  expired: 'No payment came in time: no money was taken.',
  cancelled: 'Cancelled before any money was taken.',
  voided: 'The payment was cancelled: the money went back to the customer.',
  partially_refunded: 'Paid; part of it went back to the customer.',
  refunded: 'Paid; all of it went back to the customer.',
};

/** A badge's word where the status's own is long for a list column (the meaning says the rest). */
const SHORT: Partial<Record<string, string>> = {
  created: 'Waiting',
  pending: 'Waiting',
};

/** "declined by the customer's wallet" -> "Declined by the customer's wallet". */
export function sentenceCase(text: string): string {
  const trimmed = text.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

/**
 * Whether the core's reason says the customer's side refused: declined by a wallet or a card
 * network, or cancelled by the customer in their wallet (either way the cashier must notice).
 */
export function isDecline(reason: string | null | undefined): boolean {
  return typeof reason === 'string' && (/^\s*declined\b/i.test(reason) || /\bby the customer\b/i.test(reason));
}

/**
 * The badge of an order: its status in words, except that a declined order says so in red
 * ("Declined", meaning "Declined by the customer's wallet") rather than a grey "Cancelled"; the
 * core's reason, when there is one, is the meaning.
 */
export function orderBadge(order: { status: string; reason?: string | null }): Badge {
  const status = order.status;
  const reason = order.reason?.trim() ? sentenceCase(order.reason) : null;
  if (isDecline(order.reason) && (status === 'cancelled' || status === 'failed')) {
    return { label: 'Declined', tone: 'danger', meaning: reason ?? 'Declined.' };
  }
  const meaning = isOrderStatus(status) ? MEANING[status] : 'A status Paydesk does not know.';
  return { label: SHORT[status] ?? statusLabel(status), tone: statusTone(status), meaning: reason ?? meaning };
}

export interface TimelineEvent {
  fromStatus: string | null;
  toStatus: string;
  source: string;
  label?: string;
  changed?: boolean;
}

/**
 * The timeline shows changes only: a repeated poll (the status did not move) is left out. The
 * core says so (`changed`); an older core's events are compared by status.
 */
export function timelineEvents<T extends TimelineEvent>(events: readonly T[]): T[] {
  return events.filter((e) => (e.changed ?? e.fromStatus !== e.toStatus) !== false);
}

/** A change in words: the core's label, else "Waiting for payment → Paid". */
export function changeWords(event: TimelineEvent): string {
  if (event.label && event.label.trim() !== '') return sentenceCase(event.label);
  if (event.fromStatus && event.fromStatus !== event.toStatus) {
    return `${statusLabel(event.fromStatus)} → ${statusLabel(event.toStatus)}`;
  }
  return statusLabel(event.toStatus);
}

/** Where a change came from, in words: "checked with IOTPay", never a POLL tag. */
export function sourceWords(source: string, gatewayName: string): string {
  switch (source) {
    case 'create':
      return 'made at the counter';
    case 'poll':
      return `checked with ${gatewayName}`;
    case 'notify':
      return `${gatewayName} told Paydesk`;
    case 'reconcile':
      return `checked with ${gatewayName} when Paydesk started`;
    case 'user':
      return 'done in Paydesk';
    default:
      return '';
  }
}
