import { describe, expect, it } from 'vitest';
import { headerOverridesOf } from './header-overrides.js';
import { parseRequestHeaders } from './parse-request-headers.js';

describe('headerOverridesOf', () => {
  it('maps headers to config keys: timeout, host, forward headers, provider, key and provider options', () => {
    const parsed = parseRequestHeaders({
      'x-portkey-request-timeout': '1500',
      'x-portkey-custom-host': 'http://localhost:11434/v1',
      'x-portkey-forward-headers': 'x-a,x-b',
      'x-portkey-provider': 'azure-openai',
      'x-portkey-azure-resource-name': 'res',
      'x-portkey-azure-deployment-id': 'dep',
      'x-portkey-azure-api-version': '2024-10-21',
      'x-portkey-aws-region': 'us-east-1',
      'x-portkey-vertex-service-account-json': '{"type":"service_account"}',
      authorization: 'Bearer sk-caller',
    });
    expect(headerOverridesOf(parsed)).toEqual({
      request_timeout: 1500,
      custom_host: 'http://localhost:11434/v1',
      forward_headers: ['x-a', 'x-b'],
      provider: 'azure-openai',
      resource_name: 'res',
      deployment_id: 'dep',
      api_version: '2024-10-21',
      aws_region: 'us-east-1',
      vertex_service_account_json: { type: 'service_account' },
      api_key: 'sk-caller',
    });
  });

  it('passes the default guardrails headers on, as written', () => {
    const input = [{ 'default.contains': { operator: 'none', words: ['x'] }, deny: true }];
    const parsed = parseRequestHeaders({
      'x-portkey-default-input-guardrails': JSON.stringify(input),
      'x-portkey-default-output-guardrails': '["pg-1"]',
    });
    expect(headerOverridesOf(parsed)).toEqual({
      default_input_guardrails: input,
      default_output_guardrails: ['pg-1'],
    });
  });

  it('never takes the gateway key in Authorization for a provider key', () => {
    const parsed = parseRequestHeaders({ authorization: 'Bearer pk-gateway' });
    expect(headerOverridesOf(parsed, { authorizationIsGatewayKey: true }).api_key).toBeUndefined();
    expect(headerOverridesOf(parsed).api_key).toBe('pk-gateway');
    // With the gateway key in Authorization, a provider key in x-api-key (or api-key) still counts.
    const viaXApiKey = parseRequestHeaders({ authorization: 'Bearer pk-gateway', 'x-api-key': 'sk-ant' });
    expect(headerOverridesOf(viaXApiKey, { authorizationIsGatewayKey: true }).api_key).toBe('sk-ant');
  });

  it('with the gateway’s test, never takes a gateway key in any header for a provider key', () => {
    const secrets = new Set(['pk-team-b', 'pk-admin']);
    const isGatewaySecret = (value: string) => secrets.has(value);
    const parsed = parseRequestHeaders({
      'x-portkey-api-key': 'pk-own',
      authorization: 'Bearer pk-team-b',
      'x-api-key': 'pk-admin',
      'api-key': 'sk-caller',
    });
    expect(headerOverridesOf(parsed).api_key).toBe('pk-team-b');
    expect(headerOverridesOf(parsed, { isGatewaySecret }).api_key).toBe('sk-caller');
    const onlySecrets = parseRequestHeaders({ authorization: 'Bearer pk-own', 'x-api-key': 'pk-admin' });
    expect(
      headerOverridesOf(onlySecrets, { authorizationIsGatewayKey: true, isGatewaySecret }),
    ).not.toHaveProperty('api_key');
  });

  it('with the gateway key in Authorization, DUMMY-KEY in x-api-key is no provider key either', () => {
    const parsed = parseRequestHeaders({
      authorization: 'Bearer pk-gateway',
      'x-api-key': 'DUMMY-KEY',
      'api-key': 'sk-azure',
    });
    expect(headerOverridesOf(parsed, { authorizationIsGatewayKey: true }).api_key).toBe('sk-azure');
  });
});
