export type OrderStatus =
  | 'created'
  | 'pending'
  | 'authorized'
  | 'paid'
  | 'failed'
  | 'expired'
  | 'cancelled'
  | 'voided'
  | 'partially_refunded'
  | 'refunded';

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
