/** Owner actions behind the PIN: whether to ask for it, and what the PIN dialog is given. */
import { ownerStatus, type OwnerStatus } from './api';
import { toAppError, type AppError } from './errors';

/** An owner action waiting for the PIN: what PinDialog shows and runs. */
export interface PinRequest {
  /** What the PIN unlocks, e.g. "Refund 5.00 CAD of order …". */
  title: string;
  /** A line the owner reads before confirming (PinDialog's `confirmation`). */
  confirmation?: string;
  /** The confirm button's words; PinDialog's "Confirm" when absent. */
  confirmLabel?: string;
  /**
   * The dialog's heading: "Owner PIN" when absent; an approval's says who approves
   * ("Approval: a manager or the owner types their PIN", lib/till.ts).
   */
  heading?: string;
  /** Why it is asked, in the core's words (a manager's cap reached, say). */
  note?: string;
  action: (pin: string) => Promise<void>;
}

/**
 * Runs an owner action behind the PIN once one is set: the request goes to `ask` (the caller
 * shows PinDialog with it). Before a PIN is set, owner actions are open: the action runs at
 * once with no PIN, and a failure goes to `onerror`. `status` is the core's owner status.
 */
export async function withOwnerPin(
  request: PinRequest,
  ask: (request: PinRequest) => void,
  onerror: (error: AppError) => void,
  status: () => Promise<OwnerStatus> = ownerStatus,
): Promise<void> {
  let pinSet = true;
  try {
    pinSet = (await status()).pinSet;
  } catch {
    // Ask for it anyway: the core decides.
  }
  if (pinSet) {
    ask(request);
    return;
  }
  try {
    await request.action('');
  } catch (caught) {
    onerror(toAppError(caught));
  }
}
