import type { HookContext, HookEvent } from '../model/hook-context.js';
import { requestContentPart, responseContentPart } from '../text/content-parts.js';

function joined(texts: readonly string[]): string {
  return texts.filter((text) => text !== '').join('\n');
}

/**
 * What a webhook or log call receives: Portkey's hook context (`request` with `json`, `text`,
 * `isStreamingRequest`; `response` with `json`, `text`, `statusCode`; `provider`, `requestType`,
 * `metadata`) and `eventType`. The client's headers are never sent.
 */
export function webhookPayload(context: HookContext, event: HookEvent): Record<string, unknown> {
  return {
    request: {
      json: context.request.json,
      text: joined(requestContentPart(context.request.json, context.requestType).texts),
      isStreamingRequest: context.request.isStreamingRequest,
    },
    response: {
      // Before the request Portkey sends an empty object (its context starts with one), never null.
      json: context.response?.json ?? {},
      text: joined(responseContentPart(context.response?.json ?? null, context.requestType).texts),
      statusCode: context.response?.statusCode ?? null,
    },
    provider: context.provider,
    requestType: context.requestType,
    metadata: context.metadata,
    eventType: event,
  };
}
