import { describe, expect, it, vi } from 'vitest';
import type { AppError } from './errors';
import { withOwnerPin, type PinRequest } from './ownerPin';

function request(action: (pin: string) => Promise<void> = async () => undefined): PinRequest {
  return { title: 'Refund 7.50 CAD of order PD1', confirmLabel: 'Refund', action: vi.fn(action) };
}

describe('an owner action behind the PIN', () => {
  it('asks for the PIN once one is set, and runs nothing yet', async () => {
    const asked: PinRequest[] = [];
    const wanted = request();
    await withOwnerPin(wanted, (r) => asked.push(r), () => undefined, async () => ({ pinSet: true }));
    expect(asked).toEqual([wanted]);
    expect(wanted.action).not.toHaveBeenCalled();
  });

  it('runs at once with no PIN before one is set', async () => {
    const ask = vi.fn();
    const wanted = request();
    await withOwnerPin(wanted, ask, () => undefined, async () => ({ pinSet: false }));
    expect(ask).not.toHaveBeenCalled();
    expect(wanted.action).toHaveBeenCalledWith('');
  });

  it('asks anyway when the owner status cannot be read: the core decides', async () => {
    const ask = vi.fn();
    await withOwnerPin(request(), ask, () => undefined, () => Promise.reject(new Error('no core')));
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it('hands a failure of the action run without a PIN to onerror, as an AppError', async () => {
    const errors: AppError[] = [];
    const refused = { code: 'gateway_rejected', message: 'Refused', field: null };
    await withOwnerPin(
      request(() => Promise.reject(refused)),
      () => undefined,
      (e) => errors.push(e),
      async () => ({ pinSet: false }),
    );
    expect(errors).toEqual([refused]);
  });
});
