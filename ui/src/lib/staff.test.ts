import { describe, expect, it } from 'vitest';
import { capProblem, idleProblem, memberState, nameProblem, nameTaken, newPinProblems, roleOptions, sortedCaps } from './staff';

describe('adding staff', () => {
  it('wants a name of 1 to 40 characters on one line', () => {
    expect(nameProblem('')).toMatch(/Type the name/);
    expect(nameProblem('  ')).toMatch(/Type the name/);
    expect(nameProblem('Ann')).toBeNull();
    expect(nameProblem('a'.repeat(41))).toMatch(/at most 40/);
    expect(nameProblem('An\nn')).toMatch(/one line/);
  });

  it('tells names apart without case, as the core does', () => {
    const staff = [{ name: 'Ann' }, { name: 'Max' }];
    expect(nameTaken(staff, ' ann ')).toBe(true);
    expect(nameTaken(staff, 'Bea')).toBe(false);
  });

  it('wants a new PIN of 4 to 8 digits, typed twice the same', () => {
    expect(newPinProblems('', '')).toEqual({ field: 'pin', message: 'Choose a PIN of 4 to 8 digits' });
    expect(newPinProblems('123', '123')?.field).toBe('pin');
    expect(newPinProblems('123456789', '123456789')?.message).toBe('A PIN is 4 to 8 digits');
    expect(newPinProblems('1357', '')).toEqual({ field: 'repeat', message: 'Type the PIN again to be sure of it' });
    expect(newPinProblems('1357', '1358')?.message).toBe('The two PINs are not the same: type them again');
    expect(newPinProblems('1357', '1357')).toBeNull();
  });

  it('offers the three roles', () => {
    expect(roleOptions().map((o) => o.label)).toEqual(['Cashier', 'Manager', 'Owner']);
  });
});

describe('managers’ caps', () => {
  it('take an amount in the currency’s decimals; empty removes the cap', () => {
    expect(capProblem('', 'CAD')).toBeNull();
    expect(capProblem('50', 'CAD')).toBeNull();
    expect(capProblem('50.00', 'CAD')).toBeNull();
    expect(capProblem('50.001', 'CAD')).toMatch(/not an amount in CAD/);
    expect(capProblem('-5', 'CAD')).toMatch(/not an amount/);
    expect(capProblem('5000', 'JPY')).toBeNull();
    expect(capProblem('50.5', 'JPY')).toMatch(/whole amounts/);
  });

  it('list the shop’s currency first', () => {
    const caps = [
      { currency: 'USD', amount: '20.00' },
      { currency: 'CAD', amount: '50.00' },
      { currency: 'EUR', amount: '30.00' },
    ];
    expect(sortedCaps(caps, 'CAD').map((c) => c.currency)).toEqual(['CAD', 'EUR', 'USD']);
  });
});

describe('a member’s state and the idle time', () => {
  it('reads active, inactive or locked', () => {
    expect(memberState({ active: true, lockedUntilMs: null })).toBe('Active');
    expect(memberState({ active: false, lockedUntilMs: null })).toBe('Inactive');
    expect(memberState({ active: true, lockedUntilMs: Date.UTC(2026, 11, 6, 9, 0) }, 'en-GB')).toMatch(/^Locked until /);
  });

  it('takes whole minutes 0 to 480', () => {
    expect(idleProblem('')).toBeNull();
    expect(idleProblem('0')).toBeNull();
    expect(idleProblem('480')).toBeNull();
    expect(idleProblem('481')).toMatch(/0 \(never\) to 480/);
    expect(idleProblem('2.5')).toMatch(/Whole minutes/);
  });
});
