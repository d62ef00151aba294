import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const { checkForUpdates, installUpdate, restartIntoUpdate, updatePanel, updateStatus } = await import('./updates');
type UpdateStatus = import('./updates').UpdateStatus;

const status = (over: Partial<UpdateStatus> = {}): UpdateStatus => ({
  current: '0.1.0',
  configured: true,
  blocked: null,
  installed: null,
  ...over,
});
const offer = { version: '0.2.0', notes: 'Faster receipts', date: null };

beforeEach(() => {
  invoke.mockReset();
});

describe('the update commands', () => {
  it('send the version the owner saw with the PIN, and nothing else', async () => {
    invoke.mockResolvedValue({ version: '0.2.0' });
    await installUpdate('0.2.0', '2468');
    expect(invoke).toHaveBeenCalledWith('update_install', { request: { version: '0.2.0', pin: '2468' } });
    await updateStatus();
    await checkForUpdates();
    await restartIntoUpdate();
    expect(invoke.mock.calls.map((c) => c[0])).toEqual(['update_install', 'update_status', 'update_check', 'update_restart']);
  });

  it('turn a refusal into an AppError', async () => {
    invoke.mockRejectedValue({ code: 'update_refused', message: 'The update was refused', field: null });
    const caught = await installUpdate('0.2.0', '2468').catch((e: unknown) => e);
    expect(caught).toEqual({ code: 'update_refused', message: 'The update was refused', field: null });
  });
});

describe('the Updates section', () => {
  it('offers a check when nothing is in the way, then the newer version to install', () => {
    const idle = updatePanel(status(), { kind: 'idle' });
    expect(idle.running).toBe('Paydesk 0.1.0 is running.');
    expect(idle.check).toEqual({ label: 'Check for updates', disabled: false });
    expect(idle.install).toBeNull();
    expect(idle.reason).toBeNull();

    expect(updatePanel(status(), { kind: 'checking' }).check).toEqual({ label: 'Checking…', disabled: true });
    expect(updatePanel(status(), { kind: 'newest', current: '0.1.0' }).message).toBe('Paydesk 0.1.0 is the newest version.');

    const offered = updatePanel(status(), { kind: 'offered', offer });
    expect(offered.message).toBe('Paydesk 0.2.0 is available.');
    expect(offered.install).toEqual({ label: 'Install 0.2.0', disabled: false });
    const installing = updatePanel(status(), { kind: 'installing', offer });
    expect(installing.install).toEqual({ label: 'Installing 0.2.0…', disabled: true });
    expect(installing.check?.disabled).toBe(true);
  });

  it('waits, saying why, while a sale is open', () => {
    const blocked = 'A sale is open: PD7 for 6.40 CAD (pending). Finish or cancel it first; Paydesk never updates during a sale.';
    const panel = updatePanel(status({ blocked }), { kind: 'offered', offer });
    expect(panel.reason).toBe(blocked);
    expect(panel.check?.disabled).toBe(true);
    expect(panel.install?.disabled).toBe(true);
    // Installed already: the restart waits too.
    const installed = updatePanel(status({ blocked, installed: '0.2.0' }), { kind: 'idle' });
    expect(installed.restart).toEqual({ label: 'Restart now', disabled: true });
  });

  it('says a build without an update key takes none', () => {
    const panel = updatePanel(status({ configured: false }), { kind: 'idle' });
    expect(panel.reason).toMatch(/no update key/);
    expect(panel.check?.disabled).toBe(true);
  });

  it('shows a refused update as the core worded it, and lets the owner check again', () => {
    const error = { code: 'update_refused', message: 'The update was refused: its signature does not match. Nothing was installed.', field: null };
    const panel = updatePanel(status(), { kind: 'failed', error });
    expect(panel.error).toBe(error.message);
    expect(panel.install).toBeNull();
    expect(panel.check?.disabled).toBe(false);
  });

  it('once installed, offers the restart instead of another check', () => {
    const panel = updatePanel(status(), { kind: 'installed', version: '0.2.0' });
    expect(panel.message).toBe('Paydesk 0.2.0 is installed: restart Paydesk to run it.');
    expect(panel.check).toBeNull();
    expect(panel.restart).toEqual({ label: 'Restart now', disabled: false });
    expect(updatePanel(status(), { kind: 'installed', version: '0.2.0' }, true).restart).toEqual({ label: 'Restarting…', disabled: true });
    // After Settings is opened again, the core remembers it.
    expect(updatePanel(status({ installed: '0.2.0' }), { kind: 'idle' }).restart?.disabled).toBe(false);
  });

  it('shows nothing to press before the status is known', () => {
    const panel = updatePanel(null, { kind: 'idle' });
    expect(panel.check?.disabled).toBe(true);
    expect(panel.reason).toBeNull();
  });
});
