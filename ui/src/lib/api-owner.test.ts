import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
const documentDir = vi.fn();
const homeDir = vi.fn();

vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn() }));
vi.mock('@tauri-apps/api/path', () => ({ documentDir: () => documentDir(), homeDir: () => homeDir() }));
vi.mock('@tauri-apps/plugin-shell', () => ({ open: vi.fn() }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ save: vi.fn() }));

const api = await import('./api');

beforeEach(() => {
  invoke.mockReset();
  documentDir.mockReset();
  homeDir.mockReset();
});

describe('the owner screens’ commands', () => {
  it('cancel_sale and sync_order take the order id', async () => {
    invoke.mockResolvedValue({ id: 7, status: 'cancelled' });
    await api.cancelSale(7);
    expect(invoke).toHaveBeenLastCalledWith('cancel_sale', { id: 7 });
    await api.syncOrder(7);
    expect(invoke).toHaveBeenLastCalledWith('sync_order', { id: 7 });
  });

  it('a refused cancel comes back as an AppError with its code', async () => {
    invoke.mockRejectedValue({ code: 'invalid_state', message: 'already paid', field: null });
    await expect(api.cancelSale(7)).rejects.toMatchObject({ code: 'invalid_state', message: 'already paid' });
  });
});

describe('defaultExportFolder', () => {
  it('is the Documents folder when there is one', async () => {
    documentDir.mockResolvedValue('/home/owner/Documents');
    await expect(api.defaultExportFolder()).resolves.toBe('/home/owner/Documents');
    expect(homeDir).not.toHaveBeenCalled();
  });

  it('falls back to home, then to nothing', async () => {
    documentDir.mockRejectedValue(new Error('unknown path'));
    homeDir.mockResolvedValue('/home/owner');
    await expect(api.defaultExportFolder()).resolves.toBe('/home/owner');
    homeDir.mockRejectedValue(new Error('unknown path'));
    await expect(api.defaultExportFolder()).resolves.toBeNull();
  });
});
