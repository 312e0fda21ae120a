import { callProvider, type Transport } from '@pk/providers';
import { nativeAbortSignal } from '../../proxy/client-signal.js';
import type { SemanticCacheSettings } from '../../settings/load-settings.js';
import { virtualKeyTarget } from '../../settings/virtual-key-target.js';

/** Turns a text into a vector, or `undefined` when the embedding call fails or takes too long. */
export type Embedder = (text: string, signal?: AbortSignal) => Promise<Float32Array | undefined>;

/**
 * Embeds through `@pk/providers` with the settings' virtual key and model, so any provider with an
 * embeddings endpoint works. Bounded by `timeout_ms`; a failure means "no semantic lookup", never a
 * failed request.
 */
export function createEmbedder(settings: SemanticCacheSettings, transport: Transport): Embedder {
  const target = virtualKeyTarget(settings.virtualKey);
  return async (text, signal) => {
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    const outcome = await callProvider({
      target,
      request: {
        endpoint: 'embeddings',
        body: { model: settings.model, input: text, encoding_format: 'float' },
      },
      transport,
      signal: signal ? AbortSignal.any([nativeAbortSignal(signal), timeout]) : timeout,
    }).catch(() => undefined);
    if (!outcome?.ok || outcome.value.kind !== 'json') return undefined;
    const data = (outcome.value.body as { data?: { embedding?: unknown }[] }).data;
    const embedding = data?.[0]?.embedding;
    if (!Array.isArray(embedding) || embedding.length === 0) return undefined;
    return Float32Array.from(embedding as number[]);
  };
}
