import { providerIdSchema } from '@pk/config';
import { z } from 'zod';
import { StoreError } from '../errors.js';
import { SLUG_PATTERN } from '../ids.js';
import { rateLimitsSchema, usageLimitsSchema } from '../limits.js';

const slugSchema = z
  .string()
  .regex(SLUG_PATTERN, 'expected [a-z0-9_-], 1-64 characters, starting with a letter or digit');

/** An expiry: ISO 8601 text or a `Date`; `null` for none. */
const expiresAtSchema = z.union([z.string(), z.date()]).transform((value, context) => {
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(time)) {
    context.addIssue({ code: 'custom', message: 'expected an ISO 8601 date-time' });
    return z.NEVER;
  }
  return time;
});

/**
 * Refuses an expiry that has passed (`expiresAt`, ms since the epoch) for a key being created, or
 * changed to it: such a key would be written dead (a user who typed last year's date, or a time zone
 * off by a day, saw "saved" and a key that answers 401). A key that must stop now is revoked.
 * `previous`: the stored expiry on an update, which may stay as it is (an edit of an expired key's
 * name resends it).
 */
export function refusePastExpiry(
  expiresAt: number | null | undefined,
  now: number,
  what: string,
  previous?: number | null,
): void {
  if (expiresAt === null || expiresAt === undefined || expiresAt > now) return;
  if (previous !== null && previous !== undefined && expiresAt === Number(previous)) return;
  const message = `is in the past (${new Date(expiresAt).toISOString()}): give a later date and time, or none; to stop a key now, revoke or delete it`;
  throw new StoreError('invalid', `invalid ${what}: expiresAt: ${message}`, {
    issues: [{ path: 'expiresAt', message }],
  });
}

/**
 * What a name may not hold: control characters (NUL, which PostgreSQL's text refuses while SQLite
 * kept it, a line break that splits a CLI table or a log line) and the bidirectional overrides and
 * isolates that make a name display as other text (`U+202E`, "Trojan Source").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
export const UNSHOWABLE_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** What a name holding one of {@link UNSHOWABLE_IN_NAME} is told. */
export const UNSHOWABLE_NAME_MESSAGE =
  'must not hold control characters (NUL and the others of U+0000–U+001F, U+007F–U+009F) or bidirectional overrides (U+202A–U+202E, U+2066–U+2069)';

/**
 * A record's name, trimmed. Its refusals are plain words (`name: must not be blank`): the admin API,
 * the CLI and the console show them as they are.
 */
const nameSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'expected text') })
  .trim()
  .min(1, 'must not be blank')
  .max(200, 'must be at most 200 characters')
  .refine((name) => !UNSHOWABLE_IN_NAME.test(name), UNSHOWABLE_NAME_MESSAGE);

/**
 * Whether a credential can be sent as an HTTP header value (`Authorization: Bearer …`,
 * `x-api-key: …`): printable ASCII, no space at either end (a key pasted with its line break).
 */
export function isHeaderSafeCredential(value: string): boolean {
  return /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value);
}

/** What a credential that cannot be a header value is told. */
export const HEADER_UNSAFE_CREDENTIAL =
  'expected printable ASCII with no space or line break at either end: the key is sent in an HTTP header';

/** A provider API key: stored encrypted, sent in a header. */
const apiKeySchema = z.string().min(1).max(65_536).refine(isHeaderSafeCredential, HEADER_UNSAFE_CREDENTIAL);

/** A JSON object whose text is at most `maxBytes` long. */
function jsonObjectSchema(maxBytes: number) {
  return z.record(z.string(), z.unknown()).refine((value) => {
    try {
      return Buffer.byteLength(JSON.stringify(value)) <= maxBytes;
    } catch {
      return false;
    }
  }, `expected a JSON object of at most ${maxBytes} bytes`);
}
const metadataSchema = z.record(z.string().max(128), z.string().max(1024));

/** A new gateway key (the secret is generated and returned once). */
export const createGatewayKeyInputSchema = z.strictObject({
  /** Default: a new UUID. */
  id: slugSchema.optional(),
  /** Default: the id. */
  name: nameSchema.optional(),
  /** Default: the id. Keys sharing a tenant share cache entries, logs and limits. */
  tenant: slugSchema.optional(),
  /** Default `user`. */
  role: z.enum(['user', 'admin']).optional(),
  /** Allowed virtual key slugs; null or absent for all. */
  virtualKeys: z.array(slugSchema).max(1000).nullable().optional(),
  /** Allowed saved config slugs; null or absent for all. */
  configs: z.array(slugSchema).max(1000).nullable().optional(),
  scopes: z.array(z.string().min(1).max(100)).max(200).optional(),
  rateLimits: rateLimitsSchema.nullable().optional(),
  usageLimits: usageLimitsSchema.nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
  expiresAt: expiresAtSchema.nullable().optional(),
  /** Free text shown in lists. */
  description: z.string().max(2000).nullable().optional(),
  /**
   * Fields of Portkey's API keys that pk keeps and returns but does not act on (`type`, `user_id`,
   * `defaults`, `alert_emails` ...): a JSON object of at most 16 KiB.
   */
  attributes: jsonObjectSchema(16 * 1024)
    .nullable()
    .optional(),
});

