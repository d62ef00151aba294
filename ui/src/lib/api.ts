/** The Paydesk core's Tauri commands and events, typed by the generated IPC types (./bindings). */
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { documentDir, homeDir } from '@tauri-apps/api/path';
import { save } from '@tauri-apps/plugin-dialog';
import { open } from '@tauri-apps/plugin-shell';
import { toAppError, type AppError } from './errors';
import type {
  AppInfo,
  AuditPage,
  AuditRequest,
  BackupStatus,
  ConnectionCheck,
  CreateOrderInput,
  CredentialStatus,
  CustomerTip,
  CustomerView,
  DailyReport,
  DayReport,
  ExportColumns,
  ExportProgress,
  ExportRequest,
  ExportSummary,
  FilterInput,
  LatePaymentView,
  ListRequest,
  MethodInfo,
  OrderDetail,
  OrderPage,
  OrderView,
  OwnerStatus,
  PrintResult,
  ReceiptPrinted,
  ReceiptRequest,
  ReceiptSave,
  ReceiptShown,
  ReportRequest,
  ResendRefunds,
  Reversal,
  SaveCredentials,
  SaveSettings,
  SetPin,
  SettingsView,
  SettleRefund,
  SetupInput,
  SetupState,
  ShiftReport,
  ShiftRow,
  ShopJoin,
  ShopLeave,
  ShopView,
  StaffEdit,
  StaffView,
  TestConnection,
  TillStatus,
  TipOffer,
  TotalsView,
  UnansweredRefund,
} from './bindings';

export type { AppError } from './errors';
// The IPC types, generated from the Rust types (`make bindings`): the window declares none of
// its own, so a change on one side that the other misses fails the type check.
export type * from './bindings';

export const ORDER_UPDATED_EVENT = 'order-updated';

/** Error codes that mean no one is signed in at the till any more (the core signed an idle
 * person out, or their account was closed): the window shows the sign-in pad. */
const SIGNED_OUT_CODES = new Set(['sign_in_required', 'signed_out']);
let onSignedOut: ((error: AppError) => void) | null = null;

/** Hears every command refused because no one is signed in (the shell refreshes the till). */
export function whenSignedOut(handler: ((error: AppError) => void) | null): void {
  onSignedOut = handler;
}

/** Invokes a command, turning any rejection into an AppError. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    const failure = toAppError(error);
    if (SIGNED_OUT_CODES.has(failure.code)) onSignedOut?.(failure);
    throw failure;
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

export function paymentMethods(): Promise<MethodInfo[]> {
  return call<MethodInfo[]>('payment_methods');
}

/** `tip`: the customer's tip as the tip step sends it ("1.85", "0"); left out: no tip step. */
export function createOrder(request: CreateOrderInput, tip?: string): Promise<OrderView> {
  const { gateway, method, amount, currency, code } = request;
  const body: CreateOrderInput = { gateway, method, amount, currency };
  if (code !== undefined && code !== '') body.code = code;
  return call<OrderView>('create_order', tip === undefined ? { request: body } : { request: body, tip });
}

/** The tips the counter offers for a sale of `amount` in `currency`; null while tips are off. */
export function tipOffer(amount: string, currency: string): Promise<TipOffer | null> {
  return call<TipOffer | null>('tip_offer', { amount, currency });
}

export function getOrder(id: number): Promise<OrderDetail> {
  return call<OrderDetail>('get_order', { id });
}

/**
 * One page of orders, newest first. Blank filter values are left out rather than sent as "";
 * the core checks the rest and rejects bad input with the `field` at fault.
 */
export function listOrders(request: ListRequest = {}): Promise<OrderPage> {
  const { limit, cursor, ...form } = request;
  const filter: ListRequest = cleanFilter(form);
  if (limit !== undefined) filter.limit = limit;
  if (cursor) filter.cursor = cursor;
  return call<OrderPage>('list_orders', { filter });
}

function cleanFilter(form: FilterInput): FilterInput {
  const clean: FilterInput = {};
  for (const [key, value] of Object.entries(form) as [keyof FilterInput, string | undefined][]) {
    const text = value?.trim();
    if (text) clean[key] = text;
  }
  return clean;
}

/** Subscribes to order changes pushed by the core; resolves to the unsubscribe function. */
export function onOrderUpdated(handler: (order: OrderView) => void): Promise<UnlistenFn> {
  return listen<OrderView>(ORDER_UPDATED_EVENT, (event) => handler(event.payload));
}

/** Opens a URL in the system browser. */
export async function openExternal(url: string): Promise<void> {
  try {
    await open(url);
  } catch (error) {
    throw toAppError(error);
  }
}

