import { describe, expect, it } from 'vitest';
import {
  columnLabel,
  formatBytes,
  formatCount,
  orderedColumns,
  progressLabel,
  progressPercent,
  suggestedFileName,
  zoneText,
} from './exportProgress';

describe('progress', () => {
  it('is a whole percent, 100 only when done', () => {
    expect(progressPercent({ rows: 0, total: 48_210, done: false })).toBe(0);
    expect(progressPercent({ rows: 5_000, total: 48_210, done: false })).toBe(10);
    expect(progressPercent({ rows: 48_210, total: 48_210, done: false })).toBe(99);
    expect(progressPercent({ rows: 48_215, total: 48_210, done: false })).toBe(99);
    expect(progressPercent({ rows: 48_210, total: 48_210, done: true })).toBe(100);
    expect(progressPercent({ rows: 0, total: 0, done: false })).toBe(0);
    expect(progressPercent({ rows: 0, total: 0, done: true })).toBe(100);
  });

  it('reads as a sentence with grouped counts', () => {
    expect(progressLabel({ rows: 5_000, total: 48_210, done: false })).toBe('5,000 of 48,210 orders (10%)');
    expect(progressLabel({ rows: 48_210, total: 48_210, done: true })).toBe('48,210 orders written');
    expect(progressLabel({ rows: 1, total: 1, done: true })).toBe('1 order written');
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
  });

  it('shows sizes in B, KB and MB', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB');
  });
});

describe('the file and its columns', () => {
  const today = new Date(2026, 10, 22);

  it('names the file after the filtered days', () => {
    expect(suggestedFileName({ from: '2026-11-01', to: '2026-11-30' }, today)).toBe('paydesk-orders-2026-11-01-to-2026-11-30.csv');
    expect(suggestedFileName({ from: '2026-11-01' }, today)).toBe('paydesk-orders-from-2026-11-01.csv');
    expect(suggestedFileName({ to: '../x' }, today)).toBe('paydesk-orders-to-x.csv');
    expect(suggestedFileName({}, today)).toBe('paydesk-orders-2026-11-22.csv');
  });

  it('keeps the export order of the columns, whatever the order they were ticked', () => {
    const all = ['id', 'created_at', 'amount', 'currency'];
    expect(orderedColumns(all, new Set(['currency', 'id']))).toEqual(['id', 'currency']);
    expect(columnLabel('merchant_order_no')).toBe('Merchant order no');
  });

  it('sends the zone as the core parses it', () => {
    expect(zoneText('UTC', '')).toBe('UTC');
    expect(zoneText('local', '+01:00')).toBe('local');
    expect(zoneText('offset', ' +05:30 ')).toBe('+05:30');
  });
});

describe('defaultExportPath', () => {
  it('puts the file in the folder with its own separator', async () => {
    const { defaultExportPath } = await import('./exportProgress');
    expect(defaultExportPath('/home/owner/Documents', 'paydesk-orders-2026-12-06.csv')).toBe(
      '/home/owner/Documents/paydesk-orders-2026-12-06.csv',
    );
    expect(defaultExportPath('/home/owner/', 'a.csv')).toBe('/home/owner/a.csv');
    expect(defaultExportPath('C:\\Users\\owner\\Documents', 'a.csv')).toBe('C:\\Users\\owner\\Documents\\a.csv');
  });

  it('offers the file name alone when the folder is unknown', async () => {
    const { defaultExportPath } = await import('./exportProgress');
    expect(defaultExportPath(null, 'a.csv')).toBe('a.csv');
    expect(defaultExportPath('  ', 'a.csv')).toBe('a.csv');
  });
});
