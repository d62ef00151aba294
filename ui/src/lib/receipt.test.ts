import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { OrderDetail, PrintResult, Refund, Row } from './api';
import { hasReceipt, isRule, printState, receiptChoices, receiptFileName, rowClasses } from './receipt';
import { setWindowLanguage } from './i18n';
import { sampleView } from './testing';

function refund(fields: Partial<Refund>): Refund {
  return {
    id: 1,
    orderId: 1,
    refundNo: 'RF1',
    amountMinor: 500,
    tipMinor: 0,
    kind: 'refund',
    status: 'succeeded',
    gatewayRefundId: null,
    reason: null,
    createdAtMs: 1000,
    staff: null,
    approver: null,
    ...fields,
  };
}

function detail(status: OrderDetail['order']['status'], refunds: Refund[] = []): Pick<OrderDetail, 'order' | 'refunds'> {
  return { order: sampleView({ status }), refunds };
}

describe('which receipts an order has', () => {
  it('only an order that took money has one', () => {
    for (const status of ['paid', 'partially_refunded', 'refunded', 'voided'] as const) expect(hasReceipt(status)).toBe(true);
    for (const status of ['created', 'pending', 'authorized', 'failed', 'expired', 'cancelled'] as const) {
      expect(hasReceipt(status)).toBe(false);
    }
    expect(receiptChoices(detail('pending'))).toEqual([]);
  });

  it('the sale first, then each refund or void that went through, oldest first', () => {
    const choices = receiptChoices(
      detail('partially_refunded', [
        refund({ refundNo: 'RF2', amountMinor: 250, createdAtMs: 3000 }),
        refund({ refundNo: 'RF1', amountMinor: 500, createdAtMs: 2000 }),
        refund({ refundNo: 'RF3', status: 'pending', createdAtMs: 4000 }),
        refund({ refundNo: 'RF4', status: 'failed', createdAtMs: 5000 }),
      ]),
    );
    expect(choices).toEqual([
      { refundNo: null, label: 'Sale' },
      { refundNo: 'RF1', label: 'Refund 5.00 CAD' },
      { refundNo: 'RF2', label: 'Refund 2.50 CAD' },
    ]);
    expect(receiptChoices(detail('voided', [refund({ refundNo: 'VD1', kind: 'void', amountMinor: 1250 })]))[1]).toEqual({
      refundNo: 'VD1',
      label: 'Void 12.50 CAD',
    });
  });
});

describe('what the section says of the printer', () => {
  const at = '2026-12-06T15:01:00Z';
  const printed: PrintResult = { printed: true, printer: '192.168.1.50:9100', error: null, at };
  const off: PrintResult = { printed: false, printer: '192.168.1.50:9100', error: 'connection refused (is the printer on?)', at };

  beforeEach(() => {
    vi.useRealTimers();
  });

  it('no printer: no print button, PDF and the system dialog instead', () => {
    const state = printState({ printer: null, lastPrint: null });
    expect(state.button).toBeNull();
    expect(state.line).toContain('No receipt printer');
  });

  it('a printer, never printed: Print, nothing said', () => {
    expect(printState({ printer: '192.168.1.50:9100', lastPrint: null })).toEqual({ line: null, tone: 'muted', button: 'Print' });
  });

  it('printed: where and when, and Reprint', () => {
    const state = printState({ printer: '192.168.1.50:9100', lastPrint: printed }, 'en-GB');
    expect(state).toEqual({ line: 'Printed on 192.168.1.50:9100 · 6 Dec 2026, 15:01', tone: 'ok', button: 'Reprint' });
  });

  it('not printed: a warning that says so and why, and Reprint', () => {
    const state = printState({ printer: '192.168.1.50:9100', lastPrint: off });
    expect(state.tone).toBe('warn');
    expect(state.button).toBe('Reprint');
    expect(state.line).toBe('Not printed — Reprint: connection refused (is the printer on?)');
  });

  it("in the window's language; the core's own words (why it failed) as they come", () => {
    setWindowLanguage('fr-CA');
    try {
      const state = printState({ printer: '192.168.1.50:9100', lastPrint: off });
      expect(state.button).toBe('Réimprimer');
      expect(state.line).toBe('Non imprimé — Réimprimer : connection refused (is the printer on?)');
      expect(receiptChoices(detail('refunded', [refund({ amountMinor: 500 })])).map((c) => c.label.replace(/\s/g, ' '))).toEqual([
        'Vente',
        'Remboursement de 5,00 $',
      ]);
    } finally {
      setWindowLanguage('en');
    }
  });
});

describe('the slip', () => {
  it('file names are the order and refund numbers', () => {
    expect(receiptFileName({ orderNo: 'PD2612061258', refund: null })).toBe('receipt-PD2612061258.pdf');
    const withRefund = { orderNo: 'PD1', refund: { refundNo: 'RF 7/1' } } as Parameters<typeof receiptFileName>[0];
    expect(receiptFileName(withRefund)).toBe('receipt-PD1-RF_7_1.pdf');
  });

  it('rows carry their alignment, bold and size; dashes are a rule', () => {
    const row = (fields: Partial<Row>): Row => ({ text: 'x', align: 'left', bold: false, double: false, ...fields });
    expect(rowClasses(row({}))).toBe('align-left');
    expect(rowClasses(row({ align: 'center', bold: true, double: true }))).toBe('align-center bold double');
    expect(isRule(row({ text: '-'.repeat(48) }))).toBe(true);
    expect(isRule(row({ text: 'TOTAL   -2.00' }))).toBe(false);
    expect(isRule(row({ text: '' }))).toBe(false);
  });
});
