import { describe, expect, it } from 'vitest';
import { actionWords, AUDIT_ACTIONS, AUDIT_PAGE, nextBefore, shortHash, verdictWords, whoWords } from './audit';

describe('the audit log', () => {
  it('says the chain is whole, or where it breaks', () => {
    expect(verdictWords({ verdict: 'whole', entries: 42, lag: 0 })).toEqual({ tone: 'whole', text: 'Chain whole: 42 entries' });
    expect(verdictWords({ verdict: 'whole', entries: 1, lag: 0 }).text).toBe('Chain whole: 1 entry');
    expect(verdictWords({ verdict: 'broken', seq: 7, why: 'its hash does not match' })).toEqual({
      tone: 'broken',
      text: 'BROKEN at entry 7: its hash does not match',
    });
  });

  it('words every action, and one it does not know as written', () => {
    expect(actionWords('sign_in')).toBe('Signed in');
    expect(actionWords('shift_close')).toBe('Shift closed (Z)');
    expect(actionWords('something_new')).toBe('something new');
    const actions = AUDIT_ACTIONS.map((a) => a.action);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('names who, and who approved', () => {
    expect(whoWords({ staff: 'Ann', approver: 'Max' })).toBe('Ann, approved by Max');
    expect(whoWords({ staff: 'Ann', approver: null })).toBe('Ann');
    expect(whoWords({ staff: null, approver: null })).toBe('—');
  });

  it('pages back from the oldest entry shown; a short page is the last', () => {
    const page = Array.from({ length: AUDIT_PAGE }, (_, i) => ({ seq: 500 - i }));
    expect(nextBefore(page)).toBe(500 - AUDIT_PAGE + 1);
    expect(nextBefore(page.slice(0, 10))).toBeNull();
    expect(nextBefore([{ seq: 3 }, { seq: 2 }], 2)).toBe(2);
  });

  it('cuts a hash for the eye', () => {
    expect(shortHash('0123456789abcdef0123')).toBe('0123…0123');
    expect(shortHash('abc')).toBe('abc');
  });
});
