/**
 * IOTPay's embedded card form (iotpaycc.js): reading the order's payload, loading the
 * script, and what its callback means. The callback is only a hint: the core confirms the
 * payment by query and pushes `order-updated`; nothing here marks an order paid.
 */
import { t, type MessageKey } from './i18n';

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
  const mode = p.mode === 'Add' ? 'Add' : 'Pay'; // i18n-ignore: the vendor's mode names
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
    return { tone: 'info', text: t('widget.iotpay.accepted') };
  }
  if (result === 'FAIL' && message.toLowerCase() === 'timeout') {
    return { tone: 'waiting', text: t('widget.iotpay.waiting_bank') };
  }
  if (result === 'FAIL') {
    return { tone: 'danger', text: message ? t('widget.card_refused_because', { reason: message }) : t('widget.card_refused') };
  }
  return { tone: 'info', text: t('widget.iotpay.answered') };
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
      else reject(new Error(t('widget.iotpay.no_entry')));
    };
    script.onerror = () => reject(new Error(t('widget.iotpay.load_failed')));
    document.head.appendChild(script);
  });
  // A failed load may be retried on the next order.
  promise.catch(() => loading.delete(scriptUrl));
  loading.set(scriptUrl, promise);
  return promise;
}

/* ---- Other gateways' embedded checkouts (SMEPay upi-widget, SmartPay smartpay-card) ---- */

/** SMEPay's checkout (smepay-checkout.js): `window.smepayCheckout({slug, onSuccess, onFailure})`. */
export interface SmepayPayload {
  slug: string;
  scriptUrl: string;
}

/** SmartPay's widget (smp-bundle.js): `SmpLibrary.SmartPayAppInstance.renderWidget({...})`. */
export interface SmartpayPayload {
  checkoutToken: string;
  transactionId: string | null;
  scriptUrl: string;
}

function record(payload: unknown): Record<string, unknown> | null {
  return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : null;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function webUrl(value: unknown): string | null {
  return typeof value === 'string' && /^https?:\/\//.test(value) ? value : null;
}

/** The checkout's parameters from an SMEPay `upi-widget` order's payload, or null. */
export function smepayPayload(payload: unknown): SmepayPayload | null {
  const p = record(payload);
  if (!p) return null;
  const slug = nonEmpty(p.slug);
  const scriptUrl = webUrl(p.scriptUrl);
  if (!slug || !scriptUrl) return null;
  return { slug, scriptUrl };
}

/** The widget's parameters from a SmartPay `smartpay-card` order's payload, or null. */
export function smartpayPayload(payload: unknown): SmartpayPayload | null {
  const p = record(payload);
  if (!p) return null;
  const checkoutToken = nonEmpty(p.checkoutToken);
  const scriptUrl = webUrl(p.scriptUrl);
  if (!checkoutToken || !scriptUrl) return null;
  return { checkoutToken, transactionId: nonEmpty(p.transactionId), scriptUrl };
}

/** Which embedded checkout an order needs, by gateway and method, with its parameters. */
export type WidgetMount =
  | ({ vendor: 'iotpay' } & WidgetPayload)
  | ({ vendor: 'smepay' } & SmepayPayload)
  | ({ vendor: 'smartpay' } & SmartpayPayload);

export function widgetMount(gateway: string | null | undefined, method: string | null | undefined, payload: unknown): WidgetMount | null {
  if (gateway === 'smepay' && method === 'upi-widget') {
    const p = smepayPayload(payload);
    return p ? { vendor: 'smepay', ...p } : null;
  }
  if (gateway === 'smartpay' && method === 'smartpay-card') {
    const p = smartpayPayload(payload);
    return p ? { vendor: 'smartpay', ...p } : null;
  }
  if (gateway === 'iotpay' || gateway == null) {
    const p = widgetPayload(payload);
    return p ? { vendor: 'iotpay', ...p } : null;
  }
  return null;
}

/** A primitive per mount, so an effect re-runs per order and not per status snapshot. */
export function widgetMountKey(mount: WidgetMount | null): string | null {
  if (!mount) return null;
  switch (mount.vendor) {
    case 'iotpay':
      return `iotpay\n${mount.secureId}\n${mount.mode}\n${mount.scriptUrl}`;
    case 'smepay':
      return `smepay\n${mount.slug}\n${mount.scriptUrl}`;
    case 'smartpay':
      return `smartpay\n${mount.checkoutToken}\n${mount.scriptUrl}`;
  }
}

/** What the counter says after SMEPay's callback (onSuccess / onFailure); never "Paid". */
export function interpretSmepayResult(outcome: 'success' | 'failure', event?: unknown): WidgetHint {
  if (outcome === 'success') {
    const e = record(event) ?? {};
    const status = typeof e.status === 'string' ? e.status.toUpperCase() : '';
    if (status === '' || status === 'SUCCESS' || status === 'TEST_SUCCESS') {
      return { tone: 'info', text: t('widget.smepay.made') };
    }
    return { tone: 'info', text: t('widget.smepay.answered') };
  }
  return { tone: 'danger', text: t('widget.smepay.not_completed') };
}

/** What the counter says after SmartPay's successHandler / errorHandler; never "Paid". */
export function interpretSmartpayResult(
  outcome: 'success' | 'error',
  detail?: unknown,
  message?: unknown,
): WidgetHint {
  if (outcome === 'success') {
    return { tone: 'info', text: t('widget.smartpay.accepted') };
  }
  const code = typeof detail === 'string' ? detail.trim() : '';
  const text = typeof message === 'string' ? message.trim().replace(/\.+$/, '') : '';
  if (text) return { tone: 'danger', text: t('widget.card_refused_because', { reason: text }) };
  if (code) return { tone: 'danger', text: t('widget.card_refused_code', { code }) };
  return { tone: 'danger', text: t('widget.card_refused') };
}

interface SmepayOptions {
  slug: string;
  onSuccess?: (event: unknown) => void;
  onFailure?: (event?: unknown) => void;
}

type SmepayCheckout = (options: SmepayOptions) => void;

interface SmartpayOptions {
  checkoutToken: string;
  containers: { paymentContainer: string };
  successHandler?: (data: unknown) => void;
  errorHandler?: (code: unknown, message?: unknown) => void;
}

interface SmartpayInstance {
  renderWidget(options: SmartpayOptions): void;
}

const scripts = new Map<string, Promise<unknown>>();

/** What the cashier reads when a vendor's script fails: whole sentences per vendor. */
export interface ScriptFailures {
  /** The script ran but left nothing to call. */
  noEntry: MessageKey;
  /** The script could not be fetched. */
  loadFailed: MessageKey;
}

const SMEPAY_FAILURES: ScriptFailures = { noEntry: 'widget.smepay.no_entry', loadFailed: 'widget.smepay.load_failed' };
const SMARTPAY_FAILURES: ScriptFailures = { noEntry: 'widget.smartpay.no_entry', loadFailed: 'widget.smartpay.load_failed' };

/**
 * Adds a vendor's script once per URL and resolves to what `pick` finds on `window` once it
 * has run; a failed load may be retried.
 */
export function loadVendorScript<T>(scriptUrl: string, pick: () => T | null, what: ScriptFailures): Promise<T> {
  const known = scripts.get(scriptUrl);
  if (known) {
    return known.then(() => {
      const found = pick();
      if (found) return found;
      throw new Error(t(what.noEntry));
    });
  }
  const loaded = new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = scriptUrl;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(t(what.loadFailed)));
    document.head.appendChild(script);
  });
  loaded.catch(() => scripts.delete(scriptUrl));
  scripts.set(scriptUrl, loaded);
  return loaded.then(() => {
    const found = pick();
    if (found) return found;
    throw new Error(t(what.noEntry));
  });
}

