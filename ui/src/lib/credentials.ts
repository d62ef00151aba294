/**
 * The credential fields of each gateway (the core's vault.rs `credential_fields`). Secrets are
 * typed into password inputs; no value ever comes back from the core, only which fields are set.
 */
import type { CredentialStatus, Environment } from './bindings';
import { t, type MessageKey } from './i18n';

export const ENVIRONMENTS: readonly Environment[] = ['test', 'live'];

export interface CredentialField {
  name: string;
  /** In the owner's words, as the gateway's papers call it. */
  label: string;
  secret: boolean;
  required: boolean;
  /** Shown under Settings' Advanced section (connection details), not with the account. */
  advanced?: boolean;
}

export interface GatewayCredentials {
  gateway: string;
  label: string;
  fields: readonly CredentialField[];
}

/** A field; its `label` is read when shown, so it is in the window's language. */
const f = (name: string, label: MessageKey, secret: boolean, required: boolean, advanced = false): CredentialField => ({
  name,
  get label() {
    return t(label);
  },
  secret,
  required,
  advanced,
});

export const CREDENTIAL_GATEWAYS: readonly GatewayCredentials[] = [
  {
    gateway: 'iotpay',
    label: 'IOTPay',
    fields: [f('mchId', 'credentials.field.merchant_id', false, true), f('loginName', 'credentials.field.login_name', false, true, true), f('key', 'credentials.field.merchant_key', true, true)],
  },
  {
    gateway: 'smepay',
    label: 'SMEPay',
    fields: [f('clientId', 'credentials.field.client_id', false, true), f('clientSecret', 'credentials.field.client_secret', true, true)],
  },
  {
    gateway: 'smartpay',
    label: 'SmartPay',
    fields: [
      f('merchantKey', 'credentials.field.merchant_key', false, true),
      f('authenticationKey', 'credentials.field.authentication_key', true, false),
      f('clientId', 'credentials.field.client_id', false, false, true),
      f('clientSecret', 'credentials.field.client_secret', true, false, true),
    ],
  },
  {
    gateway: 'smartexpay',
    label: 'SmartExPay',
    fields: [f('partner', 'credentials.field.partner_id', false, false), f('apiKey', 'credentials.field.api_key', true, true)],
  },
];

export function credentialFields(gateway: string): readonly CredentialField[] {
  return CREDENTIAL_GATEWAYS.find((g) => g.gateway === gateway)?.fields ?? [];
}

/** The input type of a field: secrets are never shown as typed. */
export function inputType(field: CredentialField): 'password' | 'text' {
  return field.secret ? 'password' : 'text';
}

/** A field's label by its core name ("key" -> "Merchant key"); the name when unknown. */
export function fieldLabel(gateway: string, name: string): string {
  return credentialFields(gateway).find((field) => field.name === name)?.label ?? name;
}

/**
 * In the owner's words: "Ready", "Not set up yet", or what is missing by its label, with where
 * to find a field kept under Advanced ("Missing: Merchant key, Login name (jobNo) (Advanced)").
 */
export function statusText(status: CredentialStatus | undefined): string {
  if (!status || (status.fieldsSet.length === 0 && !status.configured)) return t('credentials.status.not_set_up');
  if (status.configured) return t('credentials.status.ready');
  if (status.missing.length === 0) return t('credentials.status.incomplete');
  const fields = credentialFields(status.gateway);
  const words = status.missing.map((name) => {
    const field = fields.find((x) => x.name === name);
    return field?.advanced ? t('credentials.advanced_field', { label: field.label }) : (field?.label ?? name);
  });
  return t('credentials.status.missing', { fields: words.join(t('common.list_separator')) });
}

/** The fields shown with the account (`advanced` false) or under Advanced (`advanced` true). */
export function accountFields(gateway: string, advanced: boolean): readonly CredentialField[] {
  return credentialFields(gateway).filter((field) => (field.advanced ?? false) === advanced);
}

export function findStatus(list: readonly CredentialStatus[], gateway: string, env: Environment): CredentialStatus | undefined {
  return list.find((s) => s.gateway === gateway && s.environment === env);
}

/**
 * The fields to send: only those typed (trimmed ones that are not blank), and only the
 * gateway's own. Null when nothing was typed.
 */
export function fieldsToSave(
  gateway: string,
  typed: Record<string, string>,
  only?: readonly CredentialField[],
): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const field of only ?? credentialFields(gateway)) {
    const value = typed[field.name];
    if (value !== undefined && value.trim() !== '') out[field.name] = value;
  }
  return Object.keys(out).length > 0 ? out : null;
}
