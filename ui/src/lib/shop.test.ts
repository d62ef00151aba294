import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ShopView } from './api';
import {
  behindText,
  counterLines,
  counterNameProblem,
  errorField,
  joinProblem,
  outboxText,
  reachableText,
  shopErrorText,
  shopHeadline,
  shopUrlProblem,
  urlHasPassword,
  whenText,
} from './shop';

// The three commands' requests (api.ts), the core played by a stand-in for Tauri's invoke.
const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args), Channel: class {} }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn() }));
vi.mock('@tauri-apps/plugin-shell', () => ({ open: vi.fn() }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ save: vi.fn() }));
const api = await import('./api');

beforeEach(() => {
  invoke.mockReset();
});

const ON_ITS_OWN: ShopView = {
  member: false,
  url: null,
  counter: null,
  counterNumber: null,
  outbox: 0,
  behind: null,
  pushedAtMs: null,
  pulledAtMs: null,
  lastError: null,
  reachable: false,
  unreachable: null,
  counters: [],
};

const IN_A_SHOP: ShopView = {
  ...ON_ITS_OWN,
  member: true,
  url: 'postgres://shop@db.example/shop',
  counter: 'Till 9',
  counterNumber: 1,
  outbox: 3,
  behind: 0,
  pushedAtMs: Date.UTC(2026, 11, 6, 10, 0, 5),
  reachable: true,
  counters: [
    { name: 'Back office', number: 3, joinedAtMs: 0, leftAtMs: Date.UTC(2026, 11, 1), pushedAtMs: null, orders: 7 },
    { name: 'Till 2', number: 2, joinedAtMs: 0, leftAtMs: null, pushedAtMs: null, orders: 0 },
    { name: 'Till 9', number: 1, joinedAtMs: 0, leftAtMs: null, pushedAtMs: Date.UTC(2026, 11, 6, 10, 0, 5), orders: 12 },
  ],
};

describe('the shop ledger address before it is sent', () => {
  it('takes postgres:// and postgresql:// with a user, one host and a database', () => {
    expect(shopUrlProblem('postgres://till@db.example/shop')).toBeNull();
    expect(shopUrlProblem('  postgresql://till@127.0.0.1:5433/shop?sslmode=require ')).toBeNull();
    expect(shopUrlProblem('postgres://till:secret@db.example/shop')).toBeNull();
    expect(shopUrlProblem('postgres://till@[::1]:5432/shop')).toBeNull();
  });

  it('says what is missing, with the shape to type', () => {
    expect(shopUrlProblem('')).toBe("Type the shop ledger's address: postgres://user@host/database");
    expect(shopUrlProblem('mysql://till@db/shop')).toContain('starts with postgres://');
    expect(shopUrlProblem('db.example/shop')).toContain('starts with postgres://');
    expect(shopUrlProblem('postgres://db.example/shop')).toContain('needs the database user');
    expect(shopUrlProblem('postgres://:pw@db.example/shop')).toContain('needs the database user');
    expect(shopUrlProblem('postgres://till@/shop')).toContain("server's host");
    expect(shopUrlProblem('postgres://till@:5432/shop')).toContain("server's host");
    expect(shopUrlProblem('postgres://till@a,b/shop')).toBe('The address names one host (several are not supported)');
    expect(shopUrlProblem('postgres://till@db.example')).toContain("database's name");
    expect(shopUrlProblem('postgres://till@db.example/')).toContain("database's name");
    expect(shopUrlProblem('postgres://till@db.example/?sslmode=require')).toContain("database's name");
  });

  it('tells a password in the address', () => {
    expect(urlHasPassword('postgres://till:secret@db/shop')).toBe(true);
    expect(urlHasPassword('postgres://till@db/shop')).toBe(false);
    expect(urlHasPassword('postgresql://till@db:5432/shop')).toBe(false);
  });
});

describe("this counter's name", () => {
  it('is required, at most 40 printable characters', () => {
    expect(counterNameProblem('Till 9')).toBeNull();
    expect(counterNameProblem('  ')).toContain('Give this counter its name');
    expect(counterNameProblem('x'.repeat(41))).toContain('at most 40');
    expect(counterNameProblem('x'.repeat(40))).toBeNull();
    expect(counterNameProblem('Till\t2')).toContain('printable');
  });

  it('is checked after the address, as the fields are on screen', () => {
    expect(joinProblem({ url: '', counter: '' })?.field).toBe('url');
    expect(joinProblem({ url: 'postgres://a@b/c', counter: '' })?.field).toBe('counter');
    expect(joinProblem({ url: 'postgres://a@b/c', counter: 'Till 9' })).toBeNull();
  });
});

