import { beforeEach, describe, expect, it, vi } from 'vitest';

// The bindings of the settings, reports and customer display commands (their own file so the
// Orders screen's bindings tests stay apart).
const invoke = vi.fn();
const listen = vi.fn();

// A stand-in for Tauri's IPC channel: the test plays the core by calling onmessage.
class FakeChannel<T> {
  onmessage: (message: T) => void = () => undefined;
}
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: FakeChannel,
}));
vi.mock('@tauri-apps/api/event', () => ({ listen: (...args: unknown[]) => listen(...args) }));
vi.mock('@tauri-apps/plugin-shell', () => ({ open: vi.fn() }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ save: vi.fn() }));

const api = await import('./api');

beforeEach(() => {
  invoke.mockReset();
  listen.mockReset();
});

describe('settings, reports and customer display commands', () => {
  it('save_settings sends the changes and the PIN in one request', async () => {
    invoke.mockResolvedValue({ values: [], runningMode: 'sandbox', receiver: null, warnings: [] });
    await api.saveSettings({ 'shop.name': 'Corner Tea', 'iotpay.test.v1_base': '' }, '2468');
    expect(invoke).toHaveBeenCalledWith('save_settings', {
      request: { changes: { 'shop.name': 'Corner Tea', 'iotpay.test.v1_base': '' }, pin: '2468' },
    });
  });

  it('test_connection and daily_report wrap their request', async () => {
    invoke.mockResolvedValue({});
    await api.testConnection('iotpay', 'test');
    expect(invoke).toHaveBeenLastCalledWith('test_connection', { request: { gateway: 'iotpay', env: 'test' } });
    await api.dailyReport('2026-11-01', '2026-11-22');
    expect(invoke).toHaveBeenLastCalledWith('daily_report', {
      request: { from: '2026-11-01', to: '2026-11-22', tz: 'local' },
    });
  });

  it('the customer display is told an order id, or null for idle', async () => {
    invoke.mockResolvedValue(undefined);
    await api.customerDisplayShow(7);
    expect(invoke).toHaveBeenLastCalledWith('customer_display_show', { orderId: 7 });
    await api.customerDisplayShow(null);
    expect(invoke).toHaveBeenLastCalledWith('customer_display_show', { orderId: null });
  });

  it('a refused save rejects with the core error shape', async () => {
    invoke.mockRejectedValue({ code: 'invalid_input', message: 'value: shop.currency must be…', field: 'value' });
    await expect(api.saveSettings({ 'shop.currency': 'EURO' }, '2468')).rejects.toEqual({
      code: 'invalid_input',
      message: 'value: shop.currency must be…',
      field: 'value',
    });
  });

  it('asks the customer display state with a channel that carries its later updates', async () => {
    invoke.mockResolvedValue({ shopName: 'Paydesk', sale: null });
    const seen: unknown[] = [];
    const first = await api.customerDisplayState((view) => seen.push(view));
    expect(first).toEqual({ shopName: 'Paydesk', sale: null });
    expect(invoke.mock.calls[0][0]).toBe('customer_display_state');
    const { updates } = invoke.mock.calls[0][1] as { updates: FakeChannel<unknown> };
    updates.onmessage({ shopName: 'Corner Shop', sale: null });
    expect(seen).toEqual([{ shopName: 'Corner Shop', sale: null }]);
    expect(listen).not.toHaveBeenCalled();
  });
});
