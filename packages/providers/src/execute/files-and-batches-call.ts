import type {
  FilesAndBatchesExchange,
  FilesAndBatchesRoute,
  PreparedRequest,
  ProviderAdapter,
  ProviderContext,
} from '../spec/provider-adapter.js';
import type { UpstreamRequest } from '../spec/upstream-request.js';
import type { ProviderAttemptOutcome } from './call-provider.js';
import { readBodyText } from './read-body.js';
import { isSuccess, type SendOptions, sendUpstream } from './upstream-exchange.js';

/** What {@link callFilesAndBatches} needs from the call it answers. */
export interface FilesAndBatchesCall {
  readonly adapter: ProviderAdapter;
  readonly route: FilesAndBatchesRoute;
  readonly prepared: PreparedRequest;
  readonly context: ProviderContext;
  readonly forwardedHeaders: Readonly<Record<string, string>> | undefined;
  readonly options: SendOptions;
  /** The client's request, the same object for every attempt of it (the engine's). */
  readonly request: object;
}

/** Each client request's token, kept as long as the request object lives (across its attempts). */
const requestTokens = new WeakMap<object, string>();

/** The token of a client request: made at its first files or batches attempt, kept for the others. */
export function requestTokenOf(request: object): string {
  let token = requestTokens.get(request);
  if (token === undefined) {
    token = crypto.randomUUID();
    requestTokens.set(request, token);
  }
  return token;
}

/**
 * A files or batches call of a provider whose route answers them from its own APIs (Bedrock): the
 * route's upstream calls go through {@link sendUpstream} (forwarded headers, the adapter's
 * `authorize`), a failed one is thrown as the route's `parseError` of it, and the route's answer
 * becomes the call's (JSON, or bytes as they come). Throws `PkError` and `UpstreamError` for
 * `callProvider` to turn into a failed outcome, credentials scrubbed.
 */
export async function callFilesAndBatches(call: FilesAndBatchesCall): Promise<ProviderAttemptOutcome> {
  const { adapter, route, prepared, context, forwardedHeaders, options } = call;
  const text = (response: { body: AsyncIterable<Uint8Array> }) =>
    readBodyText({ body: response.body, provider: context.provider, signal: options.signal });
  const exchange: FilesAndBatchesExchange = {
    async send(upstream: UpstreamRequest) {
      const built = { upstream, warnings: [] };
      const response = await sendUpstream(adapter, built, context, forwardedHeaders, options);
      if (isSuccess(response)) return response;
      throw route.parseError({
        provider: context.provider,
        status: response.status,
        body: await text(response),
        headers: response.headers,
        now: context.now(),
      });
    },
    text,
  };
  const answer = await route.run(prepared, context, exchange, {
    requestToken: requestTokenOf(call.request),
  });
  const headers = {
    'content-type': answer.kind === 'json' ? 'application/json' : answer.contentType,
    'x-portkey-provider': context.provider,
  };
  if (answer.kind === 'raw') {
    return {
      ok: true,
      value: {
        provider: context.provider,
        status: answer.status,
        warnings: [],
        kind: 'raw',
        body: answer.body,
        headers,
      },
    };
  }
  return {
    ok: true,
    value: {
      provider: context.provider,
      status: answer.status,
      warnings: [],
      kind: 'json',
      body: answer.body,
      usage: undefined,
      headers,
    },
  };
}
