import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_GATEWAYS,
  credentialFields,
  fieldsToSave,
  findStatus,
  inputType,
  statusText,
  type CredentialStatus,
} from './credentials';

describe('credential field table', () => {
  it("lists each gateway's fields as the core names them", () => {
    const names = Object.fromEntries(CREDENTIAL_GATEWAYS.map((g) => [g.gateway, g.fields.map((f) => f.name)]));
    expect(names).toEqual({
      iotpay: ['mchId', 'loginName', 'key'],
      smepay: ['clientId', 'clientSecret'],
      smartpay: ['merchantKey', 'authenticationKey', 'clientId', 'clientSecret'],
      smartexpay: ['partner', 'apiKey'],
    });
  });

  it('types secrets into password inputs and the rest into text inputs', () => {
    const secrets = CREDENTIAL_GATEWAYS.flatMap((g) => g.fields.filter((f) => f.secret).map((f) => `${g.gateway}.${f.name}`));
    expect(secrets).toEqual([
      'iotpay.key',
      'smepay.clientSecret',
      'smartpay.authenticationKey',
      'smartpay.clientSecret',
      'smartexpay.apiKey',
    ]);
    expect(credentialFields('iotpay').map(inputType)).toEqual(['text', 'text', 'password']);
    expect(credentialFields('nope')).toEqual([]);
  });
});

describe('credential status', () => {
  const status = (over: Partial<CredentialStatus> = {}): CredentialStatus => ({
    gateway: 'iotpay',
    environment: 'test',
    configured: false,
    fieldsSet: [],
    missing: ['mchId', 'loginName', 'key'],
    ...over,
  });

  it('reads as configured, incomplete or not set', () => {
    expect(statusText(undefined)).toBe('not set');
    expect(statusText(status())).toBe('not set');
    expect(statusText(status({ fieldsSet: ['mchId'], missing: ['loginName', 'key'] }))).toBe('incomplete: missing loginName, key');
    expect(statusText(status({ configured: true, fieldsSet: ['mchId', 'loginName', 'key'], missing: [] }))).toBe('configured');
  });

  it('finds the status of one gateway and environment', () => {
    const list = [status(), status({ environment: 'live', configured: true, missing: [] })];
    expect(findStatus(list, 'iotpay', 'live')?.configured).toBe(true);
    expect(findStatus(list, 'smepay', 'test')).toBeUndefined();
  });

  it('sends only the fields typed, and only the gateway own', () => {
    expect(fieldsToSave('iotpay', { mchId: '100', loginName: ' ', key: 'k', other: 'x' })).toEqual({ mchId: '100', key: 'k' });
    expect(fieldsToSave('iotpay', { mchId: '', key: '   ' })).toBeNull();
  });
});