export function ownerStatus(): Promise<OwnerStatus> {
  return call<OwnerStatus>('owner_status');
}

/** Sets the owner PIN; changing it needs the current one. */
export function setOwnerPin(newPin: string, current?: string): Promise<OwnerStatus> {
  const request: SetPin = { newPin };
  if (current) request.current = current;
  return call<OwnerStatus>('set_owner_pin', { request });
}

export function refundOrder(request: Reversal): Promise<OrderDetail> {
  const body: Reversal = { id: request.id, pin: request.pin };
  const amount = request.amount?.trim();
  if (amount) body.amount = amount;
  const reason = request.reason?.trim();
  if (reason) body.reason = reason;
  return call<OrderDetail>('refund_order', { request: body });
}

export function voidOrder(request: Omit<Reversal, 'amount'>): Promise<OrderDetail> {
  const body: Reversal = { id: request.id, pin: request.pin };
  const reason = request.reason?.trim();
  if (reason) body.reason = reason;
  return call<OrderDetail>('void_order', { request: body });
}

/** Every refund and void whose outcome is unknown, oldest first. */
export function unansweredRefunds(): Promise<UnansweredRefund[]> {
  return call<UnansweredRefund[]>('unanswered_refunds');
}

/** Late payments still holding the customer's money, newest first. */
export function latePayments(): Promise<LatePaymentView[]> {
  return call<LatePaymentView[]>('late_payments');
}

/** The shop's counters whose orders this ledger holds; empty for a counter on its own. */
export function orderCounters(): Promise<string[]> {
  return call<string[]>('order_counters');
}

/** Resends the order's refunds and voids whose outcome is unknown, under their own numbers. */
export function resendRefunds(request: ResendRefunds): Promise<OrderDetail> {
  return call<OrderDetail>('resend_refunds', { request });
}

/** The owner's word, from the gateway's records, on a refund or void whose outcome is unknown. */
export function settleRefund(request: SettleRefund): Promise<OrderDetail> {
  return call<OrderDetail>('settle_refund', { request });
}

/** Which credentials are set per gateway and environment; never their values. */
export function credentialsStatus(): Promise<CredentialStatus[]> {
  return call<CredentialStatus[]>('credentials_status');
}

export function saveCredentials(request: SaveCredentials): Promise<CredentialStatus> {
  return call<CredentialStatus>('save_credentials', { request });
}

// ---- Settings, reports, customer display ----

export function settingsGet(): Promise<SettingsView> {
  return call<SettingsView>('settings_get');
}

/** Stores the changed settings (owner PIN); an empty value returns a key to its default. */
export function saveSettings(changes: Record<string, string>, pin: string): Promise<SettingsView> {
  const request: SaveSettings = { changes, pin };
  return call<SettingsView>('save_settings', { request });
}

export function testConnection(gateway: string, env: string): Promise<ConnectionCheck> {
  const request: TestConnection = { gateway, env };
  return call<ConnectionCheck>('test_connection', { request });
}

/** Restarts Paydesk (a saved mode applies then). */
export function restartApp(): Promise<void> {
  return call<void>('restart_app');
}

// ---- The shop ledger (Settings' "Shop ledger": one shop, many counters) ----

/** Where this counter stands in its shop; asks the shop ledger (3 s at most). No secret. */
export function shopStatus(): Promise<ShopView> {
  return call<ShopView>('shop_status');
}

/**
 * Joins the shop whose ledger is at `url` as `counter` (owner PIN): the password goes to the
 * keychain and never comes back; an empty one is not sent. Answers the status just after.
 */
export function shopJoin(request: ShopJoin): Promise<ShopView> {
  const body: ShopJoin = { url: request.url.trim(), counter: request.counter.trim(), pin: request.pin };
  if (request.password) body.password = request.password;
  return call<ShopView>('shop_join', { request: body });
}

/** Leaves the shop (owner PIN); every order stays here. `force`: even though it cannot be reached. */
export function shopLeave(force: boolean, pin: string): Promise<ShopView> {
  const request: ShopLeave = { force, pin };
  return call<ShopView>('shop_leave', { request });
}

/** Daily totals per gateway and status, `from` to `to` (YYYY-MM-DD, both included). */
export function dailyReport(from: string, to: string, tz = 'local'): Promise<DailyReport> {
  const request: ReportRequest = { from, to, tz };
  return call<DailyReport>('daily_report', { request });
}

export function openCustomerDisplay(): Promise<void> {
  return call<void>('open_customer_display');
}

