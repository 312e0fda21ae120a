export {
  ANONYMOUS_TENANT,
  buildSnapshot,
  type Catalog,
  type CatalogSnapshot,
  createStaticCatalog,
  type GatewayKey,
  type SavedConfig,
  type SettingsGuardrail,
  type SettingsRecords,
  type StoredGuardrail,
  type VirtualKey,
} from './catalog/catalog.js';
export { describeDatabaseUrl } from './database/connection-url.js';
export { isQuoted, pathVariableProblem } from './database/path-variable.js';
export type { Database, Engine } from './database/schema.js';
export { StoreError, type StoreErrorCode, type StoreIssue, StoreStartError } from './errors.js';
export { hashGatewayKeySecret, SLUG_PATTERN } from './ids.js';
export {
  type RateLimit,
  rateLimitSchema,
  rateLimitsSchema,
  type UsageLimits,
  usageLimitsSchema,
} from './limits.js';
export { UNIVERSAL_LABELS } from './migrations/0012-prompt-labels.js';
export { MIGRATION_TABLE, migrationsFor } from './migrations/migrate.js';
export {
  DEFAULT_DATA_DIR,
  type OpenStoreOptions,
  openStore,
  SQLITE_FILE,
  type Store,
  type StoreStatus,
} from './open-store.js';
export type {
  AuditAction,
  AuditEntry,
  AuditLogRepository,
  ListAuditOptions,
} from './repositories/audit-log.js';
export type {
  CollectionContents,
  CollectionInput,
  CollectionRecord,
  CollectionRepository,
} from './repositories/collections.js';
export { CONFIG_CREDENTIAL_FIELDS } from './repositories/config-secrets.js';
export type {
  ConfigRecord,
  ConfigRepository,
  ConfigVersionRecord,
  ConfigWriteOptions,
} from './repositories/configs.js';
export {
  CONSOLE_SESSION_TTL_MS,
  type ConsoleSession,
  ConsoleSessionRepository,
  type CreatedConsoleSession,
} from './repositories/console-sessions.js';
export {
  FEEDBACK_SPILL_FILE,
  type FeedbackRecord,
  type FeedbackRepository,
  type FeedbackRow,
  feedbackRowOfLine,
} from './repositories/feedback.js';
export type {
  CreatedGatewayKey,
  GatewayKeyRecord,
  GatewayKeyRepository,
  ListGatewayKeysOptions,
} from './repositories/gateway-keys.js';
export type {
  GuardrailRecord,
  GuardrailRepository,
  GuardrailWriteOptions,
} from './repositories/guardrails.js';
export type {
  CreateConfigInput,
  CreateFeedbackInput,
  CreateGatewayKeyInput,
  CreateGuardrailInput,
  CreateIntegrationInput,
  CreatePromptInput,
  CreateProviderInput,
  CreateVirtualKeyInput,
  UpdateConfigInput,
  UpdateFeedbackInput,
  UpdateGatewayKeyInput,
  UpdateGuardrailInput,
  UpdateIntegrationInput,
  UpdatePromptInput,
  UpdateVirtualKeyInput,
} from './repositories/inputs.js';
export { HEADER_UNSAFE_CREDENTIAL, isHeaderSafeCredential } from './repositories/inputs.js';
export type { IntegrationRecord, IntegrationRepository } from './repositories/integrations.js';
export {
  LABEL_NAME_PATTERN,
  type LabelInput,
  type LabelRecord,
  type LabelRepository,
} from './repositories/labels.js';
export { type LimitSpend, LimitSpendRecorder, utcDayOf } from './repositories/limit-spend.js';
export {
  LIMIT_SPEND_SPILL_FILE,
  type LimitSpendSpillRow,
  limitSpendRowOfLine,
  writeSpilledLimitSpend,
} from './repositories/limit-spend-spill.js';
export type {
  ListPromptsOptions,
  PromptKind,
  PromptRecord,
  PromptRepository,
  PromptVersionRecord,
  ResolvedPrompt,
} from './repositories/prompts.js';
export { type Actor, isStaleCheck, type WriteBasis } from './repositories/store-context.js';
export type { VaultRepository } from './repositories/vault-state.js';
export type { VirtualKeyRecord, VirtualKeyRepository } from './repositories/virtual-keys.js';
export * from './request-logs/index.js';
export { CREDENTIAL_OPTION_PATTERN, isCredentialOption, maskSecret, Secret } from './secret.js';
export { storeExists } from './store-exists.js';
export { generateMasterKey, MASTER_KEY_FILE, parseMasterKeys } from './vault/master-key.js';
export { masterKeyId, Vault, VaultError } from './vault/vault.js';
