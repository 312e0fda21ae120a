import { type ClientDialect, clientDialectOf, type DialectEndpoint } from '@pk/providers';

/**
 * How a route in another API's dialect uses the shared request pipeline: which endpoint it asks the
 * providers for, the dialect's transforms for what the gateway itself produces (cache replays, stream
 * accumulation for the cache, error frames), the provider used when the request names none, and the
 * client headers its native routes read.
 */
export interface IngressDialect {
  readonly endpoint: DialectEndpoint;
  readonly dialect: ClientDialect;
  /** The target when no provider, virtual key or routing config is named (Messages: `anthropic`). */
  readonly defaultProvider?: string;
  /** Client headers passed to native routes (lower-case names). */
  readonly headerNames: readonly string[];
  /** Whether the route checks the body's shape before routing (`ClientDialect.checkRequest`). */
  readonly checksShape: boolean;
}

/** `POST /v1/messages`: Anthropic's Messages API; with no provider named, Anthropic with `x-api-key`. */
export const MESSAGES_INGRESS: IngressDialect = {
  endpoint: 'messages',
  dialect: clientDialectOf('messages'),
  defaultProvider: 'anthropic',
  headerNames: ['anthropic-version', 'anthropic-beta'],
  checksShape: true,
};

/** `POST /v1/messages/count_tokens`: passed through to Anthropic targets (which check its shape). */
export const COUNT_TOKENS_INGRESS: IngressDialect = {
  ...MESSAGES_INGRESS,
  endpoint: 'messages.count_tokens',
  checksShape: false,
};

/** `POST /v1/responses`: OpenAI's Responses API. */
export const RESPONSES_INGRESS: IngressDialect = {
  endpoint: 'responses',
  dialect: clientDialectOf('responses'),
  headerNames: [],
  checksShape: true,
};

/**
 * Refuses, before any routing, a body that is not the dialect's shape (400 `PK_ERR_INVALID_REQUEST`
 * naming the field, thrown for the error handler): every target, native or translated, would refuse
 * it, and one answer for all of them is clearer than each provider's own.
 */
export function checkIngressBody(ingress: IngressDialect, body: unknown): void {
  if (!ingress.checksShape || typeof body !== 'object' || body === null || Array.isArray(body)) return;
  ingress.dialect.checkRequest(body as Record<string, unknown>);
}

/** The client headers an ingress dialect passes to native routes, or `undefined` when none were sent. */
export function dialectHeadersOf(
  ingress: IngressDialect,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> | undefined {
  let picked: Record<string, string> | undefined;
  for (const name of ingress.headerNames) {
    const value = headers[name];
    const text = Array.isArray(value) ? value.join(',') : value;
    if (text !== undefined && text !== '') {
      picked ??= {};
      picked[name] = text;
    }
  }
  return picked;
}
