/**
 * The till as every screen sees it: the core's TillStatus (who is signed in, what they may
 * do, the open shift) and whether the sign-in pad is open to switch person. One state for the
 * whole window; the shell loads it, the pad and the bar change it, guarded actions read it.
 */
import { signIn, signOut, tillStatus, tillTouch, type TillStatus } from './api';

export const till = $state<{ status: TillStatus | null; switching: boolean }>({ status: null, switching: false });

/** Asks the core who is at the till now (an idle person it signed out shows as no one). */
export async function refreshTill(): Promise<TillStatus | null> {
  try {
    till.status = await tillStatus();
  } catch {
    // What was known stays; the next command says what is wrong.
  }
  return till.status;
}

/** Tells the core the person is still here (keys or the mouse since the last check). */
export async function touchTill(): Promise<void> {
  try {
    till.status = await tillTouch();
  } catch {
    await refreshTill();
  }
}

/** Signs `name` in; a refusal (wrong PIN, locked) is the caller's to show. */
export async function signInAs(name: string, pin: string): Promise<void> {
  till.status = await signIn(name, pin);
  till.switching = false;
}

/** Signs whoever is at the till out: the pad comes up. */
export async function signOutNow(): Promise<void> {
  till.switching = false;
  try {
    till.status = await signOut();
  } catch {
    await refreshTill();
  }
}

/** Takes a fresh status the core answered with (opening a shift answers one). */
export function setTill(status: TillStatus): void {
  till.status = status;
}
