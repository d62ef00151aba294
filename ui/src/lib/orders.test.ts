import { describe, expect, it } from 'vitest';
import type { OrderView } from './api';
import { chooseCurrency, displayedAmount, fresher, lateNote, methodKey, orderAmount } from './orders';
import { setWindowLanguage } from './i18n';
import { sampleView } from './testing';

function order(overrides: Partial<OrderView> = {}): OrderView {
  return sampleView({
    paymentUrl: 'https://pay.example/1',
    qrSvg: '<svg></svg>',
    createdAt: '2025-03-01T12:00:00Z',
    updatedAt: '2025-03-01T12:00:00Z',
    ...overrides,
  });
}

describe('fresher', () => {
  it('takes the incoming snapshot when nothing is shown', () => {
    const next = order();
    expect(fresher(null, next)).toBe(next);
  });

  it('never lets an older snapshot overwrite a newer one', () => {
    const paid = order({ status: 'paid', updatedAt: '2025-03-01T12:01:00Z' });
    const stale = order({ status: 'pending', updatedAt: '2025-03-01T12:00:30Z' });
    expect(fresher(paid, stale)).toBe(paid);
    expect(fresher(stale, paid)).toBe(paid);
  });

  it('prefers the incoming snapshot on equal timestamps', () => {
    const a = order({ status: 'pending' });
    const b = order({ status: 'paid' });
    expect(fresher(a, b)).toBe(b);
  });

  it('compares instants, not strings, across offsets', () => {
    const current = order({ status: 'pending', updatedAt: '2025-03-01T12:00:00Z' });
    const incoming = order({ status: 'paid', updatedAt: '2025-03-01T08:00:01-04:00' });
    expect(fresher(current, incoming)).toBe(incoming);
  });

  it('replaces a different order outright', () => {
    const other = order({ id: 2, updatedAt: '2000-01-01T00:00:00Z' });
    expect(fresher(order(), other)).toBe(other);
  });
});

describe('chooseCurrency', () => {
  it('keeps the current currency when the method supports it', () => {
    expect(chooseCurrency(['CAD', 'USD'], 'USD', 'CAD')).toBe('USD');
  });

  it('falls back to the default, then to the first listed currency', () => {
    expect(chooseCurrency(['CAD', 'USD'], 'EUR', 'CAD')).toBe('CAD');
    expect(chooseCurrency(['INR'], 'CAD', 'CAD')).toBe('INR');
  });

  it('keeps the current currency when the method lists none', () => {
    expect(chooseCurrency([], 'CAD', 'USD')).toBe('CAD');
    expect(chooseCurrency([], '', 'USD')).toBe('USD');
  });
});

describe('methodKey', () => {
  it('keys methods by gateway and method', () => {
    expect(methodKey({ gateway: 'iotpay', method: 'alipay-qr' })).toBe('iotpay/alipay-qr');
  });
});

describe('orderAmount', () => {
  it('is the amount with its currency, as the window writes it', () => {
    expect(orderAmount({ amountMinor: 1250, currency: 'CAD' })).toBe('12.50 CAD');
    expect(orderAmount({ amountMinor: 1500, currency: 'JPY' })).toBe('1,500 JPY');
    setWindowLanguage('fr-CA');
    try {
      expect(orderAmount({ amountMinor: 123450, currency: 'CAD' }).replace(/\s/g, ' ')).toBe('1 234,50 $');
      expect(displayedAmount('12.50', 'EUR')).toBe('12.50 EUR');
    } finally {
      setWindowLanguage('en');
    }
  });
});

describe('lateNote', () => {
  const late = { note: 'paid after it was cancelled: refund it', noteKey: 'attention.note.paid_after_cancel' };
  it('is the core’s note in English and the catalogue’s in another language', () => {
    expect(lateNote(late, 'en')).toBe('paid after it was cancelled: refund it');
    expect(lateNote(late, 'fr-CA')).toBe('payée après son annulation : remboursez-la');
    expect(lateNote({ ...late, noteKey: 'no.such.key' }, 'zh-CN')).toBe('paid after it was cancelled: refund it');
  });
});
