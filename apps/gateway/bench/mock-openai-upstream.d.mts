/** A running mock OpenAI upstream. */
export interface MockOpenAI {
  readonly url: string;
  readonly port: number;
  /** Requests received, per path. */
  readonly requests: Map<string, number>;
  /** Every request, when started with `record: true`. */
  readonly received: {
    path: string;
    headers: Record<string, string | string[] | undefined>;
    body: Record<string, unknown>;
    /** The body exactly as received. */
    bytes: Buffer;
  }[];
  /** TCP connections accepted so far (the server's `connection` events). */
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts a mock OpenAI upstream on 127.0.0.1 (see the .mjs for the options). */
export function startMockOpenAI(options?: {
  port?: number;
  latencyMs?: number;
  chunks?: number;
  chunkDelayMs?: number;
  text?: string;
  record?: boolean;
}): Promise<MockOpenAI>;
