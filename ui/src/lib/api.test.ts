import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
const listen = vi.fn();
const open = vi.fn();
const save = vi.fn();

vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: (...args: unknown[]) => listen(...args) }));
vi.mock('@tauri-apps/plugin-shell', () => ({ open: (...args: unknown[]) => open(...args) }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ save: (...args: unknown[]) => save(...args) }));

const api = await import('./api');

beforeEach(() => {
  invoke.mockReset();
  listen.mockReset();
  open.mockReset();
  save.mockReset();
});

describe('commands', () => {
  it('app_info and payment_methods take no arguments', async () => {
    invoke.mockResolvedValueOnce({ mode: 'sandbox' }).mockResolvedValueOnce([]);
    await expect(api.appInfo()).resolves.toEqual({ mode: 'sandbox' });
    await expect(api.paymentMethods()).resolves.toEqual([]);
    expect(invoke).toHaveBeenNthCalledWith(1, 'app_info', undefined);
    expect(invoke).toHaveBeenNthCalledWith(2, 'payment_methods', undefined);
  });

  it('create_order wraps the request and sends the amount text untouched', async () => {
    invoke.mockResolvedValue({ id: 9 });
    await api.createOrder({ gateway: 'iotpay', method: 'wechat-qr', amount: ' 12.50', currency: 'CAD' });
    expect(invoke).toHaveBeenCalledWith('create_order', {
      request: { gateway: 'iotpay', method: 'wechat-qr', amount: ' 12.50', currency: 'CAD' },
    });
  });

  it('create_order sends a scanned code only when there is one', async () => {
    invoke.mockResolvedValue({ id: 10 });
    await api.createOrder({ gateway: 'iotpay', method: 'barcode', amount: '8.80', currency: 'CAD', code: '134567890123456780' });
    expect(invoke).toHaveBeenLastCalledWith('create_order', {
      request: { gateway: 'iotpay', method: 'barcode', amount: '8.80', currency: 'CAD', code: '134567890123456780' },
    });
    await api.createOrder({ gateway: 'iotpay', method: 'wechat-qr', amount: '8.80', currency: 'CAD', code: '' });
    expect(invoke).toHaveBeenLastCalledWith('create_order', {
      request: { gateway: 'iotpay', method: 'wechat-qr', amount: '8.80', currency: 'CAD' },
    });
  });

  it('get_order passes the id', async () => {
    invoke.mockResolvedValue({ order: { id: 3 }, events: [] });
    await api.getOrder(3);
    expect(invoke).toHaveBeenCalledWith('get_order', { id: 3 });
  });

  it('list_orders sends only the filter values that are set', async () => {
    invoke.mockResolvedValue({ orders: [], nextCursor: null });
    await api.listOrders({ status: '', search: '  ', limit: 200 });
    expect(invoke).toHaveBeenLastCalledWith('list_orders', { filter: { limit: 200 } });

    await api.listOrders({ status: 'paid', gateway: 'iotpay', search: ' PD-1 ' });
    expect(invoke).toHaveBeenLastCalledWith('list_orders', {
      filter: { status: 'paid', gateway: 'iotpay', search: 'PD-1' },
    });

    await expect(api.listOrders()).resolves.toEqual({ orders: [], nextCursor: null });
    expect(invoke).toHaveBeenLastCalledWith('list_orders', { filter: {} });
  });

  it('list_orders passes the amount range as typed and the cursor of the next page', async () => {
    invoke.mockResolvedValue({ orders: [], nextCursor: null });
    const cursor = { createdAtMs: 1_767_225_600_000, id: 42 };
    await api.listOrders({ currency: 'CAD', minAmount: ' 10 ', maxAmount: '20.5', from: '2026-01-01', limit: 100, cursor });
    expect(invoke).toHaveBeenLastCalledWith('list_orders', {
      filter: { currency: 'CAD', minAmount: '10', maxAmount: '20.5', from: '2026-01-01', limit: 100, cursor },
    });
    await api.listOrders({ cursor: undefined });
    expect(invoke).toHaveBeenLastCalledWith('list_orders', { filter: {} });
  });

  it('order_totals sends the same clean filter', async () => {
    invoke.mockResolvedValue({ count: 0, byCurrency: [] });
    await api.orderTotals({ gateway: 'iotpay', search: ' ' });
    expect(invoke).toHaveBeenLastCalledWith('order_totals', { filter: { gateway: 'iotpay' } });
  });

  it('export_orders wraps the request with a clean filter and a trimmed path', async () => {
    invoke.mockResolvedValue({ rows: 3, bytes: 120, path: '/tmp/o.csv' });
    await api.exportOrders({
      filter: { status: 'paid', to: '' },
      columns: ['id', 'amount'],
      zone: 'UTC',
      bom: true,
      path: ' /tmp/o.csv ',
      pin: '2468',
    });
    expect(invoke).toHaveBeenLastCalledWith('export_orders', {
      request: { filter: { status: 'paid' }, columns: ['id', 'amount'], zone: 'UTC', bom: true, path: '/tmp/o.csv', pin: '2468' },
    });
  });

  it('chooseSavePath offers CSV files and resolves to null when cancelled', async () => {
    save.mockResolvedValueOnce('/home/o/x.csv').mockResolvedValueOnce(null);
    await expect(api.chooseSavePath('x.csv')).resolves.toBe('/home/o/x.csv');
    expect(save).toHaveBeenLastCalledWith({ defaultPath: 'x.csv', filters: [{ name: 'CSV', extensions: ['csv'] }] });
    await expect(api.chooseSavePath('x.csv')).resolves.toBeNull();
  });

  it('rejects with the core AppError unchanged', async () => {
    const err = { code: 'invalid_amount', message: 'Too many decimals', field: 'amount' };
    invoke.mockRejectedValue(err);
    await expect(api.createOrder({ gateway: 'g', method: 'm', amount: '1.234', currency: 'CAD' })).rejects.toEqual(err);
  });

  it('normalises a string rejection to an internal AppError', async () => {
    invoke.mockRejectedValue('boom');
    await expect(api.getOrder(1)).rejects.toEqual({ code: 'internal', message: 'boom', field: null });
  });
});

