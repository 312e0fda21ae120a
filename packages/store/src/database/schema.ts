import type { ColumnType, Generated } from 'kysely';

/*
 * The tables of one migration history (see `../migrations/`), typed for Kysely. Portable across
 * SQLite and PostgreSQL: times are integer milliseconds since the epoch (UTC), JSON values are text,
 * ciphertexts are BLOB / BYTEA, booleans are 0/1 integers.
 */

/** One row (id 1): the change counter every replica polls, and the vault's check value. */
export interface StateTable {
  id: number;
  /** Incremented by every write that changes what the request path serves. */
  version: number;
  /** A constant encrypted under the newest master key: proves at start that the key ring fits. */
  vault_check: Uint8Array | null;
  created_at: number;
}

/** Gateway API keys. The secret itself is never stored: only its SHA-256. */
export interface GatewayKeysTable {
  id: string;
  name: string;
  /** Keys sharing a tenant share cache entries, logs and limits. Defaults to the key's id. */
  tenant: string;
  /** `user` or `admin`. */
  role: string;
  /** SHA-256 of the secret, hex. */
  key_hash: string;
  /** The masked secret (`pk-…abcd`), for lists. */
  key_hint: string;
  /** JSON array of allowed virtual key slugs, or null for all. */
  virtual_keys: string | null;
  /** JSON array of allowed saved config slugs, or null for all. */
  configs: string | null;
  /** JSON array of scope names. */
  scopes: string;
  /** JSON: Portkey's `rate_limits`, or null. */
  rate_limits: string | null;
  /** JSON: Portkey's `usage_limits`, or null. */
  usage_limits: string | null;
  /** JSON object of string values (Portkey's `defaults.metadata` and the like), or null. */
  metadata: string | null;
  /** Free text shown in lists (migration 0002). */
  description: string | null;
  /**
   * JSON object of Portkey's API-key fields pk keeps and returns but does not act on (`type`,
   * `user_id`, `defaults`, `alert_emails` …), or null (migration 0002).
   */
  attributes: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
  updated_at: number;
}

/** When each gateway key was last used: written in batches, apart from the key rows. */
export interface GatewayKeyUsageTable {
  key_id: string;
  last_used_at: number;
}

/** Settled spend of a limited subject on one UTC day (migration 0017). */
export interface LimitSpendTable {
  /** The limits' subject key: `vk:<slug>`, `gk:<key id>`, `md:<rule>:<tenant>:<value>`. */
  subject: string;
  /** Days since 1970-01-01 UTC. */
  day: number;
  cost_micros: number;
  tokens: number;
  requests: number;
}

/** Spilled limits' spend already added to `limit_spend` (migration 0023): one row per spill line. */
export interface LimitSpendSpillsTable {
  /** The spill line's id. */
  id: string;
  /** Epoch ms of the replay that added it. */
  written_at: number;
}

/** Virtual keys: a provider, its options and its credentials (encrypted). */
export interface VirtualKeysTable {
  id: string;
  /** What requests name (`x-portkey-virtual-key`, `@slug`). Never changes. */
  slug: string;
  name: string;
  note: string | null;
  provider: string;
  /** JSON object of the options that are not credentials. */
  options: string;
  /** JSON array of model ids. */
  models: string;
  /** JSON array of hosts this credential may be sent to besides the provider's own. */
  allowed_hosts: string;
  /** The credentials (`api_key` and credential options) as one AES-256-GCM envelope, or null. */
  secret: Uint8Array | null;
  /** Which master key encrypted `secret` (its fingerprint). */
  secret_key_id: string | null;
  /** JSON object: credential name → its masked form (`sk-…abcd`). */
  secret_hints: string;
  usage_limits: string | null;
  rate_limits: string | null;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
  /**
   * When the key was disabled, or null while it is enabled (migration 0021: keys stored before it
   * are enabled). A disabled key is refused by the gateway and kept with its history.
   */
  disabled_at: number | null;
  /**
   * The integration a provider was made from (Portkey's model catalog), or null: its provider,
   * options and credentials are then a copy of the integration's, rewritten when that changes.
   */
  integration_id: string | null;
}

/**
 * Integrations (Portkey's model catalog): a provider's credentials and configuration, defined once;
 * requests use the providers (virtual keys) made from them.
 */
export interface IntegrationsTable {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  provider: string;
  /** JSON object of the options that are not credentials. */
  options: string;
  /** The credentials (`api_key` and credential options) as one AES-256-GCM envelope, or null. */
  secret: Uint8Array | null;
  secret_key_id: string | null;
  /** JSON object: credential name → its masked form. */
  secret_hints: string;
  created_at: number;
  updated_at: number;
}

/** Saved configs; their content lives in `config_versions`. */
export interface ConfigsTable {
  id: string;
  /** What requests name (`x-portkey-config: pc-…`). Never changes. */
  slug: string;
  name: string;
  is_default: number;
  status: string;
  /** The version the slug serves: the highest `config_versions.version`. */
  latest_version: number;
  created_at: number;
  updated_at: number;
}

