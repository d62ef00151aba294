/**
 * The counter's tip step, keyboard first: after the amount, when the shop offers tips
 * (`tip_offer` answers an offer), keys 1..n pick a choice, 0 or N picks no tip, C opens a
 * custom amount typed on the keypad, Enter confirms, Escape leaves the custom amount (or the
 * step). The offer (choices, their amounts) is the core's; this only keeps what is picked and
 * turns it into the tip text `create_order` takes.
 */
import type { CustomerTip, TipOffer } from './bindings';
import { currencyDecimals } from './currency';

/** The shop's tip settings (core tips.rs), as Settings edits them. */
export const TIPS_ENABLED = 'tips.enabled';
export const TIPS_THRESHOLD = 'tips.threshold';
export const TIPS_FIXED = 'tips.fixed';
export const TIPS_PERCENTAGES = 'tips.percentages';
export const TIP_KEYS = [TIPS_ENABLED, TIPS_THRESHOLD, TIPS_FIXED, TIPS_PERCENTAGES] as const;

export type TipPick = { kind: 'choice'; index: number } | { kind: 'none' } | { kind: 'custom'; text: string };

export interface TipStep {
  offer: TipOffer;
  /** Nothing picked yet: Enter does nothing. */
  picked: TipPick | null;
}

/** What a key did: the step as it is now, and when Enter confirmed, the tip to send. */
export interface TipKeyResult {
  step: TipStep;
  /** "1.85" (in the sale's currency) or "0": the tip `create_order` takes. */
  confirmed?: string;
  /** Escape outside a custom amount: back to the amount. */
  back?: boolean;
  /** Whether the key was the step's (the window then keeps it from anything else). */
  handled: boolean;
}

export function startTipStep(offer: TipOffer): TipStep {
  return { offer, picked: null };
}

/** Minor units as the decimal text the core parses ("185", "1.85", "0.125"). */
export function minorText(minor: number, currency: string): string {
  const decimals = currencyDecimals(currency);
  if (decimals === 0) return String(minor);
  const scale = 10 ** decimals;
  const whole = Math.floor(minor / scale);
  return `${whole}.${String(minor % scale).padStart(decimals, '0')}`;
}

/** The tip the step would send now: null while nothing (or an empty custom amount) is picked. */
export function tipText(step: TipStep): string | null {
  const picked = step.picked;
  if (!picked) return null;
  if (picked.kind === 'none') return '0';
  if (picked.kind === 'choice') {
    const choice = step.offer.choices[picked.index];
    return choice ? minorText(choice.tipMinor, step.offer.currency) : null;
  }
  return picked.text === '' ? null : picked.text;
}

/** A custom amount as typed so far, within the currency's decimals (the core checks the rest). */
function typeCustom(text: string, key: string, currency: string): string {
  const decimals = currencyDecimals(currency);
  if (key === 'Backspace') return text.slice(0, -1);
  if (key === '.' || key === ',') {
    if (decimals === 0 || text.includes('.')) return text;
    return text === '' ? '0.' : `${text}.`;
  }
  if (!/^\d$/.test(key)) return text;
  const [, fraction] = text.split('.');
  if (fraction !== undefined && fraction.length >= decimals) return text;
  if (text.replace('.', '').length >= 9) return text;
  return text === '0' ? key : text + key;
}

export function tipKey(step: TipStep, key: string): TipKeyResult {
  const picked = step.picked;
  if (picked?.kind === 'custom') {
    if (key === 'Enter') {
      const tip = tipText(step);
      return tip === null ? { step, handled: true } : { step, confirmed: tip, handled: true };
    }
    if (key === 'Escape') return { step: { ...step, picked: null }, handled: true };
    const text = typeCustom(picked.text, key, step.offer.currency);
    const handled = text !== picked.text || /^[\d.,]$/.test(key) || key === 'Backspace';
    return { step: { ...step, picked: { kind: 'custom', text } }, handled };
  }
  if (key === 'Enter') {
    const tip = tipText(step);
    return tip === null ? { step, handled: true } : { step, confirmed: tip, handled: true };
  }
  if (key === 'Escape') return { step, back: true, handled: true };
  if (key === '0' || key === 'n' || key === 'N') return { step: { ...step, picked: { kind: 'none' } }, handled: true };
  if (key === 'c' || key === 'C') return { step: { ...step, picked: { kind: 'custom', text: '' } }, handled: true };
  if (/^[1-9]$/.test(key)) {
    const index = Number(key) - 1;
    if (index < step.offer.choices.length) return { step: { ...step, picked: { kind: 'choice', index } }, handled: true };
    return { step, handled: true };
  }
  return { step, handled: false };
}

/** Whether choice `index` (or none, or custom) is the one picked: the key lights up. */
export function isPicked(step: TipStep, pick: TipPick): boolean {
  const picked = step.picked;
  if (!picked || picked.kind !== pick.kind) return false;
  return pick.kind !== 'choice' || (picked.kind === 'choice' && picked.index === pick.index);
}

/** The step as the customer display shows it: the same choices, the key picked, the tip. */
export function customerTip(step: TipStep): CustomerTip {
  const picked = step.picked;
  const key = !picked ? null : picked.kind === 'none' ? '0' : picked.kind === 'custom' ? 'C' : String(picked.index + 1);
  const tipMinor = !picked
    ? null
    : picked.kind === 'none'
      ? 0
      : picked.kind === 'choice'
        ? (step.offer.choices[picked.index]?.tipMinor ?? null)
        : null;
  return {
    saleMinor: step.offer.saleMinor,
    currency: step.offer.currency,
    choices: step.offer.choices.map((c) => ({ label: c.percent ?? c.tipDisplay, tipMinor: c.tipMinor })),
    picked: key,
    tipMinor,
  };
}
