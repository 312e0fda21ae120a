import { Secret } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { gatewayKeyCredentialField } from './stored-credentials.js';

const GATEWAY_KEY = 'pk-gateway-key-0123456789';
const isGatewayKey = (secret: string): boolean => secret === GATEWAY_KEY;

describe('gatewayKeyCredentialField', () => {
  it('names the api key or credential option holding a gateway key, bare, as Bearer or in a Secret', () => {
    expect(gatewayKeyCredentialField({ apiKey: GATEWAY_KEY }, isGatewayKey)).toBe('api_key');
    expect(gatewayKeyCredentialField({ apiKey: new Secret(`Bearer ${GATEWAY_KEY}`) }, isGatewayKey)).toBe(
      'api_key',
    );
    expect(
      gatewayKeyCredentialField(
        { apiKey: 'sk-own', options: { aws_region: GATEWAY_KEY, azure_ad_token: new Secret(GATEWAY_KEY) } },
        isGatewayKey,
      ),
    ).toBe('azure_ad_token');
  });

  it('looks into a service-account key file kept as JSON text', () => {
    const file = JSON.stringify({ type: 'service_account', private_key: GATEWAY_KEY });
    expect(gatewayKeyCredentialField({ options: { vertex_service_account_json: file } }, isGatewayKey)).toBe(
      'vertex_service_account_json',
    );
  });

  it('finds nothing in the provider’s own credentials, a non-credential option or the SDK’s placeholder', () => {
    expect(
      gatewayKeyCredentialField(
        { apiKey: 'sk-own', options: { resource_name: GATEWAY_KEY, aws_session_token: null } },
        isGatewayKey,
      ),
    ).toBeUndefined();
    expect(gatewayKeyCredentialField({ apiKey: 'DUMMY-KEY' }, () => true)).toBeUndefined();
  });
});
