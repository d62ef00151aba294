/**
 * IOTPay's embedded card form (iotpaycc.js): reading the order's payload, loading the
 * script, and what its callback means. The callback is only a hint: the core confirms the
 * payment by query and pushes `order-updated`; nothing here marks an order paid.
 */

export interface WidgetPayload {
  secureId: string;
  scriptUrl: string;
  mode: 'Pay' | 'Add';
}

/** The widget's parameters from an order's `paymentPayload`, or null if it has none. */
export function widgetPayload(payload: unknown): WidgetPayload | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if (typeof p.secureId !== 'string' || p.secureId === '') return null;
  if (typeof p.scriptUrl !== 'string' || !/^https?:\/\//.test(p.scriptUrl)) return null;
  const mode = p.mode === 'Add' ? 'Add' : 'Pay';
  return { secureId: p.secureId, scriptUrl: p.scriptUrl, mode };
}

export type WidgetHintTone = 'info' | 'waiting' | 'danger';

export interface WidgetHint {
  tone: WidgetHintTone;
  text: string;
}

/** What the counter says after the form's callback; never "Paid". */
export function interpretWidgetResult(event: unknown): WidgetHint {
  const e = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  const result = typeof e.result === 'string' ? e.result.toUpperCase() : '';
  const message = typeof e.message === 'string' ? e.message.trim() : '';
  if (result === 'SUCCESS') {
    return { tone: 'info', text: 'Card accepted: confirming the payment with IOTPay…' };
  }
  if (result === 'FAIL' && message.toLowerCase() === 'timeout') {
    return { tone: 'waiting', text: 'Waiting for the bank: the payment is not confirmed yet.' };
  }
  if (result === 'FAIL') {
    return { tone: 'danger', text: message ? `Card not accepted: ${message}.` : 'Card not accepted.' };
  }
  return { tone: 'info', text: 'The card form answered; waiting for IOTPay to confirm.' };
}

interface IotpayMount {
  mount(selector: string, callback: (event: unknown) => void): void;
}

type IotpayFactory = (secureId: string, mode: 'Pay' | 'Add') => IotpayMount;

const loading = new Map<string, Promise<IotpayFactory>>();

function factory(): IotpayFactory | null {
  const candidate = (window as unknown as { Iotpay?: unknown }).Iotpay;
  return typeof candidate === 'function' ? (candidate as IotpayFactory) : null;
}

/** Adds the vendor's script once per URL and resolves to its `window.Iotpay`. */
export function loadIotpay(scriptUrl: string): Promise<IotpayFactory> {
  const known = loading.get(scriptUrl);
  if (known) return known;
  const promise = new Promise<IotpayFactory>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = scriptUrl;
    script.async = true;
    script.onload = () => {
      const found = factory();
      if (found) resolve(found);
      else reject(new Error('The card form script loaded but offered no Iotpay.'));
    };
    script.onerror = () => reject(new Error('The card form could not be loaded.'));
    document.head.appendChild(script);
  });
  // A failed load may be retried on the next order.
  promise.catch(() => loading.delete(scriptUrl));
  loading.set(scriptUrl, promise);
  return promise;
}
