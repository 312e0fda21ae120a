// Compile-time tests, checked by `tsc --noEmit` (`pnpm type-check`): every `@ts-expect-error` must
// meet an error, so a config type that stopped catching these mistakes fails the type check.

import type { OpenAI } from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { Portkey as InProcessPortkey } from '../src/in-process/index.js';
import { createHeaders, Portkey } from '../src/index.js';

export function configTypeTests(): void {
  new Portkey({
    config: {
      strategy: { mode: 'fallback' },
      targets: [
        {
          virtual_key: 'a',
          // @ts-expect-error a misspelt key deep in a config literal (`targets[0].retyr`)
          retyr: { attempts: 2 },
        },
      ],
    },
  });
  new Portkey({
    config: {
      // @ts-expect-error an unknown strategy mode
      strategy: { mode: 'round-robin' },
      targets: [{ virtual_key: 'a' }, { virtual_key: 'b' }],
    },
  });
  new Portkey({
    config: {
      strategy: { mode: 'loadbalance' },
      targets: [
        // @ts-expect-error a misspelt key two levels down
        { strategy: { mode: 'fallback' }, targets: [{ virtual_key: 'a', overide_params: {} }] },
      ],
    },
  });
  createHeaders({
    // @ts-expect-error createHeaders checks the config too
    config: { retry: { atempts: 3 } },
  });
  // A saved config id and a valid literal are fine.
  new Portkey({ config: 'pc-prod-fallback' });
  new Portkey({
    config: {
      strategy: { mode: 'fallback' },
      targets: [
        { virtual_key: 'a', retry: { attempts: 3, on_status_codes: [429, 500] } },
        { provider: 'openai', api_key: 'sk', override_params: { model: 'gpt-4o-mini' } },
      ],
    },
  });
}

/** Configs written `as const` (readonly arrays and literal types) are taken wherever a config is. */
export async function readonlyConfigTypeTests(portkey: Portkey): Promise<void> {
  const config = {
    strategy: { mode: 'fallback', on_status_codes: [429, 503] },
    targets: [
      { provider: 'openai', api_key: 'sk', forward_headers: ['x-team'], override_params: { stop: ['\n'] } },
      { virtual_key: 'anthropic-key', retry: { attempts: 2, on_status_codes: [429] } },
    ],
    default_input_guardrails: ['pg-pii'],
  } as const;
  new Portkey({ config });
  createHeaders({ config });
  portkey.withOptions({ config });
  await portkey.chat.completions.create({ model: 'm', messages: [] }, { config });
  new InProcessPortkey({
    config: 'pc-prod',
    inProcess: {
      configs: { 'pc-prod': config },
      virtualKeys: {
        'anthropic-key': { provider: 'anthropic', api_key: 'sk', anthropic_version: '2023-06-01' } as const,
      },
    },
  });
  // Readonly does not loosen the checks: a wrong value in an `as const` config is still an error.
  const roundRobin = { strategy: { mode: 'round-robin' }, targets: [{ virtual_key: 'a' }] } as const;
  // @ts-expect-error an unknown strategy mode in a readonly config
  new Portkey({ config: roundRobin });
  const textAttempts = { retry: { attempts: '3' }, virtual_key: 'a' } as const;
  // @ts-expect-error `retry.attempts` must be a number
  createHeaders({ config: textAttempts });
  new Portkey({
    config: {
      targets: [
        // @ts-expect-error a misspelt key in a readonly literal given in place
        { virtual_key: 'a', overide_params: {} },
      ] as const,
    },
  });
}

export async function clientTypeTests(portkey: Portkey): Promise<void> {
  // A Portkey client is an OpenAI client.
  const openai: OpenAI = portkey;
  void openai;
  // @ts-expect-error pk's provider is a provider id, not openai's provider object
  new Portkey({ provider: {} });
  const completion = await portkey.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    { traceId: 'per-call', metadata: { _user: 'u' }, signal: AbortSignal.timeout(1000) },
  );
  const text: string | null | undefined = completion.choices[0]?.message.content;
  const headers: Record<string, string> = completion.getHeaders();
  const asOpenAI: ChatCompletion = completion;
  void [text, headers, asOpenAI];
  const stream = await portkey.chat.completions.create({ model: 'm', messages: [], stream: true });
  for await (const chunk of stream) void chunk.choices[0]?.delta.content;
  // @ts-expect-error streams have no getHeaders(), as in the official SDK
  stream.getHeaders();
  await portkey.chat.completions.create(
    { model: 'm', messages: [] },
    // @ts-expect-error a misspelt per-call option
    { traceIdd: 'x' },
  );
  const traced: Portkey = portkey.withOptions({ traceId: 'a' });
  void traced;
}
