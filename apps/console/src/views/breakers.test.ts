import { describe, expect, it } from 'vitest';
import { configLabel, targetLabel } from './breakers.js';

describe('breaker labels', () => {
  it('names a saved config by its slug and tenant, and an inline one by the key that sent it', () => {
    expect(configLabel({ type: 'saved', slug: 'pc-chat', id: 'cfg_1', tenant: 'team-a' })).toBe(
      'pc-chat (tenant team-a)',
    );
    expect(configLabel({ type: 'saved', slug: 'pc-chat', id: 'cfg_1' })).toBe('pc-chat');
    expect(configLabel({ type: 'saved', slug: 'pc-chat', id: 'cfg_1', tenant: null })).toBe('pc-chat');
    expect(configLabel({ type: 'inline', gateway_key_name: 'app', gateway_key_id: 'k1' })).toBe(
      'inline config of key app',
    );
    expect(configLabel({ type: 'inline', gateway_key_name: null, gateway_key_id: 'anonymous' })).toBe(
      'inline config of key anonymous',
    );
    expect(configLabel({ type: 'unknown' })).toBe('unknown config');
  });

  it('names a target by its name, virtual key (else provider) and model', () => {
    expect(
      targetLabel({ name: 'primary', virtual_key: 'openai-prod', provider: 'openai', model: 'gpt-4o' }),
    ).toBe('primary · @openai-prod · gpt-4o');
    expect(targetLabel({ provider: 'anthropic' })).toBe('anthropic');
    expect(targetLabel(null)).toBe('');
  });
});
