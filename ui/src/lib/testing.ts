/** What the unit tests share: a plausible order as the core sends it, to vary field by field. */
import type { OrderView } from './api';

/** A pending 12.50 CAD WeChat order at IOTPay's test host, no payment link yet; `fields` override. */
export function sampleView(fields: Partial<OrderView> = {}): OrderView {
  return {
    id: 1,
    merchantOrderNo: 'PD-0001',
    gateway: 'iotpay',
    method: 'wechat-qr',
    environment: 'test',
    amountMinor: 1250,
    currency: 'CAD',
    amountDisplay: '12.50',
    status: 'pending',
    gatewayStatus: null,
    gatewayStatusLabel: null,
    gatewayStatusKey: null,
    unknownGatewayWord: null,
    reason: null,
    reasonKey: null,
    gatewayOrderId: null,
    paymentUrl: null,
    refundedMinor: 0,
    tipMinor: 0,
    tipDisplay: null,
    saleDisplay: '12.50',
    tipRefundedMinor: 0,
    paymentPayload: null,
    createdAt: '2026-12-06T10:00:00Z',
    updatedAt: '2026-12-06T10:00:00Z',
    expiresAt: null,
    customer: null,
    counter: null,
    staff: null,
    ...fields,
  };
}
