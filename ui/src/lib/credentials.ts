/**
 * The credential fields of each gateway (the core's vault.rs `credential_fields`). Secrets are
 * typed into password inputs; no value ever comes back from the core, only which fields are set.
 */
export type Environment = 'test' | 'live';

export const ENVIRONMENTS: readonly Environment[] = ['test', 'live'];

export interface CredentialField {
  name: string;
  label: string;
  secret: boolean;
  required: boolean;
}

export interface GatewayCredentials {
  gateway: string;
  label: string;
  fields: readonly CredentialField[];
}

const f = (name: string, label: string, secret: boolean, required: boolean): CredentialField => ({
  name,
  label,
  secret,
  required,
});

export const CREDENTIAL_GATEWAYS: readonly GatewayCredentials[] = [
  {
    gateway: 'iotpay',
    label: 'IOTPay',
    fields: [f('mchId', 'Merchant ID', false, true), f('loginName', 'Login name (jobNo)', false, true), f('key', 'Merchant key', true, true)],
  },
  {
    gateway: 'smepay',
    label: 'SMEPay',
    fields: [f('clientId', 'Client ID', false, true), f('clientSecret', 'Client secret', true, true)],
  },
  {
    gateway: 'smartpay',
    label: 'SmartPay',
    fields: [
      f('merchantKey', 'Merchant key', false, true),
      f('authenticationKey', 'Authentication key (Basic auth)', true, false),
      f('clientId', 'OAuth client ID', false, false),
      f('clientSecret', 'OAuth client secret', true, false),
    ],
  },
  {
    gateway: 'smartexpay',
    label: 'SmartExPay',
    fields: [f('partner', 'Partner ID', false, false), f('apiKey', 'API key', true, true)],
  },
];

/** What the core says of one gateway + environment: which fields are set, never values. */
export interface CredentialStatus {
  gateway: string;
  environment: Environment;
  configured: boolean;
  fieldsSet: string[];
  missing: string[];
}

export function credentialFields(gateway: string): readonly CredentialField[] {
  return CREDENTIAL_GATEWAYS.find((g) => g.gateway === gateway)?.fields ?? [];
}

/** The input type of a field: secrets are never shown as typed. */
export function inputType(field: CredentialField): 'password' | 'text' {
  return field.secret ? 'password' : 'text';
}

/** "configured", "incomplete: missing key, mchId" or "not set". */
export function statusText(status: CredentialStatus | undefined): string {
  if (!status || (status.fieldsSet.length === 0 && !status.configured)) return 'not set';
  if (status.configured) return 'configured';
  return status.missing.length > 0 ? `incomplete: missing ${status.missing.join(', ')}` : 'incomplete';
}

export function findStatus(list: readonly CredentialStatus[], gateway: string, env: Environment): CredentialStatus | undefined {
  return list.find((s) => s.gateway === gateway && s.environment === env);
}

/**
 * The fields to send: only those typed (trimmed ones that are not blank), and only the
 * gateway's own. Null when nothing was typed.
 */
export function fieldsToSave(gateway: string, typed: Record<string, string>): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const field of credentialFields(gateway)) {
    const value = typed[field.name];
    if (value !== undefined && value.trim() !== '') out[field.name] = value;
  }
  return Object.keys(out).length > 0 ? out : null;
}
