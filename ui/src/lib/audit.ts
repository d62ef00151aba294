/**
 * The audit log's words: the chain's verdict at the top (whole, or where it breaks), each
 * action in plain words, and the paging (newest first; the next page is the entries before the
 * oldest shown). The core keeps and checks the chain (ledger/audit.rs).
 */
import type { AuditRecord, AuditVerdict } from './api';

/** The verdict as the owner reads it, and its tone (green whole, red broken). */
export function verdictWords(verdict: AuditVerdict): { tone: 'whole' | 'broken'; text: string } {
  if (verdict.verdict === 'whole') {
    const entries = `${verdict.entries} ${verdict.entries === 1 ? 'entry' : 'entries'}`;
    return { tone: 'whole', text: `Chain whole: ${entries}` };
  }
  return { tone: 'broken', text: `BROKEN at entry ${verdict.seq}: ${verdict.why}` };
}

/** The actions the log records, in plain words; the filter offers them in this order. */
export const AUDIT_ACTIONS: readonly { action: string; words: string }[] = [
  { action: 'sale', words: 'Sale' },
  { action: 'cancel', words: 'Sale cancelled' },
  { action: 'capture', words: 'Card captured' },
  { action: 'refund', words: 'Refund' },
  { action: 'void', words: 'Void' },
  { action: 'settle', words: 'Settled by hand' },
  { action: 'sign_in', words: 'Signed in' },
  { action: 'sign_out', words: 'Signed out' },
  { action: 'pin_wrong', words: 'Wrong PIN (sign-in)' },
  { action: 'approval_pin_wrong', words: 'Wrong PIN (approval)' },
  { action: 'shift_open', words: 'Shift opened' },
  { action: 'shift_close', words: 'Shift closed (Z)' },
  { action: 'staff_add', words: 'Staff added' },
  { action: 'staff_change', words: 'Staff changed' },
  { action: 'refund_cap', words: 'Refund cap' },
  { action: 'settings', words: 'Settings' },
  { action: 'credentials', words: 'Gateway account' },
  { action: 'export', words: 'Export' },
  { action: 'shop_join', words: 'Joined the shop ledger' },
  { action: 'shop_leave', words: 'Left the shop ledger' },
  { action: 'update', words: 'Update installed' },
  { action: 'setup', words: 'Setup' },
];

const WORDS: ReadonlyMap<string, string> = new Map(AUDIT_ACTIONS.map((a) => [a.action, a.words]));

/** An action in words; one not known here reads as the core wrote it. */
export function actionWords(action: string): string {
  return WORDS.get(action) ?? action.replace(/_/g, ' ');
}

/** Who: "Ann", "Ann, approved by Max", or "—" when no one was signed in. */
export function whoWords(entry: Pick<AuditRecord, 'staff' | 'approver'>): string {
  const who = entry.staff || '—';
  return entry.approver ? `${who}, approved by ${entry.approver}` : who;
}

/** The entries per page. */
export const AUDIT_PAGE = 100;

/** Where the next page starts (`beforeSeq`): the oldest entry shown; null when the page was the last. */
export function nextBefore(entries: readonly Pick<AuditRecord, 'seq'>[], pageSize = AUDIT_PAGE): number | null {
  if (entries.length < pageSize) return null;
  return entries.reduce((lowest, e) => Math.min(lowest, e.seq), Number.POSITIVE_INFINITY);
}

/** A hash cut for the eye ("3fa2…9c01"); the whole one is in the tooltip. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 4)}…${hash.slice(-4)}` : hash;
}