/** Input of `gatewayKeys.create`. */
export type CreateGatewayKeyInput = z.input<typeof createGatewayKeyInputSchema>;

/** A change to a gateway key: the fields given replace the stored ones (null clears). */
export const updateGatewayKeyInputSchema = createGatewayKeyInputSchema.omit({ id: true });

/** Input of `gatewayKeys.update`. */
export type UpdateGatewayKeyInput = z.input<typeof updateGatewayKeyInputSchema>;

const optionValueSchema = z.union([z.string().max(65_536), z.number(), z.boolean()]);
const optionNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a snake_case option name (resource_name, aws_region …)');

/** A new virtual key. */
export const createVirtualKeyInputSchema = z.strictObject({
  /** What requests name. Default: from the name, Portkey's form (`azure-test-4110dd`). */
  slug: slugSchema.optional(),
  name: nameSchema,
  note: z.string().max(2000).nullable().optional(),
  /** Portkey provider id (`openai`, `anthropic`, `azure-openai` ...). */
  provider: providerIdSchema,
  /** The provider API key: encrypted in the vault, never returned. */
  apiKey: apiKeySchema.optional(),
  /** Provider options (snake_case); credential options (`aws_secret_access_key` ...) are encrypted. */
  options: z.record(optionNameSchema, optionValueSchema).optional(),
  models: z.array(z.string().min(1).max(200)).max(1000).optional(),
  allowedHosts: z.array(z.string().min(1).max(253)).max(100).optional(),
  usageLimits: usageLimitsSchema.nullable().optional(),
  rateLimits: rateLimitsSchema.nullable().optional(),
  expiresAt: expiresAtSchema.nullable().optional(),
});

/** Input of `virtualKeys.create`. */
export type CreateVirtualKeyInput = z.input<typeof createVirtualKeyInputSchema>;

/**
 * A change to a virtual key. Fields given replace the stored ones; `options` is merged option by
 * option (a null value removes one), so changing a region keeps the stored credentials;
 * `apiKey: null` removes the API key.
 */
export const updateVirtualKeyInputSchema = createVirtualKeyInputSchema
  .omit({ slug: true, apiKey: true, options: true })
  .partial()
  .extend({
    apiKey: apiKeySchema.nullable().optional(),
    options: z.record(optionNameSchema, optionValueSchema.nullable()).optional(),
    /** True disables the key (the gateway refuses requests naming it), false enables it again. */
    disabled: z.boolean().optional(),
  });

/** Input of `virtualKeys.update`. */
export type UpdateVirtualKeyInput = z.input<typeof updateVirtualKeyInputSchema>;

/** A new integration (Portkey's model catalog): a provider's credentials and options, defined once. */
export const createIntegrationInputSchema = z.strictObject({
  /** Default: from the name, like a virtual key's (`openai-production-4110dd`). */
  slug: slugSchema.optional(),
  name: nameSchema,
  description: z.string().max(2000).nullable().optional(),
  /** Portkey provider id (`openai`, `anthropic`, `azure-openai` ...). */
  provider: providerIdSchema,
  /** The provider API key: encrypted in the vault, never returned. */
  apiKey: apiKeySchema.optional(),
  /** Provider options (snake_case); credential options are encrypted. */
  options: z.record(optionNameSchema, optionValueSchema).optional(),
  /**
   * The provider made with it in the same transaction (Portkey's `create_default_provider`, on by
   * default): its slug defaults to the integration's. Null for none.
   */
  defaultProvider: z.strictObject({ slug: slugSchema.optional() }).nullable().optional(),
});

/** Input of `integrations.create`. */
export type CreateIntegrationInput = z.input<typeof createIntegrationInputSchema>;

/**
 * A change to an integration: like a virtual key's (options merged one by one, `apiKey: null`
 * removes the key). Its providers get the new provider options and credentials.
 */
export const updateIntegrationInputSchema = z.strictObject({
  name: nameSchema.optional(),
  description: z.string().max(2000).nullable().optional(),
  apiKey: apiKeySchema.nullable().optional(),
  options: z.record(optionNameSchema, optionValueSchema.nullable()).optional(),
});

