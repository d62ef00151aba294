/** The customer display (a second window facing the customer): what it shows, in words. */
import type { CustomerSale } from './api';
import { currencyDecimals } from './currency';
import { language, tIn, type Language, type MessageKey } from './i18n';
import { moneyText } from './money';
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
const CUSTOMER_WORDS: Record<string, MessageKey> = {
  paid: 'customer.paid',
  failed: 'customer.failed',
  cancelled: 'customer.cancelled',
  voided: 'customer.voided',
  expired: 'customer.expired',
  refunded: 'customer.refunded',
  partially_refunded: 'customer.partially_refunded',
};

/**
 * The one big line the customer reads: Scan to pay, Paid, Payment declined..., in the sale's
 * language (`lang`: the customer's, see customerLanguage.ts; default the window's).
 */
export function customerHeadline(sale: CustomerSale, lang: Language = language.window): Headline {
  const final = isFinal(sale.status);
  if (!final) {
    return { text: tIn(lang, sale.qrSvg ? 'customer.scan_to_pay' : 'customer.waiting_for_payment'), tone: 'waiting', final };
  }
  const words = CUSTOMER_WORDS[sale.status];
  return { text: words ? tIn(lang, words) : statusLabel(sale.status, lang), tone: statusTone(sale.status), final };
}

/**
 * The sale's amount as the customer's language writes it. The core sends it for people
 * ("1,234.50", grouped by commas, a point before the decimals); it is read back to minor units
 * from its digits (never through a float) and written again in `lang`. A form that does not
 * read back is shown as the core wrote it.
 */
export function customerAmount(sale: Pick<CustomerSale, 'amountDisplay' | 'currency'>, lang: Language = language.window): string {
  const parts = /^(-?)(\d+)(?:\.(\d+))?$/.exec(sale.amountDisplay.replace(/,/g, '').trim());
  const decimals = currencyDecimals(sale.currency);
  const fraction = parts?.[3] ?? '';
  if (!parts || fraction.length > decimals) return `${sale.amountDisplay} ${sale.currency}`;
  const minor = Number(parts[2] + fraction.padEnd(decimals, '0'));
  return moneyText(parts[1] === '-' ? -minor : minor, sale.currency, lang);
}
