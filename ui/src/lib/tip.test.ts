import { describe, expect, it } from 'vitest';
import type { TipOffer } from './bindings';
import { customerTip, isPicked, minorText, startTipStep, tipKey, tipText, type TipStep } from './tip';

const percentages: TipOffer = {
  currency: 'CAD',
  saleMinor: 2000,
  kind: 'percentages',
  choices: [
    { label: '15%', tipMinor: 300, tipDisplay: '3.00', percent: '15%' },
    { label: '18%', tipMinor: 360, tipDisplay: '3.60', percent: '18%' },
    { label: '20%', tipMinor: 400, tipDisplay: '4.00', percent: '20%' },
  ],
};

const yen: TipOffer = {
  currency: 'JPY',
  saleMinor: 1234,
  kind: 'percentages',
  choices: [{ label: '15%', tipMinor: 185, tipDisplay: '185', percent: '15%' }],
};

function press(step: TipStep, ...keys: string[]) {
  let result = { step, handled: false } as ReturnType<typeof tipKey>;
  for (const key of keys) result = tipKey(result.step, key);
  return result;
}

describe('the tip step at the keyboard', () => {
  it('1..n pick a choice and Enter confirms its amount in the sale currency', () => {
    const step = startTipStep(percentages);
    expect(tipKey(step, 'Enter').confirmed).toBeUndefined();
    const two = press(step, '2');
    expect(isPicked(two.step, { kind: 'choice', index: 1 })).toBe(true);
    expect(tipText(two.step)).toBe('3.60');
    expect(press(step, '2', 'Enter').confirmed).toBe('3.60');
    // A key past the choices picks nothing, but is the step's.
    const nine = press(step, '9');
    expect(nine.handled).toBe(true);
    expect(nine.step.picked).toBeNull();
  });

  it('0 or N is no tip; Escape goes back to the amount', () => {
    const step = startTipStep(percentages);
    expect(press(step, '0', 'Enter').confirmed).toBe('0');
    expect(press(step, 'n', 'Enter').confirmed).toBe('0');
    expect(press(step, 'N').step.picked).toEqual({ kind: 'none' });
    expect(tipKey(step, 'Escape').back).toBe(true);
  });

  it('C opens a custom amount typed within the currency decimals', () => {
    const step = startTipStep(percentages);
    const typed = press(step, 'C', '2', '.', '5', '0', '7');
    expect(typed.step.picked).toEqual({ kind: 'custom', text: '2.50' });
    expect(press(step, 'c', '2', '.', '5', 'Backspace', 'Enter').confirmed).toBe('2.');
    expect(press(step, 'c', 'Enter').confirmed).toBeUndefined();
    // Escape leaves the custom amount, not the step.
    const left = press(step, 'c', '4', 'Escape');
    expect(left.back).toBeUndefined();
    expect(left.step.picked).toBeNull();
    // Digits in a custom amount are not choices.
    expect(press(step, 'c', '1', '0', 'Enter').confirmed).toBe('10');
  });

  it('a zero-decimal currency: whole yen, no decimal point', () => {
    const step = startTipStep(yen);
    expect(press(step, '1', 'Enter').confirmed).toBe('185');
    expect(press(step, 'c', '2', '.', '5', 'Enter').confirmed).toBe('25');
    expect(minorText(185, 'JPY')).toBe('185');
    expect(minorText(5, 'CAD')).toBe('0.05');
    expect(minorText(1234, 'KWD')).toBe('1.234');
  });

  it('keys that are not the step are left to the window', () => {
    expect(tipKey(startTipStep(percentages), 'F2').handled).toBe(false);
  });
});

describe('the tip step on the customer display', () => {
  it('shows the same choices, the key picked and the tip', () => {
    const step = startTipStep(percentages);
    expect(customerTip(step)).toEqual({
      saleMinor: 2000,
      currency: 'CAD',
      choices: [
        { label: '15%', tipMinor: 300 },
        { label: '18%', tipMinor: 360 },
        { label: '20%', tipMinor: 400 },
      ],
      picked: null,
      tipMinor: null,
    });
    expect(customerTip(press(step, '3').step)).toMatchObject({ picked: '3', tipMinor: 400 });
    expect(customerTip(press(step, '0').step)).toMatchObject({ picked: '0', tipMinor: 0 });
    expect(customerTip(press(step, 'c', '5').step)).toMatchObject({ picked: 'C', tipMinor: null });
  });
});
