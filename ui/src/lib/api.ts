/** Typed bindings to the Paydesk core's Tauri commands and events. */
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { documentDir, homeDir } from '@tauri-apps/api/path';
import { save } from '@tauri-apps/plugin-dialog';
import { open } from '@tauri-apps/plugin-shell';
import { toAppError } from './errors';
import type { ExportProgress } from './exportProgress';
import type { FilterRequest } from './orderFilters';
import type { OrderStatus } from './status';
import type { CredentialStatus, Environment } from './credentials';

export type { AppError } from './errors';
export type { OrderStatus } from './status';
export type { CredentialStatus, Environment } from './credentials';

export type Mode = 'sandbox' | 'test' | 'live';

export interface AppInfo {
  mode: Mode;
  dataDir: string;
  /** The shop's currency setting (`shop.currency`, CAD unless set). */
  defaultCurrency: string;
  shopName: string;
  sandboxUrl: string | null;
  version: string;
  /** The methods the counter offers (`shop.methods`), most used first; empty = all. */
  shopMethods: string[];
  /** True until the first-start setup has run (`shop.setup_done`). */
  setupNeeded: boolean;
}

/**
 * qr: the customer scans a QR; link: a payment page, also shown as a QR; barcode: the cashier
 * scans the customer's code; widget: the gateway's card form in the window; app and token are
 * for a merchant's app and stored cards, not the counter.
 */
export type MethodKind = 'qr' | 'link' | 'barcode' | 'widget' | 'app' | 'token';

export interface PaymentMethod {
  gateway: string;
  method: string;
  label: string;
  kind: MethodKind;
  currencies: string[];
}

export interface CreateOrderRequest {
  gateway: string;
  method: string;
  /** The cashier's text exactly as typed; the core parses and validates it. */
  amount: string;
  currency: string;
  /** The customer's payment code as scanned (barcode only). */
  code?: string;
}

export interface OrderView {
  id: number;
  merchantOrderNo: string;
  gateway: string;
  method: string;
  amountMinor: number;
  currency: string;
  /** Formatted by the core for the currency, e.g. "12.50". */
  amountDisplay: string;
  status: OrderStatus;
  /** Verbatim last status reported by the gateway. */
  gatewayStatus: string | null;
  gatewayOrderId: string | null;
  /** The link encoded in the QR. */
  paymentUrl: string | null;
  /** A complete <svg>…</svg> rendered by the core. */
  qrSvg: string | null;
  /** Refunded (or reserved for a refund still pending) so far, in minor units. */
  refundedMinor: number;
  /** What a widget or app needs beyond the link, e.g. `{secureId, scriptUrl, mode}` for a card. */
  paymentPayload: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  /** Who paid, when known. */
  customer: string | null;
  /** `gatewayStatus` in plain words for a cashier; null when there is none. */
  gatewayStatusLabel?: string | null;
  /** Why a failed, cancelled or expired order ended, in plain words; null otherwise. */
  reason?: string | null;
}

export interface OrderEvent {
  at: string;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  /** create | poll | notify | reconcile | user */
  source: string;
  gatewayStatus: string | null;
  note: string | null;
  /** This change in plain words. */
  label?: string;
  /** False when the status did not move (a repeated poll): the timeline hides those. */
  changed?: boolean;
}

export interface Refund {
  id: number;
  orderId: number;
  refundNo: string;
  amountMinor: number;
  kind: 'refund' | 'void';
  status: 'pending' | 'succeeded' | 'failed';
  gatewayRefundId: string | null;
  reason: string | null;
  createdAtMs: number;
}

export interface OrderDetail {
  order: OrderView;
  events: OrderEvent[];
  refunds: Refund[];
}

/** The Orders screen's filter as typed (see lib/orderFilters.ts), with paging. */
export interface ListOrdersRequest extends FilterRequest {
  limit?: number;
  /** The page after this order: the previous page's `nextCursor`. */
  cursor?: Cursor | null;
}

