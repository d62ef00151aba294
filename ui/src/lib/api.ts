/** Typed bindings to the Paydesk core's Tauri commands and events. */
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { open } from '@tauri-apps/plugin-shell';
import { toAppError } from './errors';
import type { OrderStatus } from './status';
import type { CredentialStatus, Environment } from './credentials';

export type { AppError } from './errors';
export type { OrderStatus } from './status';
export type { CredentialStatus, Environment } from './credentials';

export type Mode = 'sandbox' | 'test' | 'live';

export interface AppInfo {
  mode: Mode;
  dataDir: string;
  defaultCurrency: string;
  sandboxUrl: string | null;
  version: string;
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
}

export interface OrderEvent {
  at: string;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  /** create | poll | notify | reconcile | user */
  source: string;
  gatewayStatus: string | null;
  note: string | null;
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

export interface OrderFilter {
  status?: string;
  gateway?: string;
  search?: string;
  limit?: number;
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

/** Orders newest first. Empty filter values are left out rather than sent as "". */
export function listOrders(filter: OrderFilter = {}): Promise<OrderView[]> {
  const clean: OrderFilter = {};
  if (filter.status) clean.status = filter.status;
  if (filter.gateway) clean.gateway = filter.gateway;
  const search = filter.search?.trim();
  if (search) clean.search = search;
  if (filter.limit !== undefined) clean.limit = filter.limit;
  return call<OrderView[]>('list_orders', { filter: clean });
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