function smepayCheckout(): SmepayCheckout | null {
  const candidate = (window as unknown as { smepayCheckout?: unknown }).smepayCheckout;
  return typeof candidate === 'function' ? (candidate as SmepayCheckout) : null;
}

function smartpayInstance(): SmartpayInstance | null {
  const lib = (window as unknown as { SmpLibrary?: { SmartPayAppInstance?: unknown } }).SmpLibrary;
  const instance = lib?.SmartPayAppInstance as Partial<SmartpayInstance> | undefined;
  return instance && typeof instance.renderWidget === 'function' ? (instance as SmartpayInstance) : null;
}

/**
 * Loads the order's vendor script (once per URL) and mounts its checkout into `container`
 * (a selector). `onHint` receives what the callback means: a hint only, never "Paid".
 */
export async function mountWidget(
  mount: WidgetMount,
  container: string,
  onHint: (hint: WidgetHint) => void,
): Promise<void> {
  switch (mount.vendor) {
    case 'iotpay': {
      const Iotpay = await loadIotpay(mount.scriptUrl);
      Iotpay(mount.secureId, mount.mode).mount(container, (event) => onHint(interpretWidgetResult(event)));
      return;
    }
    case 'smepay': {
      const checkout = await loadVendorScript(mount.scriptUrl, smepayCheckout, SMEPAY_FAILURES);
      checkout({
        slug: mount.slug,
        onSuccess: (event) => onHint(interpretSmepayResult('success', event)),
        onFailure: (event) => onHint(interpretSmepayResult('failure', event)),
      });
      return;
    }
    case 'smartpay': {
      const instance = await loadVendorScript(mount.scriptUrl, smartpayInstance, SMARTPAY_FAILURES);
      instance.renderWidget({
        checkoutToken: mount.checkoutToken,
        containers: { paymentContainer: container },
        successHandler: (data) => onHint(interpretSmartpayResult('success', data)),
        errorHandler: (code, message) => onHint(interpretSmartpayResult('error', code, message)),
      });
      return;
    }
  }
}
