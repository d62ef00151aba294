/**
 * A payment method's name for people, in the window's language, from its code. The core keeps
 * its English labels for the CLI and sends them with the methods; the window reads its own
 * catalogue first, and the core's label only for a method it has no words for yet (a method
 * added to the core before its translations), so a new method still shows a name.
 */
import { t, tIn, type Language, type MessageKey } from './i18n';

const METHOD_WORDS: Record<string, MessageKey> = {
  'wechat-qr': 'method.wechat_qr',
  'alipay-qr': 'method.alipay_qr',
  'unionpay-qr': 'method.unionpay_qr',
  barcode: 'method.barcode',
  'alipay-web': 'method.alipay_web',
  'unionpay-web': 'method.unionpay_web',
  'wechat-app': 'method.wechat_app',
  'alipay-app': 'method.alipay_app',
  'unionpay-app': 'method.unionpay_app',
  'card-link': 'method.card_link',
  card: 'method.card',
  'card-token': 'method.card_token',
  upi: 'method.upi',
  'upi-widget': 'method.upi_widget',
  exchange: 'method.exchange',
  'smartpay-card': 'method.smartpay_card',
  'card-terminal': 'method.card_terminal',
};

/** The name of `method` in the window's language (or `lang`); `coreLabel`, else the code, for one without words. */
export function methodName(method: string, coreLabel?: string, lang?: Language): string {
  const key = Object.prototype.hasOwnProperty.call(METHOD_WORDS, method) ? METHOD_WORDS[method] : undefined;
  if (key) return lang ? tIn(lang, key) : t(key);
  return coreLabel ?? method;
}
