/**
 * What hooks see, in Portkey's words (behaviour reference §7.2): the request, the answer once there
 * is one, the provider, the kind of request and the request's metadata.
 */

/** When a hook runs: before the provider call or after it. */
export type HookEvent = 'beforeRequestHook' | 'afterRequestHook';

/**
 * The kinds of request hooks run on (Portkey's names): chat completions, completions, embeddings,
 * Anthropic's Messages API (`/v1/messages`) and OpenAI's Responses API (`/v1/responses`); any other
 * route skips them.
 */
export type RequestType = 'chatComplete' | 'complete' | 'embed' | 'messages' | 'createModelResponse';

/** The request as hooks see it. */
export interface HookRequest {
  /**
   * The JSON body in the request type's own shape (chat completions, Anthropic Messages, Responses …),
   * after the mutators that ran so far.
   */
  readonly json: Readonly<Record<string, unknown>>;
  /** Whether the client asked for a stream. */
  readonly isStreamingRequest: boolean;
}

/** The answer as after-request hooks see it. */
export interface HookResponse {
  /** The JSON answer in the request type's shape (a chat stream's is rebuilt from its chunks). */
  readonly json: Readonly<Record<string, unknown>> | null;
  /** The provider's status. */
  readonly statusCode: number;
}

/** Everything a check may read. */
export interface HookContext {
  readonly requestType: RequestType;
  /** The provider answering (or about to be called). */
  readonly provider: string;
  /** The request's `x-portkey-metadata`. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly request: HookRequest;
  /** Set for after-request hooks. */
  readonly response?: HookResponse;
  /**
   * The client's request headers, names in lower case. Only `default.jwt` reads them; they are never
   * sent to a webhook.
   */
  readonly headers?: Readonly<Record<string, string>>;
}
