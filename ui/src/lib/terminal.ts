/**
 * A card-terminal sale (IOTPay's PAX terminal, method kind `terminal`): no QR, the customer
 * pays on the terminal beside the counter. What the counter shows while it waits; pure logic,
 * tested by vitest. Paid or Failed come from the core's queries, as for every sale.
 */

import { language, t, tIn, type Language } from './i18n';

/**
 * What the cashier (and the customer, in the sale's language) reads while the terminal waits
 * for the card; `lang` defaults to the window's.
 */
export function terminalPrompt(lang: Language = language.window): string {
  return tIn(lang, 'terminal.prompt');
}

/**
 * The terminal the sale was sent to: `paymentPayload.terminal.device` as the core keeps it
 * from the create; null when the payload has none (the gateway has not answered yet).
 */
export function terminalDevice(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const terminal = (payload as Record<string, unknown>).terminal;
  if (typeof terminal !== 'object' || terminal === null) return null;
  const device = (terminal as Record<string, unknown>).device;
  return typeof device === 'string' && device.trim() !== '' ? device.trim() : null;
}

/** The terminal line of the panel: "Terminal V1-B25", or the terminal in general. */
export function terminalLine(payload: unknown): string {
  const device = terminalDevice(payload);
  return device ? t('terminal.named', { device }) : t('terminal.the_shops');
}