describe('events and shell', () => {
  it('onOrderUpdated listens to order-updated and passes the payload', async () => {
    const unlisten = vi.fn();
    listen.mockResolvedValue(unlisten);
    const handler = vi.fn();

    const stop = await api.onOrderUpdated(handler);
    expect(listen).toHaveBeenCalledWith('order-updated', expect.any(Function));
    const callback = listen.mock.calls[0][1] as (event: { payload: unknown }) => void;
    callback({ payload: { id: 5, status: 'paid' } });
    expect(handler).toHaveBeenCalledWith({ id: 5, status: 'paid' });
    expect(stop).toBe(unlisten);
  });

  it('openExternal opens the URL with the shell plugin', async () => {
    open.mockResolvedValue(undefined);
    await api.openExternal('https://pay.example/x');
    expect(open).toHaveBeenCalledWith('https://pay.example/x');
  });

  it('openExternal rejects with an AppError', async () => {
    open.mockRejectedValue('not allowed');
    await expect(api.openExternal('https://pay.example/x')).rejects.toMatchObject({ code: 'internal' });
  });
});

describe("owner's desk", () => {
  it('set_owner_pin sends the current PIN only when changing', async () => {
    invoke.mockResolvedValue({ pinSet: true });
    await api.setOwnerPin('2468');
    expect(invoke).toHaveBeenLastCalledWith('set_owner_pin', { request: { newPin: '2468' } });
    await api.setOwnerPin('1357', '2468');
    expect(invoke).toHaveBeenLastCalledWith('set_owner_pin', { request: { newPin: '1357', current: '2468' } });
  });

  it('refund_order leaves out a blank amount and reason (= all that is left)', async () => {
    invoke.mockResolvedValue({ order: { id: 4 }, events: [], refunds: [] });
    await api.refundOrder({ id: 4, amount: ' 5.00 ', reason: 'damaged', pin: '2468' });
    expect(invoke).toHaveBeenLastCalledWith('refund_order', { request: { id: 4, amount: '5.00', reason: 'damaged', pin: '2468' } });
    await api.refundOrder({ id: 4, amount: '', reason: ' ', pin: '2468' });
    expect(invoke).toHaveBeenLastCalledWith('refund_order', { request: { id: 4, pin: '2468' } });
  });

  it('a wrong PIN rejects with forbidden on the pin field', async () => {
    invoke.mockRejectedValue({ code: 'forbidden', message: 'wrong PIN', field: 'pin' });
    await expect(api.voidOrder({ id: 4, pin: '0000' })).rejects.toEqual({ code: 'forbidden', message: 'wrong PIN', field: 'pin' });
    expect(invoke).toHaveBeenLastCalledWith('void_order', { request: { id: 4, pin: '0000' } });
  });

  it('save_credentials wraps gateway, env, fields and PIN', async () => {
    invoke.mockResolvedValue({ gateway: 'iotpay', environment: 'test', configured: true, fieldsSet: [], missing: [] });
    await api.saveCredentials({ gateway: 'iotpay', env: 'test', fields: { mchId: '1' }, pin: '2468' });
    expect(invoke).toHaveBeenLastCalledWith('save_credentials', {
      request: { gateway: 'iotpay', env: 'test', fields: { mchId: '1' }, pin: '2468' },
    });
  });
});

