import type { GuardrailHttpRequest, GuardrailHttpResponse, GuardrailTransport } from '@pk/guardrails';
import { discardBody, type Transport } from '@pk/providers';
import { nativeAbortSignal } from '../proxy/client-signal.js';

const decoder = new TextDecoder();

/** The answer's body as text, at most `maxBytes` (an error past it: the rest is never read). */
async function readBounded(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string> {
  if (maxBytes <= 0) {
    discardBody(body);
    return '';
  }
  const pieces: Uint8Array[] = [];
  let size = 0;
  for await (const piece of body) {
    size += piece.byteLength;
    if (size > maxBytes) {
      discardBody(body);
      throw new Error(`the answer is larger than ${maxBytes} bytes`);
    }
    pieces.push(piece);
  }
  return decoder.decode(Buffer.concat(pieces));
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`Request timed out after ${ms}ms`), { name: 'TimeoutError' });
}

/**
 * The guardrails' network port over the gateway's upstream transport: the same connect-time refusal
 * of internal addresses as custom hosts (hosts in `trusted_custom_hosts` excepted), no redirects, a
 * deadline of `timeoutMs` over the whole call (connect, headers and body) and a bounded answer.
 */
export function createGuardrailTransport(transport: Transport): GuardrailTransport {
  return {
    async request(request: GuardrailHttpRequest): Promise<GuardrailHttpResponse> {
      const deadline = AbortSignal.timeout(request.timeoutMs);
      const signal =
        request.signal === undefined
          ? deadline
          : AbortSignal.any([deadline, nativeAbortSignal(request.signal)]);
      try {
        const response = await transport.send(
          {
            url: request.url,
            method: request.method,
            headers: request.headers,
            ...(request.body === undefined ? {} : { body: request.body }),
          },
          { provider: 'guardrail', signal },
        );
        const body = await readBounded(response.body, request.maxResponseBytes);
        return { status: response.status, headers: response.headers, body };
      } catch (error) {
        if (deadline.aborted) throw timeoutError(request.timeoutMs);
        throw error instanceof Error ? error : new Error('the call failed');
      }
    },
  };
}
