import { describe, expect, it } from 'vitest';
import type { MethodInfo } from './api';
import { amountEnterAction, checkSale, counterMethods, isCounterKind, saleVisual, shopCounterMethods } from './counter';
import { chosenMethods, groupMethods } from './setup';
import { terminalPrompt, terminalDevice, terminalLine } from './terminal';

const terminal: MethodInfo = { gateway: 'iotpay', method: 'card-terminal', label: 'Card terminal', kind: 'terminal', currencies: ['CAD'] };
const qr: MethodInfo = { gateway: 'iotpay', method: 'wechat-qr', label: 'WeChat Pay QR', kind: 'qr', currencies: ['CAD', 'USD'] };

describe('the card terminal at the counter', () => {
  it('is a counter method, offered as the shop lists it', () => {
    expect(isCounterKind('terminal')).toBe(true);
    expect(counterMethods([qr, terminal]).map((m) => m.method)).toEqual(['wechat-qr', 'card-terminal']);
    expect(shopCounterMethods([qr, terminal], ['card-terminal', 'wechat-qr']).map((m) => m.method)).toEqual([
      'card-terminal',
      'wechat-qr',
    ]);
    expect(shopCounterMethods([qr, terminal], ['iotpay/card-terminal']).map((m) => m.method)).toEqual(['card-terminal']);
    expect(shopCounterMethods([qr, terminal], ['wechat-qr']).map((m) => m.method)).toEqual(['wechat-qr']);
  });

  it('is offered at setup and in Settings beside the card forms (four groups fit a till)', () => {
    const card: MethodInfo = { gateway: 'iotpay', method: 'card', label: 'Card', kind: 'widget', currencies: ['CAD'] };
    const groups = groupMethods([qr, card, terminal]);
    expect(groups.map((g) => g.kind)).toEqual(['qr', 'widget']);
    expect(groups[1].methods.map((m) => m.method)).toEqual(['card', 'card-terminal']);
    expect(groups[1].title).toMatch(/terminal/);
    expect(groupMethods([terminal]).map((g) => g.methods.map((m) => m.method))).toEqual([['card-terminal']]);
    expect(chosenMethods([qr, terminal], ['card-terminal']).map((m) => m.method)).toEqual(['card-terminal']);
  });

  it('shows the terminal panel, not a QR; Enter creates the sale; no code is asked', () => {
    expect(saleVisual('terminal')).toBe('terminal');
    expect(amountEnterAction('terminal')).toBe('submit');
    expect(checkSale(terminal, '12.50', '')).toEqual({ ok: true, method: terminal });
  });
});

describe('terminal', () => {
  it('reads the terminal the sale went to from the payload', () => {
    expect(terminalDevice({ terminal: { device: 'V1-B25' } })).toBe('V1-B25');
    expect(terminalDevice({ terminal: { device: '  PAX-2 ' } })).toBe('PAX-2');
    expect(terminalLine({ terminal: { device: 'V1-B25' } })).toBe('Terminal V1-B25');
  });

  it('says the shop’s terminal when the payload names none', () => {
    for (const payload of [null, undefined, 'x', {}, { terminal: null }, { terminal: { device: '' } }, { terminal: { device: 7 } }]) {
      expect(terminalDevice(payload)).toBeNull();
      expect(terminalLine(payload)).toBe('The shop’s card terminal');
    }
  });

  it('asks for the card in the words of the issue', () => {
    expect(terminalPrompt()).toBe('Tap, insert or swipe on the terminal');
  });
});