describe('staff, shifts and the audit log', () => {
  it('sign_in, sign_out and till_status', async () => {
    invoke.mockResolvedValue({ signedIn: null });
    await api.tillStatus();
    expect(invoke).toHaveBeenLastCalledWith('till_status', undefined);
    await api.signIn('Ann', '1357');
    expect(invoke).toHaveBeenLastCalledWith('sign_in', { request: { name: 'Ann', pin: '1357' } });
    await api.signOut();
    expect(invoke).toHaveBeenLastCalledWith('sign_out', undefined);
  });

  it('tells the shell when a command finds no one signed in', async () => {
    const heard: string[] = [];
    api.whenSignedOut((error) => heard.push(error.code));
    invoke.mockRejectedValueOnce({ code: 'sign_in_required', message: 'sign in', field: null });
    await expect(api.createOrder({ gateway: 'iotpay', method: 'wechat-qr', amount: '1', currency: 'CAD' })).rejects.toMatchObject({
      code: 'sign_in_required',
    });
    invoke.mockRejectedValueOnce({ code: 'pin_wrong', message: 'wrong', field: 'pin' });
    await expect(api.signIn('Ann', '0000')).rejects.toMatchObject({ code: 'pin_wrong' });
    invoke.mockRejectedValueOnce({ code: 'signed_out', message: 'gone', field: null });
    await expect(api.shiftOpen()).rejects.toMatchObject({ code: 'signed_out' });
    expect(heard).toEqual(['sign_in_required', 'signed_out']);
    api.whenSignedOut(null);
  });

  it('staff_save sends only what changes; staff_set_cap leaves out an empty amount', async () => {
    invoke.mockResolvedValue({ staff: [], caps: [] });
    await api.staffSave({ name: ' Ann ', role: 'cashier', newPin: '1357', add: true, pin: '' });
    expect(invoke).toHaveBeenLastCalledWith('staff_save', { request: { name: 'Ann', role: 'cashier', newPin: '1357', add: true, pin: '' } });
    await api.staffSave({ name: 'Ann', active: false, add: false, pin: '2468' });
    expect(invoke).toHaveBeenLastCalledWith('staff_save', { request: { name: 'Ann', active: false, add: false, pin: '2468' } });
    await api.staffSetCap('CAD', ' 50.00 ', '2468');
    expect(invoke).toHaveBeenLastCalledWith('staff_set_cap', { request: { currency: 'CAD', amount: '50.00', pin: '2468' } });
    await api.staffSetCap('CAD', ' ', '2468');
    expect(invoke).toHaveBeenLastCalledWith('staff_set_cap', { request: { currency: 'CAD', pin: '2468' } });
    await api.staffList('');
    expect(invoke).toHaveBeenLastCalledWith('staff_list', { request: { pin: '' } });
  });

  it('shift commands: the open one by default, a closed one by id', async () => {
    invoke.mockResolvedValue({});
    await api.shiftReport();
    expect(invoke).toHaveBeenLastCalledWith('shift_report', { request: {} });
    await api.shiftReport(3);
    expect(invoke).toHaveBeenLastCalledWith('shift_report', { request: { id: 3 } });
    await api.shiftClose(true);
    expect(invoke).toHaveBeenLastCalledWith('shift_close', { request: { carry: true } });
    await api.shiftSave('pdf', '/tmp/z.pdf', 3);
    expect(invoke).toHaveBeenLastCalledWith('shift_save', { request: { id: 3, format: 'pdf', path: '/tmp/z.pdf' } });
    await api.shiftList();
    expect(invoke).toHaveBeenLastCalledWith('shift_list', undefined);
    await api.shiftDay(undefined, '');
    expect(invoke).toHaveBeenLastCalledWith('shift_day', { request: { pin: '' } });
    await api.shiftDay('2026-12-06', '2468');
    expect(invoke).toHaveBeenLastCalledWith('shift_day', { request: { day: '2026-12-06', pin: '2468' } });
  });

  it('audit_list leaves out blank filters', async () => {
    invoke.mockResolvedValue({ entries: [], verdict: { verdict: 'whole', entries: 0, lag: 0 } });
    await api.auditList({ pin: '', staff: ' ', action: 'refund', beforeSeq: 40, limit: 100 });
    expect(invoke).toHaveBeenLastCalledWith('audit_list', { request: { pin: '', action: 'refund', beforeSeq: 40, limit: 100 } });
  });

  it('the save dialog offers a PDF for a PDF', async () => {
    save.mockResolvedValue('/tmp/z.pdf');
    await api.chooseSavePath('/tmp/shift-3-Z.pdf', 'pdf');
    expect(save).toHaveBeenLastCalledWith({ defaultPath: '/tmp/shift-3-Z.pdf', filters: [{ name: 'PDF', extensions: ['pdf'] }] });
  });
});