/**
 * Tells the customer display which order to show (null: idle, the shop's name) and, when
 * given, the language the customer reads it in (customerLanguage.ts; omitted: unchanged).
 */
export function customerDisplayShow(orderId: number | null, language?: string, tip?: CustomerTip): Promise<void> {
  const args: Record<string, unknown> = language === undefined ? { orderId } : { orderId, language };
  // The counter's tip step, while it shows one (any call without it clears it there).
  if (tip !== undefined) args.tip = tip;
  return call<void>('customer_display_show', args);
}

/**
 * What the customer display shows now; each later change is handed to `onUpdate` (over an IPC
 * channel: the customer window may not listen to events, which would let it hear every order).
 */
export function customerDisplayState(onUpdate: (view: CustomerView) => void): Promise<CustomerView> {
  const updates = new Channel<CustomerView>();
  updates.onmessage = onUpdate;
  return call<CustomerView>('customer_display_state', { updates });
}

// ---- The owner's desk: totals and export of the filtered orders ----

/** Takings per currency and the counts of the orders that brought no money, for a filter. */
export function orderTotals(filter: FilterInput): Promise<TotalsView> {
  return call<TotalsView>('order_totals', { filter: cleanFilter(filter) });
}

/** Cancels a waiting order (at the gateway where its API can), as the counter's Cancel sale. */
export function cancelSale(id: number): Promise<OrderView> {
  return call<OrderView>('cancel_sale', { id });
}

/** Asks the gateway about an order now ("Check now"). */
export function syncOrder(id: number): Promise<OrderView> {
  return call<OrderView>('sync_order', { id });
}

export function exportColumns(): Promise<ExportColumns> {
  return call<ExportColumns>('export_columns');
}

export const EXPORT_PROGRESS_EVENT = 'export-progress';

/** Exports the filtered orders to a CSV file (owner PIN); progress comes as events. */
export function exportOrders(request: ExportRequest): Promise<ExportSummary> {
  const body: ExportRequest = { ...request, filter: cleanFilter(request.filter), path: request.path.trim() };
  return call<ExportSummary>('export_orders', { request: body });
}

export function onExportProgress(handler: (progress: ExportProgress) => void): Promise<UnlistenFn> {
  return listen<ExportProgress>(EXPORT_PROGRESS_EVENT, (event) => handler(event.payload));
}

/**
 * Where an export is offered by default: the user's Documents folder, else their home folder;
 * null when neither can be told (the owner then chooses).
 */
export async function defaultExportFolder(): Promise<string | null> {
  for (const folder of [documentDir, homeDir]) {
    try {
      const path = await folder();
      if (path) return path;
    } catch {
      // The next one.
    }
  }
  return null;
}

/** The native save dialog; resolves to the chosen path, or null when cancelled. */
export async function chooseSavePath(defaultPath: string, kind: 'csv' | 'pdf' = 'csv'): Promise<string | null> {
  const filter = kind === 'pdf' ? { name: 'PDF', extensions: ['pdf'] } : { name: 'CSV', extensions: ['csv'] };
  try {
    return await save({ defaultPath, filters: [filter] });
  } catch (error) {
    throw toAppError(error);
  }
}

// ---- First start and the owner PIN (C1: setup.rs, owner.rs) ----

export function setupState(): Promise<SetupState> {
  return call<SetupState>('setup_state');
}

/** Runs the first-start setup once: the core checks everything before it writes anything. */
export function completeSetup(request: SetupInput): Promise<void> {
  return call<void>('complete_setup', { request });
}

/** Sets the window's title (the shop's name, not the program's). */
export async function setWindowTitle(title: string): Promise<void> {
  document.title = title;
  try {
    const { getCurrentWindow } = await import('@tauri-apps/api/window');
    await getCurrentWindow().setTitle(title);
  } catch {
    // Outside the window (tests) or not allowed: the page title is set anyway.
  }
}

export function backupStatus(): Promise<BackupStatus> {
  return call<BackupStatus>('backup_status');
}

// ---- Who is at the till, staff, shifts and the audit log (staff_commands.rs) ----

/** Tells the core the person at the till is using the window (its idle clock restarts). */
export function tillTouch(): Promise<TillStatus> {
  return call<TillStatus>('till_touch');
}

/** Who is signed in, whether the shop asks, the staff for the pad, the open shift. */
export function tillStatus(): Promise<TillStatus> {
  return call<TillStatus>('till_status');
}

/** Signs `name` in with their PIN (whoever was signed in is signed out). */
export function signIn(name: string, pin: string): Promise<TillStatus> {
  return call<TillStatus>('sign_in', { request: { name, pin } });
}

