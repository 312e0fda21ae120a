import { PkError } from '@pk/config';
import type { AdapterEndpoint, ProviderAdapter, ProviderCapabilities } from '../spec/provider-adapter.js';

const CAPABILITY_OF_ENDPOINT = {
  'chat.completions': 'chatCompletions',
  completions: 'completions',
  embeddings: 'embeddings',
  passthrough: 'passthrough',
} as const satisfies Record<AdapterEndpoint, keyof ProviderCapabilities>;

/**
 * Refuses, before any upstream call, an endpoint the provider lacks: 400
 * `PK_ERR_UNSUPPORTED_ENDPOINT`, with the vendor's doc page in the message. A pass-through request
 * is named by the path it called (`/images/generations`), which is what its client sent.
 */
export function checkEndpointSupported(
  adapter: ProviderAdapter,
  endpoint: AdapterEndpoint,
  path?: string,
): void {
  const capability = adapter.capabilities[CAPABILITY_OF_ENDPOINT[endpoint]];
  if (capability === true) return;
  const what =
    endpoint === 'passthrough' && path !== undefined
      ? `the path ${path.split('?')[0]} (passed through)`
      : `the ${endpoint} endpoint`;
  throw new PkError(
    'PK_ERR_UNSUPPORTED_ENDPOINT',
    `provider '${adapter.id}' does not support ${what} (see ${capability.unsupported})`,
  );
}
