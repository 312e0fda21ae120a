import { type GatewayKey, hashGatewayKeySecret } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { isGatewayKeySecret } from './gateway-key-secret.js';

describe('isGatewayKeySecret', () => {
  it('knows active and retired gateway keys by their hash, and nothing else', () => {
    const snapshot = {
      gatewayKeysByHash: new Map([[hashGatewayKeySecret('pk-active'), {} as GatewayKey]]),
      retiredKeyHashes: new Set([hashGatewayKeySecret('pk-revoked')]),
    };
    expect(isGatewayKeySecret(snapshot, 'pk-active')).toBe(true);
    expect(isGatewayKeySecret(snapshot, 'pk-revoked')).toBe(true);
    expect(isGatewayKeySecret(snapshot, 'sk-provider')).toBe(false);
    expect(isGatewayKeySecret(snapshot, 'Bearer pk-active')).toBe(false);
  });

  it('is false on a gateway that never had a key', () => {
    expect(isGatewayKeySecret({ gatewayKeysByHash: new Map(), retiredKeyHashes: new Set() }, 'pk-any')).toBe(
      false,
    );
  });
});
