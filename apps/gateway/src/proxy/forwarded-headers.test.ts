import { type GatewayKey, hashGatewayKeySecret } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { forwardedHeadersOf, gatewaySecretTestOf } from './forwarded-headers.js';

const ACTIVE = 'pk-active-key';
const RETIRED = 'pk-retired-key';
const snapshot = {
  gatewayKeysByHash: new Map([[hashGatewayKeySecret(ACTIVE), {} as GatewayKey]]),
  retiredKeyHashes: new Set([hashGatewayKeySecret(RETIRED)]),
};

describe('forwarded headers of a request', () => {
  it('leaves out a header carrying a gateway key, active or retired, or DUMMY-KEY', () => {
    const isGatewaySecret = gatewaySecretTestOf(snapshot, {});
    for (const value of [`Bearer ${ACTIVE}`, ACTIVE, `bearer ${RETIRED}`, 'Bearer DUMMY-KEY']) {
      const headers = {
        authorization: value,
        'x-api-key': value,
        'x-my-auth': value,
        'x-custom-trace': 't-1',
      };
      const names = ['Authorization', 'x-api-key', 'x-my-auth', 'x-custom-trace'];
      expect(forwardedHeadersOf(names, headers, isGatewaySecret)).toEqual({ 'x-custom-trace': 't-1' });
    }
  });

  it('leaves out the x-portkey-api-key this request used, even on a gateway without keys', () => {
    const keyless = { gatewayKeysByHash: new Map(), retiredKeyHashes: new Set<string>() };
    const headers = { 'x-portkey-api-key': 'pk-any', authorization: 'Bearer pk-any', 'api-key': 'pk-any' };
    const isGatewaySecret = gatewaySecretTestOf(keyless, headers);
    expect(forwardedHeadersOf(['authorization', 'api-key'], headers, isGatewaySecret)).toEqual({});
  });

  it('forwards a provider key of the caller’s own and headers that carry no credential', () => {
    const headers = { authorization: 'Bearer sk-own', 'x-team': 'blue', 'x-list': ['a', 'b'] };
    const isGatewaySecret = gatewaySecretTestOf(snapshot, headers);
    expect(
      forwardedHeadersOf(['authorization', 'x-team', 'x-list', 'x-absent'], headers, isGatewaySecret),
    ).toEqual({ authorization: 'Bearer sk-own', 'x-team': 'blue', 'x-list': 'a, b' });
  });
});
