/**
 * The audit log's words: the chain's verdict at the top (whole, or where it breaks), each
 * action in plain words, and the paging (newest first; the next page is the entries before the
 * oldest shown). The core keeps and checks the chain (ledger/audit.rs).
 */
import type { AuditRecord, AuditVerdict } from './api';
import { formatCount, t, type MessageKey } from './i18n';

/** The verdict as the owner reads it, and its tone (green whole, red broken). */
export function verdictWords(verdict: AuditVerdict): { tone: 'whole' | 'broken'; text: string } {
  if (verdict.verdict === 'whole') {
    return { tone: 'whole', text: t('audit.verdict.whole', { count: verdict.entries, entries: formatCount(verdict.entries) }) };
  }
  // `why` is the core's own words for the break (ledger/audit.rs).
  return { tone: 'broken', text: t('audit.verdict.broken', { seq: String(verdict.seq), why: verdict.why }) };
}

/** The actions the log records, each with its words; the filter offers them in this order. */
export const AUDIT_ACTIONS: readonly { action: string; key: MessageKey }[] = [
  { action: 'sale', key: 'audit.action.sale' },
  { action: 'cancel', key: 'audit.action.cancel' },
  { action: 'capture', key: 'audit.action.capture' },
  { action: 'refund', key: 'audit.action.refund' },
  { action: 'void', key: 'audit.action.void' },
  { action: 'settle', key: 'audit.action.settle' },
  { action: 'sign_in', key: 'audit.action.sign_in' },
  { action: 'sign_out', key: 'audit.action.sign_out' },
  { action: 'pin_wrong', key: 'audit.action.pin_wrong' },
  { action: 'approval_pin_wrong', key: 'audit.action.approval_pin_wrong' },
  { action: 'shift_open', key: 'audit.action.shift_open' },
  { action: 'shift_close', key: 'audit.action.shift_close' },
  { action: 'staff_add', key: 'audit.action.staff_add' },
  { action: 'staff_change', key: 'audit.action.staff_change' },
  { action: 'refund_cap', key: 'audit.action.refund_cap' },
  { action: 'settings', key: 'audit.action.settings' },
  { action: 'credentials', key: 'audit.action.credentials' },
  { action: 'export', key: 'audit.action.export' },
  { action: 'shop_join', key: 'audit.action.shop_join' },
  { action: 'shop_leave', key: 'audit.action.shop_leave' },
  { action: 'update', key: 'audit.action.update' },
  { action: 'setup', key: 'audit.action.setup' },
];

const KEYS: ReadonlyMap<string, MessageKey> = new Map(AUDIT_ACTIONS.map((a) => [a.action, a.key]));

/** An action in the window's words; one not known here reads as the core wrote it. */
export function actionWords(action: string): string {
  const key = KEYS.get(action);
  return key ? t(key) : action.replace(/_/g, ' ');
}

/** Who: "Ann", "Ann, approved by Max", or "—" when no one was signed in. */
export function whoWords(entry: Pick<AuditRecord, 'staff' | 'approver'>): string {
  const who = entry.staff || '—';
  return entry.approver ? t('audit.who_approved', { who, approver: entry.approver }) : who;
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
