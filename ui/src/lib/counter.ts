/**
 * What the counter offers and how it reads a USB scanner: pure logic, tested by vitest.
 */
import type { MethodKind, PaymentMethod } from './api';

/** The kinds a cashier can take at the counter; app and token methods belong elsewhere. */
export const COUNTER_KINDS: readonly MethodKind[] = ['qr', 'link', 'barcode', 'widget'];

export function isCounterKind(kind: string): kind is MethodKind {
  return (COUNTER_KINDS as readonly string[]).includes(kind);
}

/**
 * The embedded forms this window can mount (gateway/method). Another gateway's widget kind
 * needs its own script and callback (cardWidget.ts), so it is not offered until it has them.
 */
export const MOUNTABLE_WIDGETS: readonly string[] = ['iotpay/card', 'smepay/upi-widget', 'smartpay/smartpay-card'];

/** The methods shown at the counter, in the order the core lists them. */
export function counterMethods(methods: readonly PaymentMethod[]): PaymentMethod[] {
  return methods.filter(
    (m) => isCounterKind(m.kind) && (m.kind !== 'widget' || MOUNTABLE_WIDGETS.includes(`${m.gateway}/${m.method}`)),
  );
}

/** How an order is shown while it waits: a QR (qr, link), the card form, or the scan hint. */
export type SaleVisual = 'qr' | 'widget' | 'barcode';

export function saleVisual(kind: string | null | undefined): SaleVisual {
  if (kind === 'widget') return 'widget';
  if (kind === 'barcode') return 'barcode';
  return 'qr';
}

export type ScanResult = { ok: true; code: string } | { ok: false; message: string };

/**
 * A scanned (or typed) payment code, ready for the core: surrounding whitespace and the
 * spaces or dashes a person types between digit groups are dropped; anything else that is
 * not a digit is refused rather than silently removed, since it means a misread. The core
 * checks the code's length and prefix.
 */
export function normaliseScan(text: string): ScanResult {
  const code = text.trim().replace(/[\s-]+/g, '');
  if (code === '') return { ok: false, message: "Scan the customer's payment code." };
  if (!/^\d+$/.test(code)) {
    return { ok: false, message: 'A payment code has digits only: scan it again.' };
  }
  return { ok: true, code };
}

/** Where Enter in the amount field goes: straight to the scanner field for a barcode sale. */
export function amountEnterAction(kind: string | null | undefined): 'submit' | 'focus-barcode' {
  return kind === 'barcode' ? 'focus-barcode' : 'submit';
}

/** What the cashier reads when the customer's wallet declines a scanned code. */
export const DECLINED_SCAN_MESSAGE = "Declined by the customer's wallet: ask for another code or another way to pay";

/**
 * A scanned code whose order came back already over and not paid (the wallet declined it, or
 * the gateway closed it at once): the cashier stays on the entry form to scan again.
 */
export function isDeclinedScan(kind: string | null | undefined, status: string): boolean {
  if (kind !== 'barcode') return false;
  return status === 'failed' || status === 'cancelled' || status === 'expired' || status === 'voided';
}
