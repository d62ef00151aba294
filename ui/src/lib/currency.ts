/**
 * The currencies the core knows and their decimals, read from the list generated out of its
 * money.rs (bindings/currencies.ts by `make bindings`): the window keeps no currency table of
 * its own, so it cannot offer a currency the core refuses or type the wrong number of decimals.
 */
import { CURRENCIES } from './bindings';

/** Every currency code the core knows, in its order. */
export const CURRENCY_CODES: readonly string[] = CURRENCIES.map((c) => c.code);

const DECIMALS: ReadonlyMap<string, number> = new Map(CURRENCIES.map((c) => [c.code, c.exponent]));

/**
 * Digits after the decimal point (2 for CAD, 0 for JPY, 3 for KWD). A code the core does not
 * know gets 2: the core refuses it anyway, with its own message.
 */
export function currencyDecimals(currency: string): number {
  return DECIMALS.get(currency.trim().toUpperCase()) ?? 2;
}
