import type { OrderStatus } from './bindings';
import { isMessageKey, language, t, tIn, type Language, type MessageKey } from './i18n';
import { DEFAULT_LANGUAGE } from './i18n/catalogues';

export type StatusTone = 'success' | 'danger' | 'neutral' | 'waiting';

interface StatusInfo {
  label: MessageKey;
  tone: StatusTone;
  final: boolean;
}

const STATUS: Record<OrderStatus, StatusInfo> = {
  created: { label: 'status.created', tone: 'waiting', final: false },
  pending: { label: 'status.pending', tone: 'waiting', final: false },
  authorized: { label: 'status.authorized', tone: 'waiting', final: false },
  paid: { label: 'status.paid', tone: 'success', final: true },
  failed: { label: 'status.failed', tone: 'danger', final: true },
  expired: { label: 'status.expired', tone: 'neutral', final: true },
  cancelled: { label: 'status.cancelled', tone: 'neutral', final: true },
  voided: { label: 'status.voided', tone: 'neutral', final: true },
  partially_refunded: { label: 'status.partially_refunded', tone: 'neutral', final: true },
  refunded: { label: 'status.refunded', tone: 'neutral', final: true },
};

/** Every status, in lifecycle order (for filters). */
export const ORDER_STATUSES = Object.keys(STATUS) as OrderStatus[];

export function isOrderStatus(value: string): value is OrderStatus {
  return Object.prototype.hasOwnProperty.call(STATUS, value);
}

/**
 * Human label shown to the cashier, in `lang` (default: the window's); unknown statuses are
 * shown verbatim.
 */
export function statusLabel(status: string, lang: Language = language.window): string {
  return isOrderStatus(status) ? tIn(lang, STATUS[status].label) : status;
}

export function statusTone(status: string): StatusTone {
  return isOrderStatus(status) ? STATUS[status].tone : 'neutral';
}

/**
 * True once the payment attempt has concluded at the counter: the customer can no longer
 * pay this order (paid, failed, expired, cancelled, or later refund/void states).
 */
export function isFinal(status: string): boolean {
  return isOrderStatus(status) && STATUS[status].final;
}

/**
 * What an order means for the till, mirroring the core's `OrderStatus::money_class`: only
 * `taken` money counts in takings; waiting, failed, cancelled and expired are shown apart.
 */
export type MoneyClass = 'taken' | 'waiting' | 'failed' | 'cancelled' | 'expired';

const MONEY_CLASS: Record<OrderStatus, MoneyClass> = {
  created: 'waiting',
  pending: 'waiting',
  authorized: 'waiting',
  paid: 'taken',
  failed: 'failed',
  expired: 'expired',
  cancelled: 'cancelled',
  voided: 'cancelled',
  partially_refunded: 'taken',
  refunded: 'taken',
};

/** The money class of a status; an unknown status is treated as waiting (never as taken). */
export function moneyClass(status: string): MoneyClass {
  return isOrderStatus(status) ? MONEY_CLASS[status] : 'waiting';
}

// ---- Words for the owner's screens (Orders, the detail): what a status means to a cashier ----

export interface Badge {
  label: string;
  tone: StatusTone;
  /** The longer sentence: the badge's tooltip and the detail's line under it. */
  meaning: string;
}

const MEANING: Record<OrderStatus, MessageKey> = {
  created: 'status.meaning.created',
  pending: 'status.meaning.pending',
  authorized: 'status.meaning.authorized',
  paid: 'status.meaning.paid',
  failed: 'status.meaning.failed',
  expired: 'status.meaning.expired',
  cancelled: 'status.meaning.cancelled',
  voided: 'status.meaning.voided',
  partially_refunded: 'status.meaning.partially_refunded',
  refunded: 'status.meaning.refunded',
};

/** A badge's word where the status's own is long for a list column (the meaning says the rest). */
const SHORT: Partial<Record<string, MessageKey>> = {
  created: 'status.waiting',
  pending: 'status.waiting',
};

