import type { Config } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { configIdentityOf } from './config-identity.js';

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
