import { callProvider, type Transport } from '@pk/providers';
import { nativeAbortSignal } from '../../proxy/client-signal.js';
import type { SemanticCacheSettings } from '../../settings/load-settings.js';
import { virtualKeyTarget } from '../../settings/virtual-key-target.js';

/** Turns a text into a vector, or `undefined` when the embedding call fails or takes too long. */
export type Embedder = (text: string, signal?: AbortSignal) => Promise<Float32Array | undefined>;

/**
 * How an embedding call ended: `ok` (a vector), `error` (a refusal, a network error, an answer
 * without an embedding), `timeout` (longer than `timeout_ms`) or `client_left` (the request's
 * client went away first).
 */
export type EmbeddingOutcome = 'ok' | 'error' | 'timeout' | 'client_left';

/**
 * Embeds through `@pk/providers` with the settings' virtual key and model, so any provider with an
 * embeddings endpoint works. Bounded by `timeout_ms`; a failure means "no semantic lookup", never a
 * failed request. `onFailure` is told why (`timed out after 2000 ms`, `status 401`, a network error,
 * `no embedding in the answer`), never when the client left first; it never sees the key. `onCall`
 * is told how every call ended (for `pk_cache_embedding_calls_total`).
 */
export function createEmbedder(
  settings: SemanticCacheSettings,
  transport: Transport,
  onFailure: (reason: string) => void = () => {},
  onCall: (outcome: EmbeddingOutcome) => void = () => {},
): Embedder {
  const target = virtualKeyTarget(settings.virtualKey);
  return async (text, signal) => {
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    let thrown: unknown;
    const outcome = await callProvider({
      target,
      request: {
        endpoint: 'embeddings',
        body: { model: settings.model, input: text, encoding_format: 'float' },
      },
      transport,
      signal: signal ? AbortSignal.any([nativeAbortSignal(signal), timeout]) : timeout,
    }).catch((error: unknown) => {
      thrown = error;
      return undefined;
    });
    const failed = (reason: string): undefined => {
      if (signal?.aborted) onCall('client_left');
      else if (timeout.aborted) {
        onCall('timeout');
        onFailure(`timed out after ${settings.timeoutMs} ms`);
      } else {
        onCall('error');
        onFailure(reason);
      }
      return undefined;
    };
    if (outcome === undefined) return failed(thrown instanceof Error ? thrown.message : String(thrown));
    if (!outcome.ok) return failed(`status ${outcome.status}`);
    if (outcome.value.kind !== 'json') return failed('no embedding in the answer');
    const data = (outcome.value.body as { data?: { embedding?: unknown }[] }).data;
    const embedding = data?.[0]?.embedding;
    if (!Array.isArray(embedding) || embedding.length === 0) return failed('no embedding in the answer');
    const vector = Float32Array.from(embedding as number[]);
    // A vector with anything but finite numbers (null, text, NaN) is no embedding: no semantic lookup.
    if (!embedding.every((value) => typeof value === 'number') || !vector.every(Number.isFinite))
      return failed('an embedding with values that are not finite numbers');
    onCall('ok');
    return vector;
  };
}
