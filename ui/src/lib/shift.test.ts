import { describe, expect, it } from 'vitest';
import type { CurrencyFigures, ShiftReport, ShiftRow, WaitingSale } from './api';
import {
  figureLines,
  inFolder,
  netMinor,
  reportFileName,
  reportMeaning,
  reportTitle,
  shiftMoney,
  shiftRowWords,
  spanWords,
  staffName,
  unknownWords,
  waitingFromRefusal,
  waitingLine,
} from './shift';

const cad: CurrencyFigures = {
  currency: 'CAD',
  salesCount: 3,
  salesMinor: 123450,
  byMethod: [
    { gateway: 'iotpay', method: 'wechat-qr', label: 'WeChat Pay QR', count: 2, minor: 120000 },
    { gateway: 'iotpay', method: 'card', label: 'Card', count: 1, minor: 3450 },
  ],
  refundsCount: 1,
  refundsMinor: 500,
  voidsCount: 0,
  voidsMinor: 0,
  netMinor: 122950,
  unknownReversalsCount: 0,
  unknownReversalsMinor: 0,
  byStaff: [{ name: 'Ann', salesCount: 3, salesMinor: 123450, reversalsCount: 0, reversalsMinor: 0 }],
};

const at = Date.UTC(2026, 11, 6, 9, 0);

function report(fields: Partial<ShiftReport> = {}): ShiftReport {
  return {
    kind: 'X',
    shiftId: 12,
    counter: '',
    openedBy: 'Ann',
    openedAtMs: at,
    closedBy: null,
    untilMs: at + 3_600_000,
    currencies: [cad],
    waiting: [],
    waitingNote: null,
    ...fields,
  };
}

describe('a shift report', () => {
  it('formats amounts per currency with its decimals', () => {
    expect(shiftMoney(123450, 'CAD')).toBe('1,234.50 CAD');
    expect(shiftMoney(1500, 'JPY')).toBe('1,500 JPY');
    expect(shiftMoney(-500, 'CAD')).toBe('-5.00 CAD');
  });

  it('titles and explains X and Z', () => {
    expect(reportTitle(report())).toBe('X report · shift 12');
    expect(reportTitle(report({ kind: 'Z' }))).toBe('Z report · shift 12');
    expect(reportMeaning(report({ kind: 'Z' }))).toMatch(/^Sealed/);
    expect(reportMeaning(report())).toMatch(/stays open/);
  });

  it('says who opened and closed it, and when', () => {
    const x = spanWords(report(), 'en-GB');
    expect(x).toMatch(/^Opened by Ann · /);
    expect(x).toMatch(/— read /);
    const z = spanWords(report({ kind: 'Z', closedBy: 'Max' }), 'en-GB');
    expect(z).toMatch(/— closed by Max · /);
  });

  it('lists sales, each way paid, refunds and voids, reversals as money out', () => {
    const lines = figureLines(cad);
    expect(lines.map((l) => l.label)).toEqual(['Sales', 'WeChat Pay QR', 'Card', 'Refunds', 'Voids']);
    expect(lines[0]).toMatchObject({ count: 3, amount: '1,234.50 CAD' });
    expect(lines[3]).toMatchObject({ count: 1, amount: '-5.00 CAD', out: true });
    // Nothing given back reads as nothing, not as money out.
    expect(lines[4]).toMatchObject({ count: 0, amount: '0.00 CAD', out: false });
    expect(figureLines(cad, (_g, m) => m.toUpperCase())[1].label).toBe('WECHAT-QR');
  });

  it('checks the net as sales - refunds - voids', () => {
    expect(netMinor(cad)).toBe(cad.netMinor);
    expect(netMinor({ salesMinor: 1000, refundsMinor: 200, voidsMinor: 300 })).toBe(500);
  });

  it('keeps reversals with no answer apart, in words', () => {
    expect(unknownWords(cad)).toBeNull();
    const words = unknownWords({ ...cad, unknownReversalsCount: 2, unknownReversalsMinor: 750 });
    expect(words).toMatch(/^2 refunds or voids of 7.50 CAD with no answer yet: not in the net/);
    expect(unknownWords({ ...cad, unknownReversalsCount: 1, unknownReversalsMinor: 100 })).toMatch(/^1 refund or void of 1.00 CAD/);
  });

  it('names no one signed in', () => {
    expect(staffName('')).toBe('No one signed in');
    expect(staffName('Ann')).toBe('Ann');
  });

  it('lists a waiting sale in one line', () => {
    const sale: WaitingSale = {
      id: 4,
      merchantOrderNo: 'PD4',
      method: 'wechat-qr',
      currency: 'CAD',
      minor: 1250,
      status: 'pending',
      staff: 'Ann',
      createdAtMs: at,
    };
    expect(waitingLine(sale)).toBe('PD4 · 12.50 CAD · wechat-qr · Ann');
    expect(waitingLine({ ...sale, staff: null }, () => 'WeChat Pay')).toBe('PD4 · 12.50 CAD · WeChat Pay');
  });

  it('reads the waiting sales a refused close listed', () => {
    expect(
      waitingFromRefusal(
        '2 sale(s) still wait for payment (PD1 12.50 CAD, PD2 3.00 CAD): re-check or cancel them, or close and carry them to the next shift',
      ),
    ).toEqual(['PD1 12.50 CAD', 'PD2 3.00 CAD']);
    expect(waitingFromRefusal('no list')).toEqual([]);
  });

  it('offers a file name, in the folder', () => {
    expect(reportFileName(report({ kind: 'Z' }), 'pdf')).toBe('shift-12-Z.pdf');
    expect(reportFileName(report(), 'csv')).toBe('shift-12-X.csv');
    expect(inFolder('/home/ann/Documents', 'a.csv')).toBe('/home/ann/Documents/a.csv');
    expect(inFolder('/home/ann/Documents/', 'a.csv')).toBe('/home/ann/Documents/a.csv');
    expect(inFolder('C:\\Users\\Ann', 'a.csv')).toBe('C:\\Users\\Ann\\a.csv');
    expect(inFolder(null, 'a.csv')).toBe('a.csv');
  });

  it('words a shift of the list', () => {
    const row: ShiftRow = { id: 3, counter: '', openedBy: 'Ann', openedAtMs: at, closedBy: null, closedAtMs: null, zHash: null };
    expect(shiftRowWords(row, 'en-GB')).toMatch(/^Shift 3 · Ann · .* – open$/);
    expect(shiftRowWords({ ...row, counter: 'Till 2', closedAtMs: at + 1000, closedBy: 'Max' }, 'en-GB')).toMatch(/^Shift 3 · Till 2 · Ann · /);
  });
});
