import type { Config } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { breakerKeyParts, configIdentityOf } from './config-identity.js';

describe('configIdentityOf', () => {
  const inline: Config = { id: 'pc-prod', strategy: { mode: 'fallback' }, targets: [{ virtual_key: 'a' }] };

  it('names a saved config by its stored id, whatever its content says', () => {
    expect(configIdentityOf({ config: inline, savedId: 'pc-other', tenant: 'team-a' })).toBe(
      'saved:pc-other',
    );
  });

  it('names an inline config by the tenant and a hash of its content, never by the id it writes', () => {
    const identity = configIdentityOf({ config: inline, savedId: undefined, tenant: 'team-a' });
    expect(identity).toMatch(/^inline:team-a:[0-9a-f]{32}$/);
    expect(identity).not.toContain('pc-prod');
    expect(configIdentityOf({ config: inline, savedId: undefined, tenant: 'team-b' })).not.toBe(identity);
    const reordered: Config = {
      targets: [{ virtual_key: 'a' }],
      strategy: { mode: 'fallback' },
      id: 'pc-prod',
    };
    expect(configIdentityOf({ config: reordered, savedId: undefined, tenant: 'team-a' })).toBe(identity);
  });

  it('has a fixed identity for a request with no config', () => {
    expect(configIdentityOf({ config: undefined, savedId: undefined, tenant: 'team-a' })).toBe('headers');
  });
});

describe('breakerKeyParts', () => {
  const inline: Config = { strategy: { mode: 'fallback' }, targets: [{ virtual_key: 'a' }] };

  it('reads back the saved config and target path of a breaker key', () => {
    expect(breakerKeyParts('saved:pc-prod-1a2b:config.targets[1].targets[0]')).toEqual({
      kind: 'saved',
      slug: 'pc-prod-1a2b',
      path: 'config.targets[1].targets[0]',
    });
  });

  it("reads back an inline config's owner and hash, whatever characters the owner's id has", () => {
    const identity = configIdentityOf({ config: inline, savedId: undefined, tenant: 'team:a' });
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