/** Every version of every saved config, immutable. */
export interface ConfigVersionsTable {
  /** The version id (Portkey's `version_id`). */
  id: string;
  config_id: string;
  /** 1, 2, 3 … per config. */
  version: number;
  /**
   * The config JSON as `parseConfig` normalised it, credentials (`api_key`, `aws_secret_access_key`
   * …) replaced by their masked form.
   */
  config: string;
  /** The credentials taken out of `config`, by JSON path, as one AES-256-GCM envelope; or null. */
  secret: Uint8Array | null;
  /** Which master key encrypted `secret`. */
  secret_key_id: string | null;
  /** The version this one restored, for a rollback. */
  restored_from: string | null;
  created_at: number;
  created_by: string;
}

/**
 * Prompts of Portkey's prompt library (migration 0008); their templates live in `prompt_versions`.
 * Requests name a prompt by slug or id and get its published version (`slug@7`: version 7).
 */
export interface PromptsTable {
  id: string;
  /** What requests name (`pp-…`). Never changes. */
  slug: string;
  name: string;
  /** Portkey's collection (folder) id, stored as given; or null. */
  collection_id: string | null;
  /** `active`. */
  status: string;
  /** `prompt`, or `partial`: a template other templates include (`{{>slug}}`). */
  kind: Generated<string>;
  /** The version requests without a suffix get: changed only by publishing. */
  published_version: number;
  /** The highest `prompt_versions.version`. */
  latest_version: number;
  created_at: number;
  updated_at: number;
}

/** Every version of every prompt, immutable (migration 0008). */
export interface PromptVersionsTable {
  /** The version id (Portkey's `version_id`). */
  id: string;
  prompt_id: string;
  /** 1, 2, 3 … per prompt. */
  version: number;
  /** The template (Portkey's `string`). */
  template: string;
  /** JSON object: the template's parameters (default variable values, model parameters). */
  parameters: string;
  model: string | null;
  /** A virtual key slug, stored as written. */
  virtual_key: string | null;
  /** JSON array, or null. */
  functions: string | null;
  /** JSON array, or null. */
  tools: string | null;
  /** JSON (a string or an object), or null. */
  tool_choice: string | null;
  /** Portkey's `version_description`. */
  description: string | null;
  /** JSON object, or null. */
  template_metadata: string | null;
  created_at: number;
  created_by: string;
}

/** Feedback on a trace (Portkey's `POST /v1/feedback`). */
export interface FeedbackTable {
  id: string;
  trace_id: string;
  /** -10 ... 10. */
  value: number;
  /** 0 … 1. */
  weight: number;
  /** JSON object of string values, or null. */
  metadata: string | null;
  tenant: string;
  gateway_key_id: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * Guardrails defined once and referred to by slug from configs (migration 0002): a hook in Portkey's
 * raw form. Not versioned: every change is in the audit log, and `version_id` changes with it.
 */
export interface GuardrailsTable {
  id: string;
  /** What configs name (`input_guardrails: ["<slug>"]`). Never changes. */
  slug: string;
  name: string;
  /**
   * JSON: the hook without its id (`type`, `checks`, `deny`, `async`, `sequential`, `on_fail`,
   * `on_success`), its checks' headers' values and URLs' user, password and query string masked
   * (migration 0019; a row written before holds them in clear, and `secret` null).
   */
  definition: string;
  /** The masked values by path (JSON), encrypted by the vault (migration 0019); null when none. */
  secret: Uint8Array | null;
  secret_key_id: string | null;
  /** `active` or `archived` (informational: every guardrail is served). */
  status: string;
  /** A new id at every change (Portkey's `version_id`). */
  version_id: string;
  created_at: number;
  updated_at: number;
}

/** Every change to keys, virtual keys, configs and the vault: who, what, when, before and after. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  /** `key:<gateway key id>`, `cli`, `system` … */
  actor: string;
  /** `create`, `update`, `revoke`, `delete`, `rollback`, `publish`, `rotate`. */
  action: string;
  /** `gateway_key`, `virtual_key`, `integration`, `config`, `guardrail`, `prompt`, `vault`. */
  entity: string;
  entity_id: string;
  /** JSON of the record before the change (secrets masked), or null. */
  before: string | null;
  /** JSON of the record after the change (secrets masked), or null. */
  after: string | null;
}