/** Where a page of the list ended (keyset paging: creation time, then id, newest first). */
export interface Cursor {
  createdAtMs: number;
  id: number;
}

export interface OrderPage {
  orders: OrderView[];
  /** Null when this page is the last. */
  nextCursor: Cursor | null;
}

export const ORDER_UPDATED_EVENT = 'order-updated';

/** Invokes a command, turning any rejection into an AppError. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

export function paymentMethods(): Promise<PaymentMethod[]> {
  return call<PaymentMethod[]>('payment_methods');
}

export function createOrder(request: CreateOrderRequest): Promise<OrderView> {
  const { gateway, method, amount, currency, code } = request;
  const body: CreateOrderRequest = { gateway, method, amount, currency };
  if (code !== undefined && code !== '') body.code = code;
  return call<OrderView>('create_order', { request: body });
}

export function getOrder(id: number): Promise<OrderDetail> {
  return call<OrderDetail>('get_order', { id });
}

/**
 * One page of orders, newest first. Blank filter values are left out rather than sent as "";
 * the core checks the rest and rejects bad input with the `field` at fault.
 */
export function listOrders(request: ListOrdersRequest = {}): Promise<OrderPage> {
  const { limit, cursor, ...form } = request;
  const filter: ListOrdersRequest = cleanFilter(form);
  if (limit !== undefined) filter.limit = limit;
  if (cursor) filter.cursor = cursor;
  return call<OrderPage>('list_orders', { filter });
}

