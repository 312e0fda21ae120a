import { describe, expect, it } from 'vitest';
import { selectProviderKey, stripBearer } from './provider-key.js';

const GATEWAY_SECRETS = new Set(['pk-team-b', 'pk-admin', 'pk-revoked']);
const isGatewaySecret = (value: string) => GATEWAY_SECRETS.has(value);

describe('selectProviderKey', () => {
  it('takes authorization, else x-api-key, else api-key, skipping the gateway key and DUMMY-KEY', () => {
    expect(selectProviderKey({ authorization: 'Bearer sk-a', xApiKey: 'sk-b', apiKey: 'sk-c' })).toEqual({
      key: 'sk-a',
      header: 'authorization',
    });
    expect(
      selectProviderKey({
        authorization: 'Bearer pk-own',
        xApiKey: 'DUMMY-KEY',
        apiKey: 'sk-c',
        gatewayKey: 'pk-own',
      }),
    ).toEqual({ key: 'sk-c', header: 'api-key' });
    expect(selectProviderKey({ authorization: '', xApiKey: '' })).toBeUndefined();
  });

  it('skips a value the gateway calls one of its secrets and tries the next header', () => {
    expect(
      selectProviderKey({ authorization: 'Bearer pk-team-b', xApiKey: 'sk-ant', isGatewaySecret }),
    ).toEqual({ key: 'sk-ant', header: 'x-api-key' });
    expect(
      selectProviderKey({
        authorization: 'bearer pk-own',
        xApiKey: 'pk-admin',
        apiKey: 'sk-azure',
        gatewayKey: 'pk-own',
        isGatewaySecret,
      }),
    ).toEqual({ key: 'sk-azure', header: 'api-key' });
    expect(selectProviderKey({ apiKey: 'pk-revoked', isGatewaySecret })).toBeUndefined();
    expect(
      selectProviderKey({
        authorization: 'Bearer pk-team-b',
        xApiKey: 'pk-admin',
        apiKey: 'pk-revoked',
        isGatewaySecret,
      }),
    ).toBeUndefined();
  });

  it('without the test, a value that is not the request’s own gateway key is still taken (the SDK in process)', () => {
    expect(selectProviderKey({ xApiKey: 'pk-admin' })).toEqual({ key: 'pk-admin', header: 'x-api-key' });
  });

  it('asks the test only about the values it reaches, never about the placeholder or the own key', () => {
    const asked: string[] = [];
    const recording = (value: string) => {
      asked.push(value);
      return isGatewaySecret(value);
    };
    selectProviderKey({
      authorization: 'Bearer DUMMY-KEY',
      xApiKey: 'pk-own',
      apiKey: 'sk-c',
      gatewayKey: 'pk-own',
      isGatewaySecret: recording,
    });
    expect(asked).toEqual(['sk-c']);
  });
});

describe('a bare Bearer scheme', () => {
  it('is no key: the next header is tried, and with none there is no provider key', () => {
    for (const authorization of ['Bearer', 'bearer', 'Bearer ', ' BEARER  ']) {
      expect(stripBearer(authorization), authorization).toBe('');
      expect(selectProviderKey({ authorization, xApiKey: 'sk-ant' }), authorization).toEqual({
        key: 'sk-ant',
        header: 'x-api-key',
      });
      expect(selectProviderKey({ authorization }), authorization).toBeUndefined();
    }
    expect(stripBearer('Bearer sk-a')).toBe('sk-a');
    expect(stripBearer('Bearers')).toBe('Bearers');
  });
});
