import { priceOverridesSchema } from '@pk/prices';
import { rateLimitsSchema, usageLimitsSchema } from '@pk/store';
import { z } from 'zod';

/**
 * A credential in the settings: a literal string, `env:NAME` (read from the environment at start) or
 * `file:PATH` (read from a file at start, trailing newline removed). References keep secrets out of
 * the settings file.
 */
export const secretReferenceSchema = z
  .string()
  .min(1, 'expected a non-empty credential or env:/file: reference');

const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected an id of [a-z0-9_-], 1-64 characters');

/** A client of the gateway: who may call it, and which stored keys and configs it may use. */
export const gatewayKeySchema = z.strictObject({
  /** Names the tenant in logs and cache keys; never the secret itself. */
  id: idSchema,
  /** The key clients send in `x-portkey-api-key` (or `Authorization: Bearer ...`). */
  key: secretReferenceSchema,
  /** The tenant (default: the id). Keys sharing a tenant share cache entries, logs and limits. */
  tenant: idSchema.optional(),
  /** `user` (default) or `admin` (may use the admin API). */
  role: z.enum(['user', 'admin']).optional(),
  /** Virtual key ids this key may use (default: all). */
  virtual_keys: z.array(idSchema).optional(),
  /** Saved config ids this key may use (default: all). */
  configs: z.array(z.string().min(1)).optional(),
  /**
   * What else the key may do: `metrics` lets it read `GET /metrics` (a scraper needs no admin
   * rights); an admin key with scopes may use only those parts of the admin API.
   */
  scopes: z.array(z.string().min(1).max(100)).max(200).optional(),
  /** Portkey's `rate_limits` of the key: `[{ type: requests|tokens, unit: rps|rpm|rph|rpd|rpw, value }]`. */
  rate_limits: rateLimitsSchema.optional(),
  /** Portkey's `usage_limits` of the key: a budget in USD or tokens, optionally reset in UTC. */
  usage_limits: usageLimitsSchema.optional(),
});

/** A stored provider credential, referred to by id. */
export const virtualKeySchema = z.strictObject({
  /** Portkey provider id (`openai`, `anthropic`, `azure-openai` ...). */
  provider: z.string().min(1),
  /** The provider API key (literal or `env:`/`file:` reference). Optional for keyless providers. */
  api_key: secretReferenceSchema.optional(),
  /** Other provider credentials and options (`aws_secret_access_key`, `resource_name` ...), snake_case. */
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** The same as `options.custom_host` (the admin API takes it at the top level too). */
  custom_host: z.string().min(1).optional(),
  /** Hosts (besides the provider's own) this credential may be sent to through a custom host. */
  allowed_hosts: z.array(z.string().min(1)).optional(),
  /** Model ids listed by `GET /v1/models` for this key. */
  models: z.array(z.string().min(1)).optional(),
  /** Portkey's `rate_limits` of the virtual key. */
  rate_limits: rateLimitsSchema.optional(),
  /** Portkey's `usage_limits` of the virtual key. */
  usage_limits: usageLimitsSchema.optional(),
});

/**
 * Limits per value of a metadata key (`x-portkey-metadata: {"_user": "u1"}`): each value the clients
 * send gets its own counters. Values are chosen by the client: a client can spread its requests over
 * several values unless its gateway key pins them.
 */
export const metadataLimitSchema = z.strictObject({
  /** The metadata key whose values are limited (`_user`, `team` ...). */
  key: z.string().min(1).max(128),
  rate_limits: rateLimitsSchema.optional(),
  usage_limits: usageLimitsSchema.optional(),
  /** Counters of a value unused for this long expire (default 86 400 s); budgets live until their reset. */
  idle_seconds: z.number().int().min(60).max(31_536_000).optional(),
  /**
   * Most values one process tracks at a time (default 10 000): a new value beyond them shares one
   * overflow counter (`*`) until a tracked value has been idle for `idle_seconds`.
   */
  max_values: z.number().int().min(1).max(1_000_000).optional(),
});

