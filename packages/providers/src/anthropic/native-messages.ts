import { nativeDialectBodyJson } from '../shared/dialect-body.js';
import { joinUrl, readTargetString } from '../shared/target-options.js';
import type {
  BuiltRequest,
  NativeDialectRoute,
  PreparedRequest,
  ProviderContext,
} from '../spec/provider-adapter.js';
import { ANTHROPIC_BASE_URL, ANTHROPIC_VERSION } from './request.js';

/**
 * The headers of a native Messages call: `anthropic-version` and `anthropic-beta` from the target
 * (config, virtual key, `x-portkey-anthropic-*`), else as the client's SDK sent them, `x-api-key`.
 */
function messagesHeaders(request: PreparedRequest, context: ProviderContext): Record<string, string> {
  const apiKey = readTargetString(context.target, 'api_key');
  const client = request.dialectHeaders ?? {};
  const version = readTargetString(context.target, 'anthropic_version') ?? client['anthropic-version'];
  const beta = readTargetString(context.target, 'anthropic_beta') ?? client['anthropic-beta'];
  return {
    'content-type': 'application/json',
    'anthropic-version': version ?? ANTHROPIC_VERSION,
    ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }),
    ...(beta === undefined ? {} : { 'anthropic-beta': beta }),
  };
}

function nativeRequest(path: string, request: PreparedRequest, context: ProviderContext): BuiltRequest {
  return {
    upstream: {
      url: joinUrl(readTargetString(context.target, 'custom_host') ?? ANTHROPIC_BASE_URL, path),
      method: 'POST',
      headers: messagesHeaders(request, context),
      body: nativeDialectBodyJson(request),
    },
    warnings: [],
  };
}

/**
 * `POST /v1/messages` on Anthropic itself: the client's body sent as it came (its own bytes when
 * nothing changed it), the answer and the stream returned as Anthropic gave them.
 * @see https://docs.anthropic.com/en/api/messages
 */
export const anthropicNativeMessages: NativeDialectRoute = {
  buildRequest: (request, context) => nativeRequest('/messages', request, context),
};

/**
 * `POST /v1/messages/count_tokens` on Anthropic itself, passed through.
 * @see https://docs.anthropic.com/en/api/messages-count-tokens
 */
export const anthropicNativeCountTokens: NativeDialectRoute = {
  buildRequest: (request, context) => nativeRequest('/messages/count_tokens', request, context),
};