/** "declined by the customer's wallet" -> "Declined by the customer's wallet". */
export function sentenceCase(text: string): string {
  const trimmed = text.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

/**
 * Whether the core's reason says the customer's side refused: declined by a wallet or a card
 * network, or cancelled by the customer in their wallet (either way the cashier must notice).
 */
export function isDecline(reason: string | null | undefined): boolean {
  return typeof reason === 'string' && (/^\s*declined\b/i.test(reason) || /\bby the customer\b/i.test(reason));
}

/**
 * Why an order ended, in words: in English the core's reason itself; in another language the
 * catalogue's message for its key (a gateway word's, or Paydesk's own per status), the core's
 * English where the key is unknown. Null without a reason. (isDecline reads the English reason,
 * which the core always sends.)
 */
export function reasonWords(
  order: { reason?: string | null; reasonKey?: string | null },
  lang: Language = language.window,
): string | null {
  const said = order.reason?.trim() ? order.reason : null;
  if (!said || lang === DEFAULT_LANGUAGE) return said;
  const key = order.reasonKey;
  return key && isMessageKey(key) ? tIn(lang, key) : said;
}

/**
 * The badge of an order: its status in words, except that a declined order says so in red
 * ("Declined", meaning "Declined by the customer's wallet") rather than a grey "Cancelled"; the
 * core's reason, when there is one, is the meaning.
 */
export function orderBadge(order: { status: string; reason?: string | null; reasonKey?: string | null }): Badge {
  const status = order.status;
  const words = reasonWords(order);
  const reason = words ? sentenceCase(words) : null;
  if (isDecline(order.reason) && (status === 'cancelled' || status === 'failed')) {
    return { label: t('status.declined'), tone: 'danger', meaning: reason ?? t('status.declined_meaning') };
  }
  const meaning = t(isOrderStatus(status) ? MEANING[status] : 'status.unknown_meaning');
  const short = SHORT[status];
  return { label: short ? t(short) : statusLabel(status), tone: statusTone(status), meaning: reason ?? meaning };
}

export interface TimelineEvent {
  fromStatus: string | null;
  toStatus: string;
  source: string;
  label?: string;
  changed?: boolean;
  /** The catalogue key of the gateway's word the core's label says after the change. */
  gatewayStatusKey?: string | null;
  /** The gateway's word itself when no table of the core knows it. */
  unknownGatewayWord?: string | null;
}

/**
 * The timeline shows changes only: a repeated poll (the status did not move) is left out. The
 * core says so (`changed`); an older core's events are compared by status.
 */
export function timelineEvents<T extends TimelineEvent>(events: readonly T[]): T[] {
  return events.filter((e) => (e.changed ?? e.fromStatus !== e.toStatus) !== false);
}

/** What the core gives to say a gateway's word in any language: its catalogue key, its word. */
export interface GatewaySaid {
  gatewayStatusKey?: string | null;
  unknownGatewayWord?: string | null;
}

/**
 * A gateway's word in `lang`, by the catalogue key the core gives ("gateway_word.smepay.initiated"
 * -> "en attente du client"; "gateway_word.unknown" with the word itself); null without a key
 * the catalogues know.
 */
export function gatewayWordText(said: GatewaySaid, lang: Language = language.window): string | null {
  const key = said.gatewayStatusKey;
  if (!key || !isMessageKey(key)) return null;
  if (key === 'gateway_word.unknown') return tIn(lang, 'gateway_word.unknown', { word: said.unknownGatewayWord ?? '' });
  return tIn(lang, key);
}

/**
 * What the gateway last said of an order, in words: in English the core's label itself, in
 * another language the catalogue's message for its key (the core's label when there is none).
 */
export function gatewayStatusWords(
  order: GatewaySaid & { gatewayStatusLabel: string | null },
  lang: Language = language.window,
): string | null {
  if (!order.gatewayStatusLabel) return null;
  if (lang === DEFAULT_LANGUAGE) return order.gatewayStatusLabel;
  return gatewayWordText(order, lang) ?? order.gatewayStatusLabel;
}

/** The change part of an event, as the core words it: "Sale started", "Checked again: still …". */
function eventChange(event: TimelineEvent, lang: Language): string {
  const to = statusLabel(event.toStatus, lang);
  const lower = to.toLocaleLowerCase(lang);
  if (event.fromStatus === null || event.fromStatus === undefined) {
    return event.toStatus === 'created' ? tIn(lang, 'status.event.started') : tIn(lang, 'status.event.started_as', { status: lower });
  }
  const changed = event.changed ?? event.fromStatus !== event.toStatus;
  return changed ? to : tIn(lang, 'status.event.still', { status: lower });
}

/**
 * A change in words. In English, the core's label ("Paid: paid (test mode)"); in another
 * language the same sentence from the catalogues: the change from the statuses, then the
 * gateway's word by its key ("Payée : payée (mode test)"). Without a label from the core:
 * "Waiting for payment → Paid".
 */
export function changeWords(event: TimelineEvent, lang: Language = language.window): string {
  if (event.label && event.label.trim() !== '') {
    if (lang === DEFAULT_LANGUAGE) return sentenceCase(event.label);
    const said = gatewayWordText(event, lang);
    // A key this window does not know: the core's English sentence, whole.
    if (event.gatewayStatusKey && said === null) return sentenceCase(event.label);
    const change = eventChange(event, lang);
    return sentenceCase(said === null ? change : tIn(lang, 'status.event.said', { change, said }));
  }
  if (event.fromStatus && event.fromStatus !== event.toStatus) {
    return tIn(lang, 'status.change', { from: statusLabel(event.fromStatus, lang), to: statusLabel(event.toStatus, lang) });
  }
  return statusLabel(event.toStatus, lang);
}

/** Where a change came from, in words: "checked with IOTPay", never a POLL tag. */
export function sourceWords(source: string, gatewayName: string): string {
  switch (source) {
    case 'create':
      return t('status.source.create');
    case 'poll':
      return t('status.source.poll', { gateway: gatewayName });
    case 'notify':
      return t('status.source.notify', { gateway: gatewayName });
    case 'reconcile':
      return t('status.source.reconcile', { gateway: gatewayName });
    case 'user':
      return t('status.source.user');
    default:
      return '';
  }
}
