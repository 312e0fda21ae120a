import { describe, expect, it } from 'vitest';
import { leafBoundsOf, sentBodyOf, sentModelOf } from './leaf-bounds.js';
import { DEFAULT_IMAGE_TOKENS, imageTokensOf } from './media-token-bound.js';

// The bound of each attempt is the bound of the body its leaf sends: the leaf's override_params over
// the client's body, as the provider call merges them.

const image = { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } };
const body = { model: 'gpt-4o', messages: [{ role: 'user', content: [image] }] };
const leafWith = (path: string, override_params: Record<string, unknown> = {}) => ({ path, override_params });

describe('the bounds of what each leaf sends', () => {
  it('a leaf’s override_params.model decides what an image holds, not the body’s model', () => {
    const bounds = leafBoundsOf('chat.completions', body, 200, 4096);
    const routed = bounds.of(leafWith('config.targets[1]', { model: 'gpt-4o-mini' }));
    expect(routed.promptTokens - bounds.base.promptTokens).toBe(
      imageTokensOf('gpt-4o-mini') - DEFAULT_IMAGE_TOKENS,
    );
  });

  it('a leaf without override_params shares the body’s bound; one with them is computed once', () => {
    const bounds = leafBoundsOf('chat.completions', body, 200, 4096);
    expect(bounds.of(leafWith('config.targets[0]'))).toBe(bounds.base);
    const overridden = leafWith('config.targets[1]', { model: 'gpt-4o-mini' });
    expect(bounds.of(overridden)).toBe(bounds.of(overridden));
  });

  it('an overridden max_tokens is the completion bound, and no cap is added to that leaf', () => {
    const bounds = leafBoundsOf('chat.completions', body, 200, 4096);
    expect(bounds.base.inject).toEqual({ cap: 4096 });
    const capped = bounds.of(leafWith('config.targets[0]', { max_tokens: 50 }));
    expect(capped.completionTokens).toBe(50);
    expect(capped.inject).toBeUndefined();
  });

  it('the model sent is the override’s, else the body’s', () => {
    expect(sentModelOf(leafWith('config'), body)).toBe('gpt-4o');
    expect(sentModelOf(leafWith('config', { model: 'gpt-4o-mini' }), body)).toBe('gpt-4o-mini');
    expect(sentModelOf(leafWith('config'), {})).toBeUndefined();
    expect(sentBodyOf(leafWith('config', { model: 'x' }), body)).toEqual({ ...body, model: 'x' });
  });
});