/** One request (or a custom log of `POST /v1/logs`): see `request-logs/log-record.ts`. */
export interface RequestLogsTable {
  id: string;
  created_at: number;
  tenant: string;
  trace_id: string;
  span_id: string | null;
  parent_span_id: string | null;
  span_name: string | null;
  /** `gateway` (a proxied request) or `custom` (`POST /v1/logs`). */
  source: string;
  gateway_key_id: string | null;
  virtual_key: string | null;
  config_id: string | null;
  config_version: number | null;
  /** The saved prompt and version a `/prompts/:id/completions` request ran (`pp-support-1a2b3c@2`). */
  prompt: string | null;
  method: string | null;
  endpoint: string | null;
  stream: number;
  provider: string | null;
  model: string | null;
  answered_model: string | null;
  status: number;
  error_code: string | null;
  latency_ms: number;
  first_byte_ms: number | null;
  overhead_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cached_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  cost: number | null;
  cost_status: string | null;
  cache_status: string | null;
  retries: number | null;
  target_path: string | null;
  /** `metadata._user`, copied out for the analytics' per-user grouping. */
  user_id: string | null;
  /** JSON object of string values. */
  metadata: string | null;
  /** JSON array of the attempts. */
  attempts: string | null;
  request_body: string | null;
  response_body: string | null;
  body_truncated: ColumnType<number, number | undefined, number>;
  /** The path a pass-through request called, without its query string (migration 0016); else null. */
  path: string | null;
  /** The message of the error answer the client got (migration 0018). */
  error_message: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON array of the hooks' results (`LogHookResult`, request-logs/log-record.ts; migration 0018). */
  guardrails: ColumnType<string | null, string | null | undefined, string | null>;
  /** `provider` when the cost is what the provider said it charged; null: pk's price table (migration 0022). */
  cost_source: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON array of the parts of a cost (`LogCostPart`, request-logs/log-record.ts; migration 0022). */
  cost_parts: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One metadata entry of a request log, for `metadata.<key>=<value>` filters. */
export interface RequestLogMetadataTable {
  log_id: string;
  tenant: string;
  key: string;
  value: string;
  created_at: number;
}

/** The whole database, for Kysely. */
export interface Database {
  request_logs: RequestLogsTable;
  request_log_metadata: RequestLogMetadataTable;
  pk_state: StateTable;
  gateway_keys: GatewayKeysTable;
  gateway_key_usage: GatewayKeyUsageTable;
  limit_spend: LimitSpendTable;
  limit_spend_spills: LimitSpendSpillsTable;
  virtual_keys: VirtualKeysTable;
  integrations: IntegrationsTable;
  configs: ConfigsTable;
  config_versions: ConfigVersionsTable;
  prompts: PromptsTable;
  prompt_versions: PromptVersionsTable;
  feedback: FeedbackTable;
  audit_log: AuditLogTable;
  guardrails: GuardrailsTable;
  console_sessions: ConsoleSessionsTable;
  log_exports: LogExportsTable;
  log_export_parts: LogExportPartsTable;
  labels: LabelsTable;
  prompt_version_labels: PromptVersionLabelsTable;
  collections: CollectionsTable;
}

/** Prompt collections (migration 0014). */
export interface CollectionsTable {
  id: string;
  /** Unique; a collection is named by its id or its slug. */
  slug: string;
  name: string;
  /** The collection it is in, or null at the top. */
  parent_id: string | null;
  created_at: number;
  updated_at: number;
}

/** Prompt labels (migration 0012). */
export interface LabelsTable {
  id: string;
  /** Unique; what a request's `slug@name` names. */
  name: string;
  description: string | null;
  color_code: string | null;
  /** 1 for the labels every store starts with (`production`, `staging`, `development`). */
  is_universal: number;
  created_at: number;
  updated_at: number;
}

/** Which version of a prompt each label points at (one per prompt and label; migration 0012). */
export interface PromptVersionLabelsTable {
  prompt_id: string;
  label_id: string;
  version_id: string;
  updated_at: number;
}

/** Log export jobs (migration 0011). */
export interface LogExportsTable {
  id: string;
  /** The tenant whose records it exports; null: every tenant's (made with an admin key). */
  tenant: string | null;
  /** `key:<gateway key id>`, `cli`, or null. */
  created_by: string | null;
  description: string;
  /** JSON: Portkey's filter object, as accepted. */
  filters: string;
  /** JSON: the fields each line has, in order. */
  requested_data: string;
  /** `draft`, `in_progress`, `success`, `failed` or `stopped`. */
  status: string;
  /** Records written, once finished. */
  total: number | null;
  /** Records written so far (progress). */
  exported: number;
  error: string | null;
  /** SHA-256 of the current download link's token. */
  download_token_hash: string | null;
  download_expires_at: number | null;
  created_at: number;
  /** Also the running job's heartbeat. */
  updated_at: number;
  /** The current (or last) run: only its job may report progress and finish (migration 0015). */
  run_id: string | null;
}

/** An export's JSONL, in order of `part` (migration 0011). */
export interface LogExportPartsTable {
  export_id: string;
  part: number;
  body: string;
}

/** Console sign-in sessions: the token's SHA-256, never the token. */
export interface ConsoleSessionsTable {
  token_hash: string;
  key_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/** Which engine a store runs on. */
export type Engine = 'sqlite' | 'postgres';
