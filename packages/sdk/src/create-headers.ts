import { buildCallHeaders } from './portkey-headers.js';
import type { PortkeyOptions } from './portkey-options.js';
import { splitClientOptions } from './split-options.js';

/**
 * The Portkey headers for a plain `openai` client, as the official SDK's `createHeaders`:
 * `new OpenAI({ apiKey, baseURL: PORTKEY_GATEWAY_URL, defaultHeaders: createHeaders({ virtualKey }) })`.
 * Like the official function it adds no defaults (no `strictOpenAiCompliance`, no telemetry).
 * Differences, on purpose: a config object is validated first; `0` is sent as `"0"`; options named in
 * `forwardHeaders` keep their `x-portkey-` prefix; a value a header cannot carry is refused.
 *
 * @throws PkError `PK_ERR_INVALID_CONFIG` or `PK_ERR_INVALID_HEADER`.
 */
export function createHeaders(
  options: PortkeyOptions & { readonly baseURL?: string | null | undefined },
): Record<string, string> {
  return buildCallHeaders(splitClientOptions(options as Readonly<Record<string, unknown>>).portkey);
}
