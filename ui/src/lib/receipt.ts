/**
 * The order detail's Receipt section (issue 16): which receipts an order has, what the section
 * says of the last print and what its print button is called, the PDF's file name, and how a
 * row of the slip is drawn, the section's words in the window's language (catalogues). The core
 * builds and prints the receipt (receipt_commands.rs): the slip's rows are its words, shown as
 * they come, not the catalogues'.
 */
import type { OrderDetail, OrderStatus, PrintResult, Receipt, ReceiptShown, Refund, Row } from './api';
import { t } from './i18n';
import { reversalHeading } from './owner';
import { formatDateTime } from './datetime';

/** The receipt settings (settings.rs), in Settings' Receipts section. */
export const SHOP_ADDRESS = 'shop.address';
export const SHOP_TAX_NUMBER = 'shop.tax_number';
export const RECEIPT_PRINTER = 'receipt.printer';
export const RECEIPT_PAPER = 'receipt.paper';
export const RECEIPT_AUTO = 'receipt.auto';
export const RECEIPT_KEYS = [SHOP_ADDRESS, SHOP_TAX_NUMBER, RECEIPT_PRINTER, RECEIPT_PAPER, RECEIPT_AUTO] as const;

/** Statuses with a sale receipt, as the core has them: the money was taken (and perhaps given back). */
const WITH_RECEIPT: ReadonlySet<OrderStatus> = new Set(['paid', 'partially_refunded', 'refunded', 'voided']);

export function hasReceipt(status: OrderStatus): boolean {
  return WITH_RECEIPT.has(status);
}

/** One receipt an order has: the sale's (`refundNo` null) or a refund's or void's. */
export interface ReceiptChoice {
  refundNo: string | null;
  label: string;
}

/** The sale's receipt, then one for each refund or void that went through, oldest first. */
export function receiptChoices(detail: Pick<OrderDetail, 'order' | 'refunds'>): ReceiptChoice[] {
  if (!hasReceipt(detail.order.status)) return [];
  const choices: ReceiptChoice[] = [{ refundNo: null, label: t('receipt.choice_sale') }];
  const done = detail.refunds
    .filter((r: Refund) => r.status === 'succeeded')
    .sort((a, b) => a.createdAtMs - b.createdAtMs);
  for (const r of done) {
    choices.push({ refundNo: r.refundNo, label: reversalHeading(r.kind, r.amountMinor, detail.order.currency) });
  }
  return choices;
}

/** What the section says of the thermal printer and the last print of the receipt shown. */
export interface PrintState {
  /** The line under the buttons; null says nothing (never printed). */
  line: string | null;
  /** How the line looks: a print that failed is a warning. */
  tone: 'ok' | 'warn' | 'muted';
  /** The thermal print button's words (Print, Reprint); null when the shop has no printer. */
  button: string | null;
}

export function printState(shown: Pick<ReceiptShown, 'printer' | 'lastPrint'>, locale?: string): PrintState {
  const last: PrintResult | null = shown.lastPrint;
  if (!shown.printer) {
    return {
      line: t('receipt.no_printer'),
      tone: 'muted',
      button: null,
    };
  }
  if (!last) return { line: null, tone: 'muted', button: t('receipt.print') };
  const when = formatDateTime(last.at, { locale });
  const reprint = t('receipt.reprint');
  if (last.printed) return { line: t('receipt.printed_on', { printer: last.printer, when }), tone: 'ok', button: reprint };
  const line = last.error ? t('receipt.not_printed_why', { error: last.error }) : t('receipt.not_printed');
  return { line, tone: 'warn', button: reprint };
}

/** The PDF's suggested file name: `receipt-PD…[-RF…].pdf`, letters, digits and dashes only. */
export function receiptFileName(receipt: Pick<Receipt, 'orderNo' | 'refund'>): string {
  const parts = ['receipt', receipt.orderNo, receipt.refund?.refundNo].filter(Boolean) as string[];
  return `${parts.join('-').replace(/[^A-Za-z0-9-]+/g, '_')}.pdf`;
}

/** The CSS classes of one row of the slip: its alignment, bold, double size. */
export function rowClasses(row: Row): string {
  const classes = [`align-${row.align}`];
  if (row.bold) classes.push('bold');
  if (row.double) classes.push('double');
  return classes.join(' ');
}

/** A row of dashes is a rule: drawn as a line, not as text. */
export function isRule(row: Row): boolean {
  return row.text.length > 0 && /^-+$/.test(row.text);
}
