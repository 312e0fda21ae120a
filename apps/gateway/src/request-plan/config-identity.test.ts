import type { Config } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { breakerKeyParts, configIdentityOf } from './config-identity.js';

describe('configIdentityOf', () => {
  const inline: Config = { id: 'pc-prod', strategy: { mode: 'fallback' }, targets: [{ virtual_key: 'a' }] };

  it('names a saved config by its stored id, whatever its content says, and the tenant sending it', () => {
    expect(configIdentityOf({ config: inline, savedId: 'pc-other', keyId: 'key-a', tenant: 'team-a' })).toBe(
      'saved:team-a:pc-other',
    );
    // Another tenant's requests through the same config have breakers of their own.
    expect(configIdentityOf({ config: inline, savedId: 'pc-other', keyId: 'key-b', tenant: 'team-b' })).toBe(
      'saved:team-b:pc-other',
    );
  });

  it('names an inline config by the key that sent it and a hash of its content, never by the id it writes', () => {
    const identity = configIdentityOf({ config: inline, savedId: undefined, keyId: 'team-a', tenant: 't' });
    expect(identity).toMatch(/^inline:team-a:[0-9a-f]{32}$/);
    expect(identity).not.toContain('pc-prod');
    expect(configIdentityOf({ config: inline, savedId: undefined, keyId: 'team-b', tenant: 't' })).not.toBe(
      identity,
    );
    const reordered: Config = {
      targets: [{ virtual_key: 'a' }],
      strategy: { mode: 'fallback' },
      id: 'pc-prod',
    };
    expect(configIdentityOf({ config: reordered, savedId: undefined, keyId: 'team-a', tenant: 't' })).toBe(
      identity,
    );
  });

  it('has a fixed identity for a request with no config', () => {
    expect(configIdentityOf({ config: undefined, savedId: undefined, keyId: 'team-a', tenant: 't' })).toBe(
      'headers',
    );
  });
});

describe('breakerKeyParts', () => {
  const inline: Config = { strategy: { mode: 'fallback' }, targets: [{ virtual_key: 'a' }] };

  it('reads back the saved config and target path of a breaker key', () => {
    expect(breakerKeyParts('saved:team-a:pc-prod-1a2b:config.targets[1].targets[0]')).toEqual({
      kind: 'saved',
      tenant: 'team-a',
      slug: 'pc-prod-1a2b',
      path: 'config.targets[1].targets[0]',
    });
  });

  it('reads back a saved config’s key from before breakers were per tenant, without a tenant', () => {
    expect(breakerKeyParts('saved:pc-1:config.targets[0]')).toEqual({
      kind: 'saved',
      slug: 'pc-1',
      path: 'config.targets[0]',
    });
  });

  it("reads back an inline config's owner and hash, whatever characters the owner's id has", () => {
    const identity = configIdentityOf({ config: inline, savedId: undefined, keyId: 'team:a', tenant: 't' });
    const parts = breakerKeyParts(`${identity}:config.targets[0]`);
    expect(parts).toEqual({
      kind: 'inline',
      owner: 'team:a',
      hash: identity.slice(-32),
      path: 'config.targets[0]',
    });
  });

  it.each([
    'headers:config',
    'saved::config',
    'saved:pc-1',
    'inline:team-a:not-a-hash:config.targets[0]',
    'other-software:key',
    '',
  ])('leaves a key of another shape unread: %j', (key) => {
    expect(breakerKeyParts(key)).toBeUndefined();
  });
});