function cleanFilter(form: FilterRequest): FilterRequest {
  const clean: FilterRequest = {};
  for (const [key, value] of Object.entries(form) as [keyof FilterRequest, string | undefined][]) {
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

export interface OwnerStatus {
  pinSet: boolean;
}

export function ownerStatus(): Promise<OwnerStatus> {
  return call<OwnerStatus>('owner_status');
}

/** Sets the owner PIN; changing it needs the current one. */
export function setOwnerPin(newPin: string, current?: string): Promise<OwnerStatus> {
  const request: { newPin: string; current?: string } = { newPin };
  if (current) request.current = current;
  return call<OwnerStatus>('set_owner_pin', { request });
}

export interface RefundRequest {
  id: number;
  /** As typed; left out (or blank) = everything not yet refunded. */
  amount?: string;
  reason?: string;
  pin: string;
}

export function refundOrder(request: RefundRequest): Promise<OrderDetail> {
  const body: RefundRequest = { id: request.id, pin: request.pin };
  const amount = request.amount?.trim();
  if (amount) body.amount = amount;
  const reason = request.reason?.trim();
  if (reason) body.reason = reason;
  return call<OrderDetail>('refund_order', { request: body });
}

export function voidOrder(request: { id: number; reason?: string; pin: string }): Promise<OrderDetail> {
  const body: { id: number; reason?: string; pin: string } = { id: request.id, pin: request.pin };
  const reason = request.reason?.trim();
  if (reason) body.reason = reason;
  return call<OrderDetail>('void_order', { request: body });
}

/** A refund or void whose outcome is unknown, with its order. */
export interface UnansweredRefund {
  refundNo: string;
  kind: 'refund' | 'void';
  amountDisplay: string;
  currency: string;
  orderId: number;
  merchantOrderNo: string;
}

/** Every refund and void whose outcome is unknown, oldest first. */
export function unansweredRefunds(): Promise<UnansweredRefund[]> {
  return call<UnansweredRefund[]>('unanswered_refunds');
}

/** A payment that arrived after the counter let its sale go (expired or cancelled). */
export interface LatePayment {
  order: OrderView;
  /** What the owner should do, in words ("paid after it was cancelled: refund it"). */
  note: string;
}

/** Late payments still holding the customer's money, newest first. */
export function latePayments(): Promise<LatePayment[]> {
  return call<LatePayment[]>('late_payments');
}

/** Resends the order's refunds and voids whose outcome is unknown, under their own numbers. */
export function resendRefunds(request: { id: number; pin: string }): Promise<OrderDetail> {
  return call<OrderDetail>('resend_refunds', { request });
}

/** The owner's word, from the gateway's records, on a refund or void whose outcome is unknown. */
export function settleRefund(request: { refundNo: string; wentThrough: boolean; pin: string }): Promise<OrderDetail> {
  return call<OrderDetail>('settle_refund', { request });
}

/** Which credentials are set per gateway and environment; never their values. */
export function credentialsStatus(): Promise<CredentialStatus[]> {
  return call<CredentialStatus[]>('credentials_status');
}

export function saveCredentials(request: {
  gateway: string;
  env: Environment;
  fields: Record<string, string>;
  pin: string;
}): Promise<CredentialStatus> {
  return call<CredentialStatus>('save_credentials', { request });
}

// ---- Settings, reports, customer display ----

export interface SettingValue {
  key: string;
  /** Stored value; null = not set, the default applies. */
  value: string | null;
  /** The documented default, when there is one (shown as the field's placeholder). */
  default: string | null;
}

export interface SettingsView {
  values: SettingValue[];
  /** The mode this run uses; a saved `mode` applies on restart. */
  runningMode: Mode;
  /** Where the notification receiver listens now. */
  receiver: string | null;
  /** About the values just saved, e.g. a receiver address that is not loopback. */
  warnings: string[];
}

export function settingsGet(): Promise<SettingsView> {
  return call<SettingsView>('settings_get');
}

/** Stores the changed settings (owner PIN); an empty value returns a key to its default. */
export function saveSettings(changes: Record<string, string>, pin: string): Promise<SettingsView> {
  return call<SettingsView>('save_settings', { request: { changes, pin } });
}

export type ConnectionOutcome = 'ok' | 'credentials_rejected' | 'unreachable' | 'error';

export interface ConnectionCheck {
  gateway: string;
  environment: string;
  outcome: ConnectionOutcome;
  /** The gateway's own words, or why the check could not run. */
  message: string;
  elapsedMs: number;
}

export function testConnection(gateway: string, env: string): Promise<ConnectionCheck> {
  return call<ConnectionCheck>('test_connection', { request: { gateway, env } });
}

/** Restarts Paydesk (a saved mode applies then). */
export function restartApp(): Promise<void> {
  return call<void>('restart_app');
}

export interface ReportRow {
  /** The day, YYYY-MM-DD, in the report's zone. */
  period: string;
  gateway: string;
  status: OrderStatus;
  currency: string;
  count: number;
  amountMinor: number;
  refundedMinor: number;
  /** The method key, e.g. `wechat-qr`. */
  method?: string;
}

export interface CurrencyInfo {
  code: string;
  /** Decimals of the minor unit (2 for CAD, 0 for JPY). */
  exponent: number;
}

export interface DailyReport {
  from: string;
  to: string;
  tz: string;
  /** Every day of the range, with or without orders. */
  days: string[];
  rows: ReportRow[];
  currencies: CurrencyInfo[];
  /** The whole range, as `order_totals` counts it. */
  totals: TotalsView;
  /** Takings (taken minus refunded) of every day and currency with taken orders. */
  takingsByDay: DayTakings[];
  /** Takings by how the customer paid. */
  byMethod: MethodTakings[];
}

export interface DayTakings {
  day: string;
  currency: string;
  takingsMinor: number;
}

export interface MethodTakings {
  gateway: string;
  /** The method key, e.g. `wechat-qr`. */
  method: string;
  currency: string;
  paidCount: number;
  takingsMinor: number;
  takingsDisplay: string;
}

/** Daily totals per gateway and status, `from` to `to` (YYYY-MM-DD, both included). */
export function dailyReport(from: string, to: string, tz = 'local'): Promise<DailyReport> {
  return call<DailyReport>('daily_report', { request: { from, to, tz } });
}

export interface CustomerSale {
  amountDisplay: string;
  currency: string;
  status: OrderStatus;
  qrSvg: string | null;
}

/** All the customer display ever receives: the shop's name, and the sale if there is one. */
export interface CustomerView {
  shopName: string;
  sale: CustomerSale | null;
}

export function openCustomerDisplay(): Promise<void> {
  return call<void>('open_customer_display');
}

/** Tells the customer display which order to show (null: idle, the shop's name). */
export function customerDisplayShow(orderId: number | null): Promise<void> {
  return call<void>('customer_display_show', { orderId });
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

/** One currency's takings (the core's `CurrencyTakings`): money that arrived, refunds, what waits. */
export interface CurrencyTakings {
  currency: string;
  /** Orders that took money (paid, partially refunded, refunded). */
  paidCount: number;
  takenMinor: number;
  takenDisplay: string;
  refundedMinor: number;
  refundedDisplay: string;
  /** Taken minus refunded: the headline figure. */
  takingsMinor: number;
  takingsDisplay: string;
  /** Orders that could still be paid: shown apart, never summed in. */
  waitingCount: number;
  waitingMinor: number;
  waitingDisplay: string;
}

/** What a filter adds up to (`order_totals`, `paydesk totals --json`, the export's summary). */
export interface TotalsView {
  /** Every order the filter matched. */
  count: number;
  /** Counts over every currency. */
  waiting: number;
  failed: number;
  cancelled: number;
  expired: number;
  /** Currencies with any taken or waiting order, by code. Never mixed. */
  byCurrency: CurrencyTakings[];
}

/** Takings per currency and the counts of the orders that brought no money, for a filter. */
export function orderTotals(filter: FilterRequest): Promise<TotalsView> {
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

export interface ExportColumns {
  /** Every column an export can carry, in the export's order. */
  all: string[];
  default: string[];
}

export function exportColumns(): Promise<ExportColumns> {
  return call<ExportColumns>('export_columns');
}

export interface ExportRequest {
  filter: FilterRequest;
  columns: string[];
  /** UTC, local, or an offset such as +05:30. */
  zone: string;
  bom: boolean;
  /** A whole path; the core checks it and writes beside it first. */
  path: string;
  pin: string;
}

export interface ExportSummary {
  rows: number;
  bytes: number;
  path: string;
  /** What the exported orders add up to, as `order_totals` counts them (A: export.rs). */
  totals?: TotalsView;
}

export const EXPORT_PROGRESS_EVENT = 'export-progress';

/** Exports the filtered orders to a CSV file (owner PIN); progress comes as events. */
export function exportOrders(request: ExportRequest): Promise<ExportSummary> {
  return call<ExportSummary>('export_orders', {
    request: { ...request, filter: cleanFilter(request.filter), path: request.path.trim() },
  });
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
export async function chooseSavePath(defaultPath: string): Promise<string | null> {
  try {
    return await save({ defaultPath, filters: [{ name: 'CSV', extensions: ['csv'] }] });
  } catch (error) {
    throw toAppError(error);
  }
}

// ---- First start and the owner PIN (C1: setup.rs, owner.rs) ----

/** What the first-start setup starts from (`setup_state`). */
export interface SetupState {
  needed: boolean;
  shopName: string;
  currency: string;
  /** Method keys; empty = all. */
  methods: string[];
}

export function setupState(): Promise<SetupState> {
  return call<SetupState>('setup_state');
}

export interface CompleteSetupRequest {
  shopName: string;
  currency: string;
  pin: string;
  pinRepeat: string;
  /** Method keys, in the shop's order; at least one. */
  methods: string[];
}

/** Runs the first-start setup once: the core checks everything before it writes anything. */
export function completeSetup(request: CompleteSetupRequest): Promise<void> {
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

/** Where the ledger's backups are and how old the newest is. */
export interface BackupStatus {
  folder: string | null;
  last: string | null;
  /** RFC 3339, UTC. */
  lastAt: string | null;
  /** No backup, or the newest is older than a day. */
  stale: boolean;
  message: string;
}

export function backupStatus(): Promise<BackupStatus> {
  return call<BackupStatus>('backup_status');
}