/** Size limits of incoming requests. */
export const limitsSchema = z.strictObject({
  /** Largest JSON body in bytes (default 20 MiB). */
  body_limit_bytes: z
    .number()
    .int()
    .min(1024)
    .max(512 * 1024 * 1024)
    .optional(),
  /** Largest request header block in bytes (default 64 KiB). */
  header_limit_bytes: z
    .number()
    .int()
    .min(8 * 1024)
    .max(1024 * 1024)
    .optional(),
  /**
   * Longest time a request (headers and body) may take to arrive, in ms (default 300 000, Node's
   * own `requestTimeout`); then 408 `PK_ERR_TIMEOUT` and the connection closes. The answer's time
   * (a long stream) does not count.
   */
  receive_timeout_ms: z.number().int().min(1000).max(3_600_000).optional(),
});

/** The semantic cache: which embedding model compares prompts (any provider, through a virtual key). */
export const semanticCacheSettingsSchema = z.strictObject({
  /** The virtual key whose provider and credentials embed prompts. */
  virtual_key: idSchema,
  /** The embedding model (`text-embedding-3-small` ...). */
  model: z.string().min(1),
  /** Vectors kept in the in-process index (default 10 000), shared fairly between tenants: the largest tenant loses its oldest. */
  max_entries: z.number().int().min(1).max(1_000_000).optional(),
  /** Milliseconds an embedding call may take before the request goes on without the semantic cache (default 2000). */
  timeout_ms: z.number().int().min(10).max(60_000).optional(),
  /** With Redis: how long vectors stay in the shared stream, seconds (default 7 days). */
  retention_seconds: z.number().int().min(60).max(7_776_000).optional(),
});

/**
 * A guardrail defined once by the operator, in Portkey's raw hook form: `type` (`guardrail` |
 * `mutator`), `checks: [{ id, parameters, is_enabled?, fail_on_error? }]`, `deny`, `async`,
 * `sequential`, `on_fail`, `on_success`. Checks are validated by `@pk/guardrails` at start. Only
 * these guardrails may call a webhook or a log URL; a `secret` there is an `env:` / `file:` reference.
 */
export const guardrailSettingsSchema = z.record(z.string(), z.unknown());

/** The operator's settings file (`PK_SETTINGS`): JSON or YAML. Every key is optional. */
export const settingsFileSchema = z.strictObject({
  /** Gateway API keys. With none, the gateway serves loopback only. */
  gateway_keys: z.array(gatewayKeySchema).optional(),
  /** Virtual keys: id -> stored provider credential. */
  virtual_keys: z.record(idSchema, virtualKeySchema).optional(),
  /** Saved configs: id -> config (validated by `@pk/config` at start). */
  configs: z.record(z.string().min(1), z.record(z.string(), z.unknown())).optional(),
  /** Custom hosts that may receive stored credentials and may be private addresses. */
  trusted_custom_hosts: z.array(z.string().min(1)).optional(),
  /** Browser origins allowed to call the gateway (CORS and the Origin check). */
  allowed_origins: z.array(z.string().min(1)).optional(),
  /** Request size limits. */
  limits: limitsSchema.optional(),
  /** Semantic cache (needed only by configs with `cache.mode: semantic`). */
  semantic_cache: semanticCacheSettingsSchema.optional(),
  /**
   * Prices that replace or add to `@pk/prices`' built-in table, in USD per 1M tokens:
   * `{ <provider or "*">: { <model or "*">: { input, output, cached_input?, cache_write?, ... } } }`.
   */
  prices: priceOverridesSchema.optional(),
  /** Rate limits and budgets per metadata value (gateway and virtual keys carry their own). */
  metadata_limits: z.array(metadataLimitSchema).max(20).optional(),
  /** Guardrails by id, referred to from configs (`input_guardrails: ["<id>"]`, `before_request_hooks: [{ id }]`). */
  guardrails: z.record(idSchema, guardrailSettingsSchema).optional(),
});

/** The settings file as written. */
export type SettingsFile = z.infer<typeof settingsFileSchema>;
