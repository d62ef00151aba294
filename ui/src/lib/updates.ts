/**
 * Settings' Updates section (issue 18): the bindings of the core's four update commands
 * (shell/updates.rs) and what the section shows at each step. The core refuses to check,
 * install or restart while a sale is open, and installs only an update whose signature
 * verifies; the section says why a button waits.
 */
import { invoke } from '@tauri-apps/api/core';
import { errorText, toAppError, type AppError } from './errors';
import { t } from './i18n';

export interface UpdateStatus {
  /** This build's version. */
  current: string;
  /** Whether this build has an update key and server. */
  configured: boolean;
  /** Why checking or installing must wait (a sale is open), or null. */
  blocked: string | null;
  /** The version installed since Paydesk started: a restart runs it. */
  installed: string | null;
}

export interface UpdateOffer {
  version: string;
  notes: string | null;
  /** RFC 3339, as the update server gave it. */
  date: string | null;
}

export interface UpdateCheck {
  current: string;
  offered: UpdateOffer | null;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}

export function updateStatus(): Promise<UpdateStatus> {
  return call<UpdateStatus>('update_status');
}

export function checkForUpdates(): Promise<UpdateCheck> {
  return call<UpdateCheck>('update_check');
}

/** Owner only: the PIN goes with the version the owner saw offered. */
export function installUpdate(version: string, pin: string): Promise<{ version: string }> {
  return call<{ version: string }>('update_install', { request: { version, pin } });
}

export function restartIntoUpdate(): Promise<void> {
  return call<void>('update_restart');
}

/** Where the section is: nothing asked yet, asking, an answer, installing, installed, or a failure. */
export type UpdateStep =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'newest'; current: string }
  | { kind: 'offered'; offer: UpdateOffer }
  | { kind: 'installing'; offer: UpdateOffer }
  | { kind: 'installed'; version: string }
  | { kind: 'failed'; error: AppError };

export interface UpdatePanel {
  /** "Paydesk 0.1.0 is running." */
  running: string;
  /** What the last step found, or null. */
  message: string | null;
  /** Why the buttons wait (no update key, a sale open), or null. */
  reason: string | null;
  check: { label: string; disabled: boolean } | null;
  install: { label: string; disabled: boolean } | null;
  restart: { label: string; disabled: boolean } | null;
  /** A refusal or failure, as the core worded it. */
  error: string | null;
}


/** What the Updates section shows for the core's status and the step the owner is at. */
export function updatePanel(status: UpdateStatus | null, step: UpdateStep, restarting = false): UpdatePanel {
  const running = status ? t('updates.running', { version: status.current }) : 'Paydesk';
  const installed = step.kind === 'installed' ? step.version : status?.installed ?? null;
  const reason = !status ? null : !status.configured ? t('updates.no_key') : status.blocked;
  const waiting = status === null || reason !== null;
  if (installed) {
    return {
      running,
      message: t('updates.installed', { version: installed }),
      reason: status?.blocked ?? null,
      check: null,
      install: null,
      restart: { label: t(restarting ? 'updates.restarting' : 'updates.restart_now'), disabled: restarting || Boolean(status?.blocked) },
      error: null,
    };
  }
  const busy = step.kind === 'checking' || step.kind === 'installing';
  const offer = step.kind === 'offered' || step.kind === 'installing' ? step.offer : null;
  let message: string | null = null;
  if (step.kind === 'newest') message = t('updates.newest', { version: step.current });
  if (offer) message = t('updates.available', { version: offer.version });
  return {
    running,
    message,
    reason,
    check: { label: t(step.kind === 'checking' ? 'updates.checking' : 'updates.check'), disabled: waiting || busy },
    install: offer
      ? {
          label: t(step.kind === 'installing' ? 'updates.installing' : 'updates.install', { version: offer.version }),
          disabled: waiting || busy,
        }
      : null,
    restart: null,
    error: step.kind === 'failed' ? errorText(step.error) : null,
  };
}