/** Input of `integrations.update`. */
export type UpdateIntegrationInput = z.input<typeof updateIntegrationInputSchema>;

/** A new provider: a virtual key whose provider, options and credentials are its integration's. */
export const createProviderInputSchema = createVirtualKeyInputSchema
  .omit({ provider: true, apiKey: true, options: true })
  .extend({
    /** The integration's slug or id. */
    integration: z.string().min(1).max(200),
  });

/** Input of `integrations.createProvider`. */
export type CreateProviderInput = z.input<typeof createProviderInputSchema>;

/** A new saved config. `config` is an object or its JSON text, validated with `parseConfig`. */
export const createConfigInputSchema = z.strictObject({
  /** What requests name. Default: Portkey's form (`pc-` + name + 6 hex). */
  slug: slugSchema.optional(),
  name: nameSchema,
  config: z.unknown(),
  isDefault: z.boolean().optional(),
});

/** Input of `configs.create`. */
export type CreateConfigInput = z.input<typeof createConfigInputSchema>;

/** A change to a saved config: a new `config` makes a new version. */
export const updateConfigInputSchema = z.strictObject({
  name: nameSchema.optional(),
  config: z.unknown().optional(),
  isDefault: z.boolean().optional(),
  /** Stored as given (Portkey's `active` ...); every saved config is served whatever its status. */
  status: z.string().min(1).max(32).optional(),
});

/** Input of `configs.update`. */
export type UpdateConfigInput = z.input<typeof updateConfigInputSchema>;

/**
 * A new guardrail: a hook in Portkey's raw form (`type`, `checks`, `deny`, `async`, `sequential`,
 * `on_fail`, `on_success`), without its id (the slug is its id). The store checks the shape; what
 * the checks mean is validated by the caller (the gateway's hook compiler), see `GuardrailWriteOptions`.
 */
export const createGuardrailInputSchema = z.strictObject({
  /** What configs name. Default: Portkey's form (`pg-` + name + 6 hex). */
  slug: slugSchema.optional(),
  name: nameSchema,
  definition: jsonObjectSchema(256 * 1024),
  /** `active` (default) or `archived`: informational, every guardrail is served. */
  status: z.enum(['active', 'archived']).optional(),
});

/** Input of `guardrails.create`. */
export type CreateGuardrailInput = z.input<typeof createGuardrailInputSchema>;

/**
 * A change to a guardrail: the fields given replace the stored ones. `definitionChanges` sets some
 * of the hook's top-level fields (`checks`, `deny` …) over the stored definition, read in the write
 * transaction, so two such changes made at once through two replicas both take (a caller that read
 * the definition, merged and wrote it whole would lose the other's). Not with `definition`.
 */
export const updateGuardrailInputSchema = createGuardrailInputSchema
  .omit({ slug: true })
  .extend({ definitionChanges: jsonObjectSchema(256 * 1024) })
  .partial()
  .refine((input) => input.definition === undefined || input.definitionChanges === undefined, {
    message: 'give definition (the whole hook) or definitionChanges (some of its fields), not both',
    path: ['definitionChanges'],
  });

/** Input of `guardrails.update`. */
export type UpdateGuardrailInput = z.input<typeof updateGuardrailInputSchema>;

/** A JSON array whose text is at most `maxBytes` long. */
function jsonArraySchema(maxBytes: number) {
  return z.array(z.unknown()).refine((value) => {
    try {
      return Buffer.byteLength(JSON.stringify(value)) <= maxBytes;
    } catch {
      return false;
    }
  }, `expected a JSON array of at most ${maxBytes} bytes`);
}

const PROMPT_TEMPLATE_MAX_BYTES = 1024 * 1024;

/** A prompt's template (Portkey's `string`): 1 character to 1 MiB of UTF-8. */
const promptTemplateSchema = z
  .string()
  .min(1)
  .refine(
    (value) => Buffer.byteLength(value) <= PROMPT_TEMPLATE_MAX_BYTES,
    `expected at most ${PROMPT_TEMPLATE_MAX_BYTES} bytes`,
  );

/** Portkey's `tool_choice`: `auto`, `none`, `required`, or an object naming a tool. */
const toolChoiceSchema = z.union([z.string().min(1).max(200), jsonObjectSchema(16 * 1024)]);

/**
 * The fields of a prompt version, as Portkey's API sends them (snake_case). In an update each one
 * given makes a new version; null clears an optional one.
 */
