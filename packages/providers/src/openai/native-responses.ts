import type { NativeDialectRoute, PreparedRequest, ProviderAdapter } from '../spec/provider-adapter.js';

/**
 * OpenAI's own Responses API (`POST /responses`) on an OpenAI-family adapter: the adapter's
 * pass-through request (its base URL, auth and query: Azure's `api-version`), the client's body as it
 * came. The answer and the stream are OpenAI's own.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export function nativeResponsesRoute(adapter: Pick<ProviderAdapter, 'buildRequest'>): NativeDialectRoute {
  return {
    buildRequest: (request, context) => {
      const passthrough: PreparedRequest = {
        ...request,
        endpoint: 'passthrough',
        path: '/responses',
        method: 'POST',
      };
      return adapter.buildRequest(passthrough, context);
    },
  };
}
