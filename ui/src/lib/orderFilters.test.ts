import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  currencyOptions,
  emptyFilters,
  fieldMessage,
  filterSummary,
  gatewayLabel,
  gatewayOptions,
  isFilterField,
  methodLabel,
  methodOptions,
  requestKey,
  stillMatches,
  toFilterRequest,
  withGateway,
} from './orderFilters';
import { formatDay } from './datetime';

const METHODS = [
  { gateway: 'iotpay', method: 'wechat-qr', currencies: ['CAD', 'USD'] },
  { gateway: 'iotpay', method: 'card', currencies: ['CAD'] },
  { gateway: 'smepay', method: 'upi', currencies: ['INR'] },
  { gateway: 'smartpay', method: 'smartpay-card', currencies: ['EUR', 'GBP', 'USD'] },
];

describe('filters to request', () => {
  it('leaves blank fields out and trims the rest, amounts as typed', () => {
    const form = { ...emptyFilters(), status: 'paid', search: '  PD26 ', currency: 'CAD', minAmount: ' 10.5', to: ' ' };
    expect(toFilterRequest(form)).toEqual({ status: 'paid', search: 'PD26', currency: 'CAD', minAmount: '10.5' });
    expect(toFilterRequest(emptyFilters())).toEqual({});
  });

  it('keys equal filters equally, whatever the key order or blanks', () => {
    const a = toFilterRequest({ ...emptyFilters(), gateway: 'iotpay', search: 'x ' });
    expect(requestKey(a)).toBe(requestKey({ search: 'x', gateway: 'iotpay' }));
    expect(requestKey(a)).not.toBe(requestKey({ gateway: 'iotpay' }));
  });

  it('counts the filters in use', () => {
    expect(activeFilterCount(emptyFilters())).toBe(0);
    expect(activeFilterCount({ ...emptyFilters(), from: '2026-01-01', to: '2026-01-31', search: ' ' })).toBe(2);
  });
});

describe('errors beside their field', () => {
  it('knows the filter fields', () => {
    expect(isFilterField('minAmount')).toBe(true);
    expect(isFilterField('pin')).toBe(false);
    expect(isFilterField(null)).toBe(false);
  });

  it('drops the field name the core puts in front', () => {
    expect(fieldMessage({ code: 'invalid_input', field: 'minAmount', message: 'minAmount: amount "abc" is not a number' })).toBe(
      'amount "abc" is not a number',
    );
    expect(fieldMessage({ code: 'storage', field: null, message: 'ledger: busy' })).toBe('ledger: busy');
  });
});

describe('choices', () => {
  it('offers the chosen gateway methods and currencies, or all of them', () => {
    expect(gatewayOptions(METHODS)).toEqual(['iotpay', 'smepay', 'smartpay']);
    expect(methodOptions(METHODS, 'iotpay')).toEqual(['wechat-qr', 'card']);
    expect(methodOptions(METHODS, '')).toHaveLength(4);
    expect(currencyOptions(METHODS, '')).toEqual(['CAD', 'EUR', 'GBP', 'INR', 'USD']);
    expect(currencyOptions(METHODS, 'smepay')).toEqual(['INR']);
  });

  it('clears a method the new gateway does not offer', () => {
    const form = { ...emptyFilters(), method: 'card' };
    expect(withGateway(form, 'iotpay', METHODS).method).toBe('card');
    expect(withGateway(form, 'smepay', METHODS)).toMatchObject({ gateway: 'smepay', method: '' });
    expect(withGateway(form, '', METHODS).method).toBe('card');
  });
});

describe('filterSummary', () => {
  it('reads the filter in a line', () => {
    expect(filterSummary({})).toBe('');
    expect(
      filterSummary(
        { status: 'paid', gateway: 'iotpay', from: '2026-11-01', to: '2026-11-30', currency: 'CAD', minAmount: '10', search: 'PD26' },
        (s) => s.toUpperCase(),
        (d) => d,
      ),
    ).toBe('PAID · IOTPay · 2026-11-01 to 2026-11-30 · at least 10 CAD · “PD26”');
    expect(filterSummary({ to: '2026-01-31', currency: 'USD' }, undefined, (d) => d)).toBe('until 2026-01-31 · USD');
    // Days in the locale's form, as everywhere.
    expect(filterSummary({ from: '2026-11-01', to: '2026-11-30' }, undefined, (d) => formatDay(d, 'en-GB'))).toBe(
      '1 Nov 2026 to 30 Nov 2026',
    );
    expect(gatewayLabel('smartexpay')).toBe('SmartExPay');
    expect(gatewayLabel('other')).toBe('other');
  });
});

describe('stillMatches', () => {
  it('keeps a changed order under no status filter or its own status, and drops it otherwise', () => {
    expect(stillMatches({ status: 'paid' }, {})).toBe(true);
    expect(stillMatches({ status: 'paid' }, { status: '' })).toBe(true);
    expect(stillMatches({ status: 'paid' }, { status: 'paid', gateway: 'iotpay' })).toBe(true);
    expect(stillMatches({ status: 'paid' }, { status: 'pending' })).toBe(false);
  });

  it("keeps a pulled order of another counter out of a counter's list", () => {
    expect(stillMatches({ status: 'paid', counter: 'Till 2' }, { counter: 'Till 2' })).toBe(true);
    expect(stillMatches({ status: 'paid', counter: 'Till 1' }, { counter: 'Till 2' })).toBe(false);
    expect(stillMatches({ status: 'paid', counter: null }, { counter: 'Till 2' })).toBe(false);
    expect(stillMatches({ status: 'paid', counter: 'Till 1' }, {})).toBe(true);
  });

  it("keeps another person's sale out of a list of one person's, names in any case", () => {
    expect(stillMatches({ status: 'paid', staff: 'Ann' }, { staff: 'ann' })).toBe(true);
    expect(stillMatches({ status: 'paid', staff: 'Max' }, { staff: 'Ann' })).toBe(false);
    expect(stillMatches({ status: 'paid', staff: null }, { staff: 'Ann' })).toBe(false);
    expect(stillMatches({ status: 'paid', staff: 'Max' }, { staff: '' })).toBe(true);
  });

  it('says who sold them in the summary', () => {
    expect(filterSummary({ status: 'paid', staff: 'Ann' })).toBe('paid · sold by Ann');
  });
});

describe('methodLabel', () => {
  it("names a method in the window's language, by the core's label or its code when it has no words", () => {
    const methods = [
      { method: 'wechat-qr', label: 'WeChat Pay QR' },
      { method: 'new-method', label: 'New method' },
    ];
    expect(methodLabel(methods, 'wechat-qr')).toBe('WeChat Pay QR');
    expect(methodLabel(methods, 'upi')).toBe('UPI (SMEPay)');
    expect(methodLabel(methods, 'new-method')).toBe('New method');
    expect(methodLabel(methods, 'other')).toBe('other');
  });
});
