import { describe, expect, it } from 'vitest';
import { interpretWidgetResult, widgetPayload } from './cardWidget';

describe('widgetPayload', () => {
  it('reads secureId, scriptUrl and mode', () => {
    const payload = { secureId: 'S123', scriptUrl: 'http://127.0.0.1:4000/iotpay/cc/iotpaycc.js', mode: 'Pay' };
    expect(widgetPayload(payload)).toEqual(payload);
  });

  it('takes Pay when the mode is missing or unknown', () => {
    expect(widgetPayload({ secureId: 'S1', scriptUrl: 'https://ccapi.iotpaycloud.com/cc/iotpaycc.js' })?.mode).toBe('Pay');
    expect(widgetPayload({ secureId: 'S1', scriptUrl: 'https://x.example/a.js', mode: 'Steal' })?.mode).toBe('Pay');
    expect(widgetPayload({ secureId: 'S1', scriptUrl: 'https://x.example/a.js', mode: 'Add' })?.mode).toBe('Add');
  });

  it('is null without a payload, a secureId or a web script URL', () => {
    expect(widgetPayload(null)).toBeNull();
    expect(widgetPayload(undefined)).toBeNull();
    expect(widgetPayload('S1')).toBeNull();
    expect(widgetPayload({ scriptUrl: 'https://x.example/a.js' })).toBeNull();
    expect(widgetPayload({ secureId: '', scriptUrl: 'https://x.example/a.js' })).toBeNull();
    expect(widgetPayload({ secureId: 'S1' })).toBeNull();
    expect(widgetPayload({ secureId: 'S1', scriptUrl: 'javascript:alert(1)' })).toBeNull();
    expect(widgetPayload({ secureId: 'S1', scriptUrl: 'data:text/javascript,1' })).toBeNull();
  });
});

describe('interpretWidgetResult', () => {
  it('never says Paid: SUCCESS only means the core is confirming', () => {
    const hint = interpretWidgetResult({ result: 'SUCCESS', message: 'Approved', detail: { retData: { status: 2 } } });
    expect(hint.tone).toBe('info');
    expect(hint.text).toMatch(/confirming/i);
    expect(hint.text).not.toMatch(/\bpaid\b/i);
  });

  it('reads a FAIL with Timeout as waiting for the bank', () => {
    expect(interpretWidgetResult({ result: 'FAIL', message: 'Timeout', detail: { retData: {} } })).toEqual({
      tone: 'waiting',
      text: expect.stringContaining('Waiting for the bank'),
    });
    expect(interpretWidgetResult({ result: 'FAIL', message: ' timeout ' }).tone).toBe('waiting');
  });

  it('shows a decline with its message', () => {
    const hint = interpretWidgetResult({ result: 'FAIL', message: 'Declined', detail: { retData: {} } });
    expect(hint.tone).toBe('danger');
    expect(hint.text).toContain('Declined');
    expect(interpretWidgetResult({ result: 'FAIL' })).toEqual({ tone: 'danger', text: 'Card not accepted.' });
  });

  it('treats anything else as a neutral hint', () => {
    for (const odd of [null, undefined, 'SUCCESS', 42, {}, { result: 'MAYBE' }]) {
      const hint = interpretWidgetResult(odd);
      expect(hint.tone).toBe('info');
      expect(hint.text).not.toMatch(/\bpaid\b/i);
    }
  });
});
