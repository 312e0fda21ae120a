import { isJsonObject, parseJsonOrUndefined } from '../../shared/json.js';
import { createSseDecoder } from '../../shared/sse-decoder.js';
import type { DialectStreamAccumulator } from '../client-dialect.js';

/**
 * Keeps the Response a Responses stream ends with (`response.completed` carries it whole), so a
 * streamed answer can be cached; nothing after an `error` event or a stream that did not complete.
 */
export function createResponsesStreamAccumulator(): DialectStreamAccumulator {
  const decoder = createSseDecoder();
  let response: unknown;
  let failed = false;
  return {
    push(bytes) {
      if (failed || response !== undefined) return;
      let events: ReturnType<typeof decoder.push>;
      try {
        events = decoder.push(bytes);
      } catch {
        failed = true;
        return;
      }
      for (const event of events) {
        if (event.event === 'error') {
          failed = true;
          return;
        }
        if (event.event !== 'response.completed') continue;
        const data = parseJsonOrUndefined(event.data);
        if (isJsonObject(data) && isJsonObject(data.response)) response = data.response;
      }
    },
    result: () => (failed ? undefined : response),
  };
}
