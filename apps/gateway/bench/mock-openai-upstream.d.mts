/** A running mock OpenAI upstream. */
export interface MockOpenAI {
  readonly url: string;
  readonly port: number;
  /** Requests received, per path. */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

/** Starts a mock OpenAI upstream on 127.0.0.1 (see the .mjs for the options). */
export function startMockOpenAI(options?: {
  port?: number;
  latencyMs?: number;
  chunks?: number;
  chunkDelayMs?: number;
  text?: string;
}): Promise<MockOpenAI>;
