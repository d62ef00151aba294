/** The customer display (a second window facing the customer): what it shows, in words. */
import type { CustomerSale } from './api';
import { isFinal, statusLabel, statusTone, type StatusTone } from './status';

/** The customer window is the same page opened with `?view=customer` (or `#customer`). */
export function isCustomerView(search: string, hash: string): boolean {
  return new URLSearchParams(search).get('view') === 'customer' || hash === '#customer';
}

export interface Headline {
  text: string;
  tone: StatusTone;
  final: boolean;
}

/** What the customer reads when the sale is over, in their words (not the ledger's). */
const CUSTOMER_WORDS: Record<string, string> = {
  paid: 'Paid',
  failed: 'Payment declined',
  cancelled: 'Sale cancelled',
  voided: 'Payment cancelled',
  expired: 'Time ran out: please ask at the counter',
  refunded: 'Refunded',
  partially_refunded: 'Partly refunded',
};

/** The one big line the customer reads: Scan to pay, Paid, Payment declined... */
export function customerHeadline(sale: CustomerSale): Headline {
  const final = isFinal(sale.status);
  if (!final) {
    return { text: sale.qrSvg ? 'Scan to pay' : 'Waiting for your payment', tone: 'waiting', final };
  }
  return { text: CUSTOMER_WORDS[sale.status] ?? statusLabel(sale.status), tone: statusTone(sale.status), final };
}
