import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
const listen = vi.fn();

vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: (...args: unknown[]) => listen(...args) }));
vi.mock('@tauri-apps/api/path', () => ({ documentDir: vi.fn(), homeDir: vi.fn() }));
vi.mock('@tauri-apps/plugin-shell', () => ({ open: vi.fn() }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ save: vi.fn() }));

const api = await import('./api');

beforeEach(() => {
  invoke.mockReset();
  listen.mockReset();
});

describe('the receipt commands', () => {
  it('receipt_get and receipt_print name the order, and a refund only when there is one', async () => {
    invoke.mockResolvedValue({});
    await api.receiptGet(7);
    expect(invoke).toHaveBeenLastCalledWith('receipt_get', { request: { order: 7 } });
    await api.receiptGet(7, 'RF1');
    expect(invoke).toHaveBeenLastCalledWith('receipt_get', { request: { order: 7, refundNo: 'RF1' } });
    await api.receiptPrint(7, null);
    expect(invoke).toHaveBeenLastCalledWith('receipt_print', { request: { order: 7 } });
    await api.receiptPrint(7, 'RF2');
    expect(invoke).toHaveBeenLastCalledWith('receipt_print', { request: { order: 7, refundNo: 'RF2' } });
  });

  it('receipt_save_pdf sends the chosen path', async () => {
    invoke.mockResolvedValue('/home/owner/receipt-PD1.pdf');
    await expect(api.receiptSavePdf(7, null, '/home/owner/receipt-PD1.pdf')).resolves.toBe('/home/owner/receipt-PD1.pdf');
    expect(invoke).toHaveBeenLastCalledWith('receipt_save_pdf', { request: { order: 7, path: '/home/owner/receipt-PD1.pdf' } });
  });

  it('a refusal is an AppError with the core’s code', async () => {
    invoke.mockRejectedValue({ code: 'no_printer', field: 'receipt.printer', message: 'no receipt printer is set' });
    await expect(api.receiptPrint(7)).rejects.toMatchObject({ code: 'no_printer' });
  });

  it('hears the automatic prints on receipt-printed', async () => {
    let heard: ((event: { payload: unknown }) => void) | null = null;
    listen.mockImplementation((_name: string, handler: (event: { payload: unknown }) => void) => {
      heard = handler;
      return Promise.resolve(() => {});
    });
    const seen: unknown[] = [];
    await api.onReceiptPrinted((printed) => seen.push(printed));
    expect(listen).toHaveBeenCalledWith('receipt-printed', expect.any(Function));
    const payload = { orderId: 7, result: { printed: false, printer: 'x:9100', error: 'off', at: '' } };
    heard!({ payload });
    expect(seen).toEqual([payload]);
  });
});