export function signOut(): Promise<TillStatus> {
  return call<TillStatus>('sign_out');
}

/** The staff list and the managers' caps (the owner's; `pin`: an approval's, "" none). */
export function staffList(pin: string): Promise<StaffView> {
  return call<StaffView>('staff_list', { request: { pin } });
}

/** Adds a staff member (`add`) or changes one; fields left out stay as they are. */
export function staffSave(request: StaffEdit): Promise<StaffView> {
  const body: StaffEdit = { name: request.name.trim(), add: request.add, pin: request.pin };
  if (request.role !== undefined) body.role = request.role;
  if (request.newPin) body.newPin = request.newPin;
  if (request.active !== undefined) body.active = request.active;
  // "" is the shop's language: sent as it is, unlike an empty new PIN.
  if (request.language !== undefined) body.language = request.language;
  return call<StaffView>('staff_save', { request: body });
}

/** Sets a manager's daily refund cap in `currency`; an empty amount removes it. */
export function staffSetCap(currency: string, amount: string, pin: string): Promise<StaffView> {
  const text = amount.trim();
  return call<StaffView>('staff_set_cap', { request: text ? { currency, amount: text, pin } : { currency, pin } });
}

export function shiftOpen(): Promise<TillStatus> {
  return call<TillStatus>('shift_open');
}

/** The open shift's X report, or (with `id`) that shift's: a closed one's is its sealed Z. */
export function shiftReport(id?: number): Promise<ShiftReport> {
  return call<ShiftReport>('shift_report', { request: id === undefined ? {} : { id } });
}

/** Closes the open shift; its sealed Z report. `carry`: even with sales still waiting. */
export function shiftClose(carry: boolean): Promise<ShiftReport> {
  return call<ShiftReport>('shift_close', { request: { carry } });
}

/** Every counter's shifts opened on `day` (YYYY-MM-DD; today when absent), summed per currency. */
export function shiftDay(day: string | undefined, pin: string): Promise<DayReport> {
  return call<DayReport>('shift_day', { request: day ? { day, pin } : { pin } });
}

/** The shifts, newest first. */
export function shiftList(): Promise<ShiftRow[]> {
  return call<ShiftRow[]>('shift_list');
}

/** Writes a shift's report to `path` as CSV or PDF; the path written. */
export function shiftSave(format: 'csv' | 'pdf', path: string, id?: number): Promise<string> {
  return call<string>('shift_save', { request: id === undefined ? { format, path } : { id, format, path } });
}

/** One page of the audit log, newest first, with the chain's verdict. Blank filters are left out. */
export function auditList(request: AuditRequest): Promise<AuditPage> {
  const body: AuditRequest = { pin: request.pin };
  const staff = request.staff?.trim();
  if (staff) body.staff = staff;
  const action = request.action?.trim();
  if (action) body.action = action;
  if (request.beforeSeq !== undefined) body.beforeSeq = request.beforeSeq;
  if (request.limit !== undefined) body.limit = request.limit;
  return call<AuditPage>('audit_list', { request: body });
}

// ---- Receipts (issue 16: receipt_commands.rs) ----

/** The core's word on an automatic print (printed, or not: the detail offers Reprint). */
export const RECEIPT_PRINTED_EVENT = 'receipt-printed';

function receiptRequest(order: number, refundNo?: string | null): ReceiptRequest {
  return refundNo ? { order, refundNo } : { order };
}

/** An order's receipt (or one of its refunds'), its rows as the printer lays them out, and its last print. */
export function receiptGet(order: number, refundNo?: string | null): Promise<ReceiptShown> {
  return call<ReceiptShown>('receipt_get', { request: receiptRequest(order, refundNo) });
}

/** Prints the receipt on the shop's thermal printer; a printer that is off answers `printed: false`. */
export function receiptPrint(order: number, refundNo?: string | null): Promise<PrintResult> {
  return call<PrintResult>('receipt_print', { request: receiptRequest(order, refundNo) });
}

/** Writes the receipt as a PDF at `path`; the path written. */
export function receiptSavePdf(order: number, refundNo: string | null | undefined, path: string): Promise<string> {
  const request: ReceiptSave = refundNo ? { order, refundNo, path } : { order, path };
  return call<string>('receipt_save_pdf', { request });
}

/** Subscribes to the automatic prints' outcomes; resolves to the unsubscribe function. */
export function onReceiptPrinted(handler: (printed: ReceiptPrinted) => void): Promise<UnlistenFn> {
  return listen<ReceiptPrinted>(RECEIPT_PRINTED_EVENT, (event) => handler(event.payload));
}