const promptVersionFields = {
  /** The template (Portkey's `string`). */
  string: promptTemplateSchema,
  /** Default variable values and model parameters (Portkey requires the object). */
  parameters: jsonObjectSchema(256 * 1024),
  model: z.string().min(1).max(200).nullable().optional(),
  /**
   * A virtual key (or provider) slug, also as the model catalog writes it (`@openai-prod`, stored
   * without the `@`); not checked against the stored keys here (the gateway's admin API does).
   */
  virtual_key: z
    .string()
    .transform((value) => (value.startsWith('@') ? value.slice(1) : value))
    .pipe(slugSchema)
    .nullable()
    .optional(),
  functions: jsonArraySchema(256 * 1024)
    .nullable()
    .optional(),
  tools: jsonArraySchema(256 * 1024)
    .nullable()
    .optional(),
  tool_choice: toolChoiceSchema.nullable().optional(),
  version_description: z.string().max(2000).nullable().optional(),
  template_metadata: jsonObjectSchema(64 * 1024)
    .nullable()
    .optional(),
};

/** A new prompt of Portkey's prompt library (snake_case, as Portkey's API sends it): version 1, published. */
export const createPromptInputSchema = z.strictObject({
  /** What requests name. Default: Portkey's form (`pp-` + 20 name characters + 6 hex). */
  slug: slugSchema.optional(),
  name: nameSchema,
  /** Portkey's collection (folder) id, stored as given. */
  collection_id: z.string().min(1).max(200).nullable().optional(),
  ...promptVersionFields,
});

/** Input of `prompts.create`. */
export type CreatePromptInput = z.input<typeof createPromptInputSchema>;

/**
 * A change to a prompt: `name` and `collection_id` change the prompt; any version field makes a new
 * version (the others copied from the latest), which is not published until `prompts.publish`.
 */
export const updatePromptInputSchema = z
  .strictObject({
    name: nameSchema.optional(),
    collection_id: z.string().min(1).max(200).nullable().optional(),
    ...promptVersionFields,
    string: promptTemplateSchema.optional(),
    parameters: jsonObjectSchema(256 * 1024).optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'expected at least one field to change');

/** Input of `prompts.update`. */
export type UpdatePromptInput = z.input<typeof updatePromptInputSchema>;

/**
 * A new prompt partial (Portkey's `prompts.partials.create`): a template other templates include as
 * `{{>slug}}`; version 1, published. `workspace_id` is accepted and not kept (pk's tenants are its keys').
 */
export const createPromptPartialInputSchema = z.strictObject({
  slug: slugSchema.optional(),
  name: nameSchema,
  string: promptTemplateSchema,
  version_description: z.string().max(2000).nullable().optional(),
  workspace_id: z.string().max(200).nullable().optional(),
});

/**
 * A change to a partial (Portkey's `prompts.partials.update`): `name` changes the partial, `string`
 * makes a new version (with `description` or `version_description` as its description), not published
 * until `publish`. `status` may only say `active`.
 */
export const updatePromptPartialInputSchema = z
  .strictObject({
    name: nameSchema.optional(),
    string: promptTemplateSchema.optional(),
    description: z.string().max(2000).nullable().optional(),
    version_description: z.string().max(2000).nullable().optional(),
    status: z.literal('active').optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'expected at least one field to change');

/** Feedback on a trace (Portkey's `POST /v1/feedback`). */
export const createFeedbackInputSchema = z.strictObject({
  /** As long as the gateway's trace ids (`x-portkey-trace-id`: 256 characters at most). */
  traceId: z.string().min(1).max(256),
  /** -10 ... 10. */
  value: z.number().int().min(-10).max(10),
  /** 0 ... 1; absent or out of range becomes 1, as Portkey does. */
  weight: z.number().optional(),
  /** Keys and values are turned into text and cut to 128 characters, as Portkey does. */
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  /** The tenant of the key that sent it: feedback is only seen within its tenant. */
  tenant: slugSchema,
  gatewayKeyId: z.string().nullable().optional(),
});

/** Input of `feedback.create`. */
export type CreateFeedbackInput = z.input<typeof createFeedbackInputSchema>;

/** A change to feedback (Portkey's `PUT /v1/feedback/:id`): value and weight are rewritten. */
export const updateFeedbackInputSchema = createFeedbackInputSchema
  .pick({ value: true, weight: true, metadata: true })
  .extend({ tenant: slugSchema });

/** Input of `feedback.update`. */
export type UpdateFeedbackInput = z.input<typeof updateFeedbackInputSchema>;

/** Validates `input`, or throws a {@link StoreError} `invalid` listing every problem with its path. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
  throw new StoreError(
    'invalid',
    `invalid ${what}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { issues },
  );
}
