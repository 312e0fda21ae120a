import { createErrorEnvelope } from '@pk/config';
import type { StreamOutput } from '../spec/provider-adapter.js';

/**
 * The stream item that ends a stream cut short: an in-band `event: error` with
 * `PK_ERR_STREAM_INTERRUPTED`, keeping what was already sent. `message` says where it stopped.
 */
export function streamInterrupted(message: string): StreamOutput {
  return { type: 'error', envelope: createErrorEnvelope({ code: 'PK_ERR_STREAM_INTERRUPTED', message }) };
}
