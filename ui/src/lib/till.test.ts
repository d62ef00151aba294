import { describe, expect, it, vi } from 'vitest';
import type { Permission, Person, TillStatus } from './api';
import type { PinRequest } from './ownerPin';
import {
  answerFor,
  approvalRequest,
  approverPin,
  guarded,
  idleAt,
  isIdle,
  mayOnOwn,
  padKey,
  padNeeded,
  PERMISSION_WORDS,
  personForKey,
  personLabel,
  refusalWords,
  rolePermits,
  staysInDialog,
  whoApproves,
} from './till';

const ann: Person = { name: 'Ann', role: 'cashier' };
const max: Person = { name: 'Max', role: 'manager' };
const owner: Person = { name: 'Owner', role: 'owner' };

function status(fields: Partial<TillStatus> = {}): TillStatus {
  return {
    signedIn: null,
    signInRequired: true,
    staff: [ann, max, owner],
    permissions: [],
    idleMinutes: 5,
    shift: null,
    language: 'en',
    ...fields,
  };
}

const cashierAtTill = status({ signedIn: ann, permissions: ['sell', 'shift'] });
const managerAtTill = status({ signedIn: max, permissions: ['sell', 'shift', 'refund', 'settle', 'seeAllOrders'] });
const ownerOnly = status({ signInRequired: false, staff: [owner], permissions: ['sell', 'shift', 'seeAllOrders'] });

function request(action: (pin: string) => Promise<void> = async () => undefined): PinRequest {
  return { title: 'Refund 5.00 CAD of order PD1', confirmLabel: 'Refund', action: vi.fn(action) };
}

const refusal = (code: string, message = code, field: string | null = 'pin') => ({ code, message, field });

describe('roles', () => {
  it("mirror the core's: a cashier sells and shifts, a manager refunds and settles, the owner all", () => {
    expect(rolePermits('cashier', 'sell')).toBe(true);
    expect(rolePermits('cashier', 'shift')).toBe(true);
    expect(rolePermits('cashier', 'refund')).toBe(false);
    expect(rolePermits('manager', 'refund')).toBe(true);
    expect(rolePermits('manager', 'settle')).toBe(true);
    expect(rolePermits('manager', 'seeAllOrders')).toBe(true);
    expect(rolePermits('manager', 'export')).toBe(false);
    expect(rolePermits('manager', 'staff')).toBe(false);
    const all: Permission[] = PERMISSION_WORDS.map((p) => p.permission);
    expect(all).toHaveLength(11);
    for (const p of all) expect(rolePermits('owner', p)).toBe(true);
  });

  it('say who approves what', () => {
    expect(whoApproves('refund')).toBe('a manager or the owner');
    expect(whoApproves('export')).toBe('the owner');
    expect(approverPin('settle')).toBe("a manager's or the owner's PIN");
    expect(approverPin('settings')).toBe("the owner's PIN");
    expect(personLabel(ann)).toBe('Ann · Cashier');
  });
});

describe('the sign-in pad', () => {
  it('comes up when the shop asks and no one is signed in', () => {
    expect(padNeeded(status())).toBe(true);
    expect(padNeeded(cashierAtTill)).toBe(false);
    expect(padNeeded(ownerOnly)).toBe(false);
    expect(padNeeded(null)).toBe(false);
  });

  it('picks a person by digit, 1 for the first, nothing past the list', () => {
    const staff = [ann, max, owner];
    expect(personForKey(staff, '1')).toEqual(ann);
    expect(personForKey(staff, '3')).toEqual(owner);
    expect(personForKey(staff, '4')).toBeNull();
    expect(personForKey(staff, '0')).toBeNull();
    expect(personForKey(staff, 'a')).toBeNull();
    expect(personForKey(staff, '12')).toBeNull();
    expect(padKey(0)).toBe('1');
    expect(padKey(8)).toBe('9');
    expect(padKey(9)).toBeNull();
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `P${i}`, role: 'cashier' as const }));
    expect(personForKey(many, '9')?.name).toBe('P8');
  });
});

describe('what a refusal opens', () => {
  it('maps the core codes to the window’s answer', () => {
    expect(answerFor(refusal('needs_approval'))).toBe('approve');
    expect(answerFor(refusal('pin_required'))).toBe('approve');
    expect(answerFor(refusal('over_cap', 'x', 'amount'))).toBe('approve');
    expect(answerFor(refusal('sign_in_required', 'x', null))).toBe('sign-in');
    expect(answerFor(refusal('signed_out', 'x', null))).toBe('sign-in');
    expect(answerFor(refusal('no_open_shift', 'x', null))).toBe('open-shift');
    expect(answerFor(refusal('waiting_sales', 'x', null))).toBe('carry');
    expect(answerFor(refusal('pin_wrong'))).toBeNull();
    expect(answerFor(refusal('gateway_rejected', 'x', null))).toBeNull();
  });

  it('keeps the PIN dialog open on what another PIN may answer', () => {
    for (const code of ['pin_wrong', 'locked_out', 'needs_approval', 'not_permitted', 'over_cap']) {
      expect(staysInDialog(refusal(code, code, null))).toBe(true);
    }
    expect(staysInDialog(refusal('gateway_rejected', 'x', null))).toBe(false);
    expect(staysInDialog(refusal('invalid_input', 'x', 'pin'))).toBe(true);
  });

  it('words a wrong PIN as the owner’s in a shop run by its owner alone', () => {
    const wrong = { message: 'wrong PIN for a manager or the owner: 4 tries left before a wait' };
    expect(refusalWords(wrong, true)).toBe('Wrong owner PIN: 4 tries left before a wait');
    expect(refusalWords(wrong, false)).toBe('Wrong PIN for a manager or the owner: 4 tries left before a wait');
    expect(refusalWords({ message: 'wrong PIN for Ann: 1 try left before a wait' }, false)).toBe('Wrong PIN for Ann: 1 try left before a wait');
    expect(refusalWords({ message: '' }, false)).toBe('Wrong PIN');
  });
});

