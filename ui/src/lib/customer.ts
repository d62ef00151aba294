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

/** The one big line the customer reads: Scan to pay, Paid, Failed, Expired... */
export function customerHeadline(sale: CustomerSale): Headline {
  const final = isFinal(sale.status);
  if (!final) {
    return { text: sale.qrSvg ? 'Scan to pay' : 'Waiting for payment', tone: 'waiting', final };
  }
  return { text: statusLabel(sale.status), tone: statusTone(sale.status), final };
}
