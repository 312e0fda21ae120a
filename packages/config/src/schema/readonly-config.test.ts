import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseConfig } from '../model/parse-config.js';
import type { DeepReadonly, ReadonlyConfig } from './readonly-config.js';
import type { Config } from './target.js';

// Shaped like Portkey's fallback example (https://portkey.ai/docs/product/ai-gateway/fallbacks), as const.
const fallback = {
  strategy: { mode: 'fallback', on_status_codes: [429, 503] },
  targets: [
    { virtual_key: 'openai-virtual-key', override_params: { model: 'gpt-4o', stop: ['\n'] } },
    { virtual_key: 'anthropic-virtual-key', retry: { attempts: 2, on_status_codes: [429] } },
  ],
} as const;

describe('ReadonlyConfig', () => {
  it('takes a config written as const, which Config refuses for its readonly arrays', () => {
    const readonlyConfig: ReadonlyConfig = fallback;
    // @ts-expect-error readonly arrays are not assignable to Config's mutable ones
    const mutableConfig: Config = fallback;
    expect(parseConfig(readonlyConfig)).toMatchObject({ ok: true, config: fallback });
    void mutableConfig;
  });

  it('takes every Config, and keeps its checks', () => {
    expectTypeOf<Config>().toExtend<ReadonlyConfig>();
    const roundRobin = { strategy: { mode: 'round-robin' }, targets: [{ virtual_key: 'a' }] } as const;
    // @ts-expect-error an unknown strategy mode
    const unknownMode: ReadonlyConfig = roundRobin;
    // @ts-expect-error a misspelt key in a literal
    const misspelt: ReadonlyConfig = { retyr: { attempts: 1 } };
    void [unknownMode, misspelt];
  });

  it('makes arrays and properties readonly at every depth, and leaves primitives and functions', () => {
    type Nested = { list: { items: string[] }[]; count: number; run: () => void };
    expectTypeOf<DeepReadonly<Nested>>().toEqualTypeOf<{
      readonly list: readonly { readonly items: readonly string[] }[];
      readonly count: number;
      readonly run: () => void;
    }>();
    expectTypeOf<DeepReadonly<string | undefined>>().toEqualTypeOf<string | undefined>();
  });
});