describe('an approval', () => {
  it('says whose PIN, for whom, and why', () => {
    const asked = approvalRequest(request(), 'refund', cashierAtTill);
    expect(asked.heading).toBe('Approval: a manager or the owner types their PIN');
    expect(asked.title).toBe('Approve: refund 5.00 CAD of order PD1 for Ann');
    expect(asked.confirmLabel).toBe('Refund');
    expect(approvalRequest(request(), 'export', null)).toMatchObject({
      title: 'Approve: refund 5.00 CAD of order PD1',
      heading: 'Approval: the owner types their PIN',
    });
    expect(approvalRequest(request(), 'refund', managerAtTill, 'Max may refund 10.00 CAD more today').note).toBe(
      'Max may refund 10.00 CAD more today',
    );
  });

  it('is whether the person at the till may act on their own', () => {
    expect(mayOnOwn(managerAtTill, 'refund')).toBe(true);
    expect(mayOnOwn(cashierAtTill, 'refund')).toBe(false);
    expect(mayOnOwn(ownerOnly, 'sell')).toBe(false);
    expect(mayOnOwn(null, 'sell')).toBe(false);
  });
});

describe('a guarded action', () => {
  const pinSet = async () => ({ pinSet: true });

  it('asks a cashier for an approval first, and runs nothing yet', async () => {
    const ask = vi.fn();
    const wanted = request();
    await guarded('refund', wanted, cashierAtTill, ask, vi.fn(), pinSet);
    expect(wanted.action).not.toHaveBeenCalled();
    expect(ask).toHaveBeenCalledTimes(1);
    expect(ask.mock.calls[0][0].heading).toBe('Approval: a manager or the owner types their PIN');
  });

  it('runs a manager’s refund on their own authority (pin "")', async () => {
    const ask = vi.fn();
    const onerror = vi.fn();
    const wanted = request();
    await guarded('refund', wanted, managerAtTill, ask, onerror, pinSet);
    expect(wanted.action).toHaveBeenCalledWith('');
    expect(ask).not.toHaveBeenCalled();
    expect(onerror).not.toHaveBeenCalled();
  });

  it('asks for an approval when the core says the manager is over their cap, with its words', async () => {
    const ask = vi.fn();
    const onerror = vi.fn();
    const over = refusal('over_cap', 'Max may refund 10.00 CAD more today (of 50.00 CAD): the owner approves the rest', 'amount');
    const wanted = request(() => Promise.reject(over));
    await guarded('refund', wanted, managerAtTill, ask, onerror, pinSet);
    expect(onerror).not.toHaveBeenCalled();
    expect(ask).toHaveBeenCalledTimes(1);
    expect(ask.mock.calls[0][0].note).toBe(over.message);
    expect(ask.mock.calls[0][0].action).toBe(wanted.action);
  });

  it('hands any other refusal to onerror', async () => {
    const ask = vi.fn();
    const onerror = vi.fn();
    const wanted = request(() => Promise.reject(refusal('gateway_rejected', 'no', null)));
    await guarded('refund', wanted, managerAtTill, ask, onerror, pinSet);
    expect(ask).not.toHaveBeenCalled();
    expect(onerror).toHaveBeenCalledWith({ code: 'gateway_rejected', message: 'no', field: null });
  });

  it('with no one signed in where the shop asks, asks a manager’s or the owner’s PIN', async () => {
    const ask = vi.fn();
    const wanted = request();
    await guarded('refund', wanted, status(), ask, vi.fn(), pinSet);
    expect(wanted.action).not.toHaveBeenCalled();
    expect(ask.mock.calls[0][0].heading).toBe('Approval: a manager or the owner types their PIN');
  });

  it('runs at once what the core lets no one do in a shop run by its owner (every order)', async () => {
    const ask = vi.fn();
    const wanted = request();
    await guarded('seeAllOrders', wanted, ownerOnly, ask, vi.fn(), pinSet);
    expect(wanted.action).toHaveBeenCalledWith('');
    expect(ask).not.toHaveBeenCalled();
  });

  it('in a shop run by its owner alone, is today’s flow: the owner PIN dialog first', async () => {
    const ask = vi.fn();
    const wanted = request();
    await guarded('refund', wanted, ownerOnly, ask, vi.fn(), pinSet);
    expect(ask).toHaveBeenCalledWith(wanted);
    expect(wanted.action).not.toHaveBeenCalled();
    // Before a PIN is set: at once, with none.
    const open = request();
    await guarded('refund', open, ownerOnly, ask, vi.fn(), async () => ({ pinSet: false }));
    expect(open.action).toHaveBeenCalledWith('');
  });
});

describe('the idle rule', () => {
  it('signs out after the minutes, never with 0', () => {
    expect(idleAt(1_000, 5)).toBe(301_000);
    expect(idleAt(1_000, 0)).toBeNull();
    expect(isIdle(0, 299_999, 5)).toBe(false);
    expect(isIdle(0, 300_000, 5)).toBe(true);
    expect(isIdle(0, 10 * 3_600_000, 0)).toBe(false);
  });
});
