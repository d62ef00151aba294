import { describe, expect, it } from 'vitest';
import {
  interpretSmartpayResult,
  interpretSmepayResult,
  interpretWidgetResult,
  smartpayPayload,
  smepayPayload,
  widgetMount,
  widgetMountKey,
  widgetPayload,
} from './cardWidget';

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

describe('smepayPayload and smartpayPayload', () => {
  it('reads the SMEPay slug and script URL', () => {
    const payload = { slug: 'AbC123xyz', scriptUrl: 'http://127.0.0.1:4000/smepay/sdk/smepay-checkout.js' };
    expect(smepayPayload(payload)).toEqual(payload);
  });

  it('is null for SMEPay without a slug or a web script URL', () => {
    expect(smepayPayload(null)).toBeNull();
    expect(smepayPayload({ slug: '', scriptUrl: 'https://x.example/a.js' })).toBeNull();
    expect(smepayPayload({ slug: 'A1' })).toBeNull();
    expect(smepayPayload({ slug: 'A1', scriptUrl: 'javascript:alert(1)' })).toBeNull();
    // A link order's payload has a slug but no script: not a widget.
    expect(smepayPayload({ slug: 'A1', qrCode: 'x', intents: {} })).toBeNull();
  });

  it('reads the SmartPay checkoutToken, transactionId and script URL', () => {
    const payload = {
      checkoutToken: 'tok-1',
      transactionId: '48c4e923-e88c-464b-a4e7-ccb2c6d3775e',
      scriptUrl: 'https://sandbox.example/smartpay/smp-bundle.js',
    };
    expect(smartpayPayload(payload)).toEqual(payload);
    expect(smartpayPayload({ checkoutToken: 'tok-1', scriptUrl: 'https://x.example/a.js' })?.transactionId).toBeNull();
  });

  it('is null for SmartPay without a checkoutToken or a web script URL', () => {
    expect(smartpayPayload(undefined)).toBeNull();
    expect(smartpayPayload({ transactionId: 't', scriptUrl: 'https://x.example/a.js' })).toBeNull();
    expect(smartpayPayload({ checkoutToken: 'tok', scriptUrl: 'data:text/javascript,1' })).toBeNull();
  });
});

describe('widgetMount', () => {
  const iotpay = { secureId: 'S1', scriptUrl: 'https://x.example/iotpaycc.js', mode: 'Pay' };
  const smepay = { slug: 'A1', scriptUrl: 'https://x.example/smepay-checkout.js' };
  const smartpay = { checkoutToken: 'tok', transactionId: 't1', scriptUrl: 'https://x.example/smp-bundle.js' };

  it('picks the vendor by gateway and method', () => {
    expect(widgetMount('iotpay', 'card', iotpay)).toEqual({ vendor: 'iotpay', ...iotpay });
    expect(widgetMount('smepay', 'upi-widget', smepay)).toEqual({ vendor: 'smepay', ...smepay });
    expect(widgetMount('smartpay', 'smartpay-card', smartpay)).toEqual({ vendor: 'smartpay', ...smartpay });
  });

  it('is null for a payload of another shape or a method that is no widget', () => {
    expect(widgetMount('smepay', 'upi-widget', iotpay)).toBeNull();
    expect(widgetMount('smartpay', 'smartpay-card', smepay)).toBeNull();
    expect(widgetMount('smepay', 'upi', smepay)).toBeNull();
    expect(widgetMount('smartexpay', 'card', iotpay)).toBeNull();
  });

  it('keys a mount per order, so status snapshots do not remount it', () => {
    const a = widgetMountKey(widgetMount('smepay', 'upi-widget', smepay));
    const b = widgetMountKey(widgetMount('smepay', 'upi-widget', { ...smepay }));
    const c = widgetMountKey(widgetMount('smepay', 'upi-widget', { ...smepay, slug: 'A2' }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(widgetMountKey(null)).toBeNull();
  });
});

describe('interpretSmepayResult and interpretSmartpayResult', () => {
  it('never says Paid: success only means the core is confirming', () => {
    for (const hint of [
      interpretSmepayResult('success', { slug: 'A1', status: 'SUCCESS' }),
      interpretSmepayResult('success'),
      interpretSmartpayResult('success', { transactionStatus: 'CAPTURED' }),
    ]) {
      expect(hint.tone).toBe('info');
      expect(hint.text.toLowerCase()).toContain('confirm');
      expect(hint.text).not.toMatch(/\bpaid\b/i);
    }
  });

  it('shows an SMEPay failure as an error', () => {
    const hint = interpretSmepayResult('failure');
    expect(hint.tone).toBe('danger');
    expect(hint.text).toMatch(/not completed/);
  });

  it('shows a SmartPay error with its message, else its code', () => {
    expect(interpretSmartpayResult('error', 'PAYMENT_DECLINED', 'The payment was declined')).toEqual({
      tone: 'danger',
      text: 'Card not accepted: The payment was declined.',
    });
    expect(interpretSmartpayResult('error', 'PAYMENT_DECLINED')).toEqual({
      tone: 'danger',
      text: 'Card not accepted (PAYMENT_DECLINED).',
    });
    expect(interpretSmartpayResult('error')).toEqual({ tone: 'danger', text: 'Card not accepted.' });
  });
});
