/**
 * The catalogue of pk's own error codes: one place that says which HTTP status and OpenAI error
 * `type` each gateway-made error carries. Upstream (provider) errors keep the provider's status and
 * are described by `UpstreamError` in `@pk/providers`; these codes are for errors pk itself decides.
 *
 * The `code` field of the OpenAI envelope is the `PK_ERR_*` name itself, so clients and log queries
 * can match on one stable string. See docs/decisions/0004-errors.md.
 */
export const PK_ERROR_CATALOGUE = {
  /** The request body is not valid JSON, or not the shape the route needs. */
  PK_ERR_INVALID_REQUEST: {
    status: 400,
    type: 'invalid_request_error',
    summary: 'the request body is invalid',
  },
  /** A config (header, saved or SDK option) failed validation; the message names the path. */
  PK_ERR_INVALID_CONFIG: { status: 400, type: 'invalid_request_error', summary: 'the config is invalid' },
  /** An `x-portkey-*` header could not be parsed (bad JSON, bad number, too long). */
  PK_ERR_INVALID_HEADER: { status: 400, type: 'invalid_request_error', summary: 'a header is invalid' },
  /** The provider id is not one of Portkey's provider ids. */
  PK_ERR_INVALID_PROVIDER: { status: 400, type: 'invalid_request_error', summary: 'the provider is unknown' },
  /** A known Portkey provider for which pk has no adapter (yet). */
  PK_ERR_PROVIDER_NOT_SUPPORTED: {
    status: 400,
    type: 'invalid_request_error',
    summary: 'the provider is not supported by pk',
  },
  /** Neither a config, a virtual key nor a provider header names a provider. */
  PK_ERR_MISSING_PROVIDER: { status: 400, type: 'invalid_request_error', summary: 'no provider was named' },
  /** A custom host that is malformed, internal or otherwise refused. */
  PK_ERR_INVALID_CUSTOM_HOST: {
    status: 400,
    type: 'invalid_request_error',
    summary: 'the custom host is refused',
  },
  /** Conditional routing matched no condition and the strategy has no `default`. */
  PK_ERR_NO_ROUTE: { status: 400, type: 'invalid_request_error', summary: 'no conditional route matched' },
  /** The provider does not support the requested endpoint (no upstream call is made; fallback may move on). */
  PK_ERR_UNSUPPORTED_ENDPOINT: {
    status: 400,
    type: 'invalid_request_error',
    summary: 'the endpoint is not supported by the provider',
  },
  /** A custom host from the request combined with stored credentials, neither trusted nor in the key's `allowed_hosts`. */
  PK_ERR_CUSTOM_HOST_NOT_ALLOWED: {
    status: 400,
    type: 'invalid_request_error',
    summary: 'stored credentials may not be sent to this host',
  },
  /**
   * The request asks the target for what it cannot take: a feature of another API's dialect (Anthropic
   * Messages, OpenAI Responses) pk cannot translate for a provider that does not speak that API (server
   * tools, stored responses ...), or on any route a file or a stop list the provider cannot read.
   */
  PK_ERR_UNSUPPORTED_FEATURE: {
    status: 400,
    type: 'invalid_request_error',
    summary: 'the target provider cannot take this feature',
  },
  /** No gateway key, or one that matches none configured. */
  PK_ERR_UNAUTHORIZED: {
    status: 401,
    type: 'authentication_error',
    summary: 'the gateway key is missing or wrong',
  },
  /** The gateway key may not use this virtual key or saved config, or the request's Host/Origin is refused. */
  PK_ERR_FORBIDDEN: { status: 403, type: 'permission_error', summary: 'the request is not allowed' },
  /** Unknown route. */
  PK_ERR_NOT_FOUND: { status: 404, type: 'not_found_error', summary: 'no such route' },
  /** A saved config id that the settings do not define. */
  PK_ERR_CONFIG_NOT_FOUND: { status: 404, type: 'not_found_error', summary: 'no saved config has this id' },
  /** A virtual key id (header, `@slug`, `@slug/model` or config) that the settings do not define. */
  PK_ERR_VIRTUAL_KEY_NOT_FOUND: {
    status: 404,
    type: 'not_found_error',
    summary: 'no virtual key has this id',
  },
  /**
   * A stored virtual key whose `expires_at` has passed (header, `@slug`, `@slug/model` or config):
   * Portkey's 401 `virtual_key_expired_error`. An id no key ever had stays `PK_ERR_VIRTUAL_KEY_NOT_FOUND`.
   */
  PK_ERR_VIRTUAL_KEY_EXPIRED: {
    status: 401,
    type: 'virtual_key_expired_error',
    summary: 'the virtual key has expired',
  },
  /**
   * A stored virtual key an operator disabled (header, `@slug`, `@slug/model` or config): refused
   * before any provider is called, until it is enabled again. 401 like an expired key (Portkey has no
   * disabled virtual key; its refusals of a key that cannot be used now are 401s), with a type named
   * as Portkey names those (`virtual_key_expired_error`).
   */
  PK_ERR_VIRTUAL_KEY_DISABLED: {
    status: 401,
    type: 'virtual_key_disabled_error',
    summary: 'the virtual key is disabled',
  },
  /** An admin API record (API key, guardrail, config version, feedback) that does not exist. */
  PK_ERR_RECORD_NOT_FOUND: { status: 404, type: 'not_found_error', summary: 'no record has this id' },
  /** One attempt exceeded `request_timeout` (Portkey's 408 `timeout_error`). */
  PK_ERR_TIMEOUT: { status: 408, type: 'timeout_error', summary: 'the request timed out' },
  /** An admin write that collides: the id or slug is taken, or other records depend on this one. */
  PK_ERR_CONFLICT: { status: 409, type: 'conflict_error', summary: 'the change conflicts with stored data' },
  /** An admin write to a record the settings file defines: the message names the file. */
  PK_ERR_READ_ONLY: {
    status: 409,
    type: 'conflict_error',
    summary: 'the record is managed by the settings file',
  },
  /** The request body exceeds the configured limit. */
  PK_ERR_PAYLOAD_TOO_LARGE: {
    status: 413,
    type: 'invalid_request_error',
    summary: 'the request body is too large',
  },
  /** A content type the route does not accept. */
  PK_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    type: 'invalid_request_error',
    summary: 'the content type is not supported',
  },
  /**
   * A budget (`usage_limits` of a virtual key, gateway key or metadata rule) has no room for the
   * request: Portkey's 412 `virtual_key_exhaust_error`. Resets with the budget's period.
   */
  PK_ERR_BUDGET_EXCEEDED: {
    status: 412,
    type: 'virtual_key_exhaust_error',
    summary: 'the budget is exhausted',
  },
  /**
   * A gateway rate limit (`rate_limits` of a virtual key, gateway key or metadata rule) was reached;
   * `Retry-After` says when to come back: Portkey's 429 `virtual_key_rate_limit_error` (one type for
   * every subject, as for {@link PK_ERROR_CATALOGUE.PK_ERR_BUDGET_EXCEEDED}).
   */
  PK_ERR_RATE_LIMITED: {
    status: 429,
    type: 'virtual_key_rate_limit_error',
    summary: 'a gateway limit was reached',
  },
  /** A before-request guardrail denied the request (Portkey's 446). */
  PK_ERR_GUARDRAIL_DENIED: { status: 446, type: 'hooks_failed', summary: 'a guardrail denied the request' },
  /** Something failed inside pk; the message never carries internals. */
  PK_ERR_INTERNAL: { status: 500, type: 'server_error', summary: 'internal error' },
  /** A Portkey control-plane route pk does not implement. */
  PK_ERR_NOT_IMPLEMENTED: { status: 501, type: 'invalid_request_error', summary: 'not implemented by pk' },
  /**
   * A config carries hooks or guardrails where they cannot run: the SDK's in-process mode (the gateway
   * runs them). Refused, never silently ignored.
   */
  PK_ERR_HOOKS_NOT_SUPPORTED: {
    status: 501,
    type: 'invalid_request_error',
    summary: 'hooks are not supported here',
  },
  /** The upstream could not be reached, reset the connection, or answered with something unreadable. */
  PK_ERR_UPSTREAM_UNAVAILABLE: {
    status: 502,
    type: 'api_error',
    summary: 'the provider could not be reached',
  },
  /** A stream broke after it had started (sent in-band as `event: error`). */
  PK_ERR_STREAM_INTERRUPTED: {
    status: 502,
    type: 'api_error',
    summary: 'the provider stream was interrupted',
  },
  /** Every target's circuit breaker is open and `cb_config.on_all_open` is `fail_fast`. */
  PK_ERR_CIRCUIT_OPEN: { status: 503, type: 'api_error', summary: 'every target is temporarily disabled' },
  /** The gateway is shutting down and takes no new requests. */
  PK_ERR_SHUTTING_DOWN: { status: 503, type: 'api_error', summary: 'the gateway is shutting down' },
  /** The data store (SQLite or PostgreSQL) cannot be reached: admin calls fail, requests are served from the last snapshot. */
  PK_ERR_STORE_UNAVAILABLE: { status: 503, type: 'api_error', summary: 'the data store is unavailable' },
  /**
   * The limits store (Redis) cannot be reached and a limit that applies is `on_store_failure: closed`
   * (the default of budgets): refused rather than possibly overspent. Also an admin `reset_usage`
   * that could not reach the store.
   */
  PK_ERR_LIMITS_UNAVAILABLE: {
    status: 503,
    type: 'api_error',
    summary: 'the limits store is unavailable',
  },
  /**
   * A stored virtual key (header, `@slug`, `@slug/model` or config) that this gateway cannot decrypt:
   * most often encrypted under a master key its `PK_MASTER_KEY` lacks (after `pk vault rotate` on a
   * replica not restarted with the new key). The key exists, so not a 404: the operator must add the
   * master key; another replica may already serve it.
   */
  PK_ERR_VIRTUAL_KEY_UNREADABLE: {
    status: 503,
    type: 'api_error',
    summary: 'the gateway cannot decrypt the virtual key',
  },
  /** `request_deadline` (the whole-request bound) was reached. */
  PK_ERR_DEADLINE: { status: 504, type: 'timeout_error', summary: 'the request deadline was reached' },
} as const satisfies Record<`PK_ERR_${string}`, { status: number; type: string; summary: string }>;

/** One of pk's stable error codes. */
export type PkErrorCode = keyof typeof PK_ERROR_CATALOGUE;

/** All codes, in catalogue order. */
export const PK_ERROR_CODES = Object.keys(PK_ERROR_CATALOGUE) as PkErrorCode[];
