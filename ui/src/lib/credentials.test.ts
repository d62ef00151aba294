import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_GATEWAYS,
  accountFields,
  credentialFields,
  fieldLabel,
  fieldsToSave,
  findStatus,
  inputType,
  statusText,
} from './credentials';
import type { CredentialStatus } from './bindings';

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

  it('reads as ready, missing (by label, saying where) or not set up', () => {
    expect(statusText(undefined)).toBe('Not set up yet');
    expect(statusText(status())).toBe('Not set up yet');
    expect(statusText(status({ fieldsSet: ['mchId'], missing: ['loginName', 'key'] }))).toBe(
      'Missing: Login name (jobNo) (Advanced), Merchant key',
    );
    expect(statusText(status({ configured: true, fieldsSet: ['mchId', 'loginName', 'key'], missing: [] }))).toBe('Ready');
  });

  it('keeps connection details under Advanced', () => {
    expect(accountFields('iotpay', false).map((x) => x.name)).toEqual(['mchId', 'key']);
    expect(accountFields('iotpay', true).map((x) => x.name)).toEqual(['loginName']);
    expect(accountFields('smartpay', true).map((x) => x.name)).toEqual(['clientId', 'clientSecret']);
    expect(fieldLabel('iotpay', 'key')).toBe('Merchant key');
    expect(fieldLabel('iotpay', 'nope')).toBe('nope');
    expect(fieldsToSave('iotpay', { mchId: '1', loginName: 'l' }, accountFields('iotpay', true))).toEqual({ loginName: 'l' });
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
