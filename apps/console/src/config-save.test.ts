import { describe, expect, it } from 'vitest';
import { configSaveOf } from './config-save.js';

const saved = {
  name: 'production',
  config: { strategy: { mode: 'fallback' }, targets: [{ virtual_key: 'a' }, { virtual_key: 'b' }] },
};

describe('configSaveOf', () => {
  it('sends nothing when the config and the name are as saved, however the text is spaced or its keys ordered', () => {
    expect(
      configSaveOf(saved, { name: 'production', source: JSON.stringify(saved.config, null, 2) }),
    ).toEqual({
      kind: 'unchanged',
    });
    expect(
      configSaveOf(saved, {
        name: '  production ',
        source: '{"targets":[{"virtual_key":"a"},{"virtual_key":"b"}],  "strategy":{"mode":"fallback"}}',
      }),
    ).toEqual({ kind: 'unchanged' });
  });

  it('sends the name alone when only the name changed, so no new version is made', () => {
    expect(configSaveOf(saved, { name: 'prod', source: JSON.stringify(saved.config) })).toEqual({
      kind: 'rename',
      body: { name: 'prod' },
    });
  });

  it('sends the config (a new version) when its content changed, the order of targets included', () => {
    const swapped = JSON.stringify({
      strategy: { mode: 'fallback' },
      targets: [{ virtual_key: 'b' }, { virtual_key: 'a' }],
    });
    expect(configSaveOf(saved, { name: 'production', source: swapped })).toEqual({
      kind: 'new-version',
      body: { config: swapped, name: 'production' },
    });
    const other = JSON.stringify({ virtual_key: 'a' });
    expect(configSaveOf(saved, { name: 'prod', source: other })).toEqual({
      kind: 'new-version',
      body: { config: other, name: 'prod' },
    });
  });

  it('leaves a text that is not JSON to the gateway to refuse', () => {
    expect(configSaveOf(saved, { name: 'production', source: '{nope' })).toEqual({
      kind: 'new-version',
      body: { config: '{nope', name: 'production' },
    });
  });
});