describe('the status as read', () => {
  it('says whether this counter is in a shop, as which', () => {
    expect(shopHeadline(ON_ITS_OWN)).toBe('Not in a shop');
    expect(shopHeadline({ ...ON_ITS_OWN, counter: 'Till 9', counterNumber: 1 })).toBe('Not in a shop');
    expect(shopHeadline(IN_A_SHOP)).toBe('In a shop as Till 9 (number 1)');
  });

  it('says whether the shop ledger answers, and why not', () => {
    expect(reachableText(IN_A_SHOP)).toBe('Reachable');
    expect(
      reachableText({ ...IN_A_SHOP, reachable: false, unreachable: 'shop ledger: error connecting to server: Connection refused' }),
    ).toBe('Not reachable: error connecting to server: Connection refused. Sales go on here; refunds and voids wait until it is back.');
    expect(reachableText({ ...IN_A_SHOP, reachable: false })).toContain('Not reachable: no answer.');
  });

  it('counts what waits each way', () => {
    expect(outboxText(IN_A_SHOP)).toBe('3 changes of this counter');
    expect(outboxText({ ...IN_A_SHOP, outbox: 1 })).toBe('1 change of this counter');
    expect(outboxText({ ...IN_A_SHOP, outbox: 0 })).toBe('Nothing: the shop ledger has every change of this counter');
    expect(behindText(IN_A_SHOP)).toBe('Nothing: this counter has every change of the shop');
    expect(behindText({ ...IN_A_SHOP, behind: 2 })).toBe('2 changes of the other counters');
    expect(behindText({ ...IN_A_SHOP, behind: null })).toBe('Not known while the shop ledger does not answer');
  });

  it('writes times in the locale, or never', () => {
    expect(whenText(null)).toBe('never');
    expect(whenText(Date.UTC(2026, 11, 6, 10, 0, 5), 'en-GB')).toMatch(/6 Dec 2026.*\d\d:\d\d:\d\d/);
  });

  it('lists the counters by number, those that left last, this one marked', () => {
    const lines = counterLines(IN_A_SHOP, 'en-GB');
    expect(lines.map((l) => l.name)).toEqual(['Till 9', 'Till 2', 'Back office']);
    expect(lines.map((l) => l.self)).toEqual([true, false, false]);
    expect(lines[1].lastPush).toBe('never');
    expect(lines[0].left).toBe('');
    expect(lines[2].left).toMatch(/^left 1 Dec 2026/);
    expect(lines[2].orders).toBe(7);
  });
});

describe("the core's errors in the window's words", () => {
  it('by code, with what the owner can act on', () => {
    expect(
      shopErrorText({ code: 'counter_taken', field: 'counter', message: 'a counter named "Till 9" is already in this shop: ...' }, 'join', ' Till 9 '),
    ).toBe('Another counter in this shop is already named “Till 9”: choose another name for this one, or leave the shop on that machine first.');
    expect(
      shopErrorText({ code: 'shop_unreachable', field: null, message: 'shop ledger: error connecting to server: Connection refused' }, 'join'),
    ).toBe(
      'The shop ledger cannot be reached: check the address, the network, and that the database server is running (error connecting to server: Connection refused).',
    );
    expect(
      shopErrorText(
        {
          code: 'shop_unreachable',
          field: null,
          message:
            'the shop ledger cannot be reached (shop ledger: timed out): 3 change(s) of this counter are not in it yet; leave once it is back, or with --force to leave them out of the shop',
        },
        'leave',
      ),
    ).toBe(
      'The shop ledger cannot be reached, and 3 changes of this counter are not in it yet. Leave once it is back, or leave now without them: they then stay on this machine only.',
    );
    expect(
      shopErrorText({ code: 'shop_unreachable', field: null, message: '... (x): 1 change(s) of this counter are not in it yet' }, 'leave'),
    ).toContain('1 change of this counter is not in it yet');
    expect(
      shopErrorText({ code: 'shop', field: null, message: 'shop ledger: password authentication failed for user "till" (28P01)' }, 'join'),
    ).toBe('The shop ledger refused the user or the password (password authentication failed for user "till" (28P01)).');
    expect(shopErrorText({ code: 'shop', field: null, message: 'shop ledger: permission denied for schema public (42501)' }, 'join')).toBe(
      'The shop ledger refused this: permission denied for schema public (42501).',
    );
    expect(shopErrorText({ code: 'shop_member', field: 'url', message: 'x' }, 'join')).toBe('This counter is already in a shop: leave it first.');
    expect(shopErrorText({ code: 'not_in_shop', field: null, message: 'x' }, 'leave')).toBe('This counter is not in a shop.');
  });

  it("keeps the core's own words for bad input, and names the field", () => {
    const bad = { code: 'invalid_input', field: 'url', message: 'no user (postgres://user@host/database): postgres://db/shop' };
    expect(shopErrorText(bad, 'join')).toBe('No user (postgres://user@host/database): postgres://db/shop');
    expect(errorField(bad)).toBe('url');
    expect(errorField({ code: 'invalid_input', field: 'counter', message: '' })).toBe('counter');
    expect(errorField({ code: 'pin_wrong', field: 'pin', message: '' })).toBeNull();
  });
});

describe('the shop commands over IPC', () => {
  it('shop_status asks with nothing; shop_join sends the password only when typed', async () => {
    invoke.mockResolvedValue(IN_A_SHOP);
    expect(await api.shopStatus()).toEqual(IN_A_SHOP);
    expect(invoke).toHaveBeenLastCalledWith('shop_status', undefined);
    await api.shopJoin({ url: ' postgres://till@db/shop ', counter: ' Till 9 ', password: 's3cret', pin: '2468' });
    expect(invoke).toHaveBeenLastCalledWith('shop_join', {
      request: { url: 'postgres://till@db/shop', counter: 'Till 9', password: 's3cret', pin: '2468' },
    });
    await api.shopJoin({ url: 'postgres://till@db/shop', counter: 'Till 9', password: '', pin: '2468' });
    expect(invoke).toHaveBeenLastCalledWith('shop_join', { request: { url: 'postgres://till@db/shop', counter: 'Till 9', pin: '2468' } });
  });

  it('shop_leave sends force and the PIN; a refusal comes back as an AppError', async () => {
    invoke.mockResolvedValue(ON_ITS_OWN);
    await api.shopLeave(false, '2468');
    expect(invoke).toHaveBeenLastCalledWith('shop_leave', { request: { force: false, pin: '2468' } });
    invoke.mockRejectedValue({ code: 'shop_unreachable', message: 'the shop ledger cannot be reached', field: null });
    await expect(api.shopLeave(true, '2468')).rejects.toEqual({
      code: 'shop_unreachable',
      message: 'the shop ledger cannot be reached',
      field: null,
    });
  });
});
