/**
 * The customer display's language for one sale, apart from the window's: a customer paying
 * with WeChat Pay, Alipay or UnionPay reads Simplified Chinese, one paying by UPI through
 * SMEPay reads Hindi, anyone else the language the counter speaks. The cashier can switch it
 * for the sale on screen (one key cycles through every language Paydesk has), since a wallet
 * says who is likely paying, not who is. Pure: the counter keeps the choice per sale and sends
 * it with the display state (`customerDisplayShow`); nothing here is stored or exported.
 */
import { isLanguage, LANGUAGES, type Language } from './i18n';

/** The counter's key that cycles the customer display's language while a sale is shown. */
export const LANGUAGE_KEY = 'L';

/** Methods whose wallets are Chinese (WeChat Pay, Alipay, UnionPay): their QR or payment page. */
const CHINESE_WALLET_METHODS: ReadonlySet<string> = new Set([
  'wechat-qr',
  'alipay-qr',
  'unionpay-qr',
  'alipay-web',
  'unionpay-web',
]);

/** SMEPay's UPI methods: the QR and the checkout. */
const UPI_METHODS: ReadonlySet<string> = new Set(['upi', 'upi-widget']);

/** The language the payment method suggests, or null when it says nothing about the customer. */
export function methodLanguage(sale: { gateway: string; method: string }): Language | null {
  if (CHINESE_WALLET_METHODS.has(sale.method)) return 'zh-CN';
  if (sale.gateway === 'smepay' && UPI_METHODS.has(sale.method)) return 'hi';
  return null;
}

/**
 * The customer display's language for a sale nobody has switched: the one its method suggests
 * (when Paydesk has that catalogue), else the window's.
 */
export function defaultSaleLanguage(sale: { gateway: string; method: string }, windowLanguage: Language): Language {
  const suggested = methodLanguage(sale);
  return suggested !== null && isLanguage(suggested) ? suggested : windowLanguage;
}

/** The language after `current` in Paydesk's list (English first), wrapping round. */
export function nextLanguage(current: Language, languages: readonly Language[] = LANGUAGES): Language {
  if (languages.length === 0) return current;
  const at = languages.indexOf(current);
  return languages[(at + 1) % languages.length];
}

/** The cashier's choices per sale (order id -> language); a sale not in it has its default. */
export type SaleLanguages = Readonly<Record<number, Language>>;

/** The language the customer reads for `sale`: the cashier's choice, else the default. */
export function saleLanguage(
  sale: { id: number; gateway: string; method: string },
  chosen: SaleLanguages,
  windowLanguage: Language,
): Language {
  const picked = chosen[sale.id];
  return picked !== undefined && isLanguage(picked) ? picked : defaultSaleLanguage(sale, windowLanguage);
}

/** `chosen` with `sale` switched to the next language after the one it shows now. */
export function cycleSaleLanguage(
  sale: { id: number; gateway: string; method: string },
  chosen: SaleLanguages,
  windowLanguage: Language,
): SaleLanguages {
  return { ...chosen, [sale.id]: nextLanguage(saleLanguage(sale, chosen, windowLanguage)) };
}

/** Whether a key press is the language key (L or l, without a modifier). */
export function isLanguageKey(event: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey'>): boolean {
  return !event.altKey && !event.ctrlKey && !event.metaKey && event.key.toUpperCase() === LANGUAGE_KEY;
}

/** The language the customer window renders: the one the counter sent, English for one it lacks. */
export function displayLanguage(sent: string | null | undefined): Language {
  return sent && isLanguage(sent) ? sent : 'en';
}
