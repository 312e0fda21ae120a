import {
  camelToSnake,
  customHostFormProblem,
  customHostSchema,
  isProviderId,
  PkError,
  PROVIDER_OPTION_KEYS,
} from '@pk/config';
import type { CreateVirtualKeyInput, UpdateVirtualKeyInput } from '@pk/store';
import { type AdminBody, field } from './portkey-body.js';

/** Portkey's names of the provider key (`key` in its API and SDK) and pk's own. */
const SECRET_FIELDS = ['key', 'api_key', 'apiKey'] as const;
/** Fields with a meaning of their own (everything else must be a provider option). */
const RECORD_FIELDS = new Set([
  'name',
  'provider',
  'note',
  'slug',
  'options',
  'models',
  'allowed_hosts',
  'allowedHosts',
  'usage_limits',
  'usageLimits',
  'rate_limits',
  'rateLimits',
  'expires_at',
  'expiresAt',
  'status',
  ...SECRET_FIELDS,
]);
/** Portkey fields that are not the record's: workspaces are not a pk concept; `reset_usage` is the update route's (it resets the key's usage). */
const IGNORED_FIELDS = new Set([
  'workspace_id',
  'workspaceId',
  'organisation_id',
  'reset_usage',
  'resetUsage',
]);
/** Portkey's Azure fields whose pk option has another name. */
const RENAMED_OPTIONS: Readonly<Record<string, string>> = {
  deployment_name: 'deployment_id',
  custom_host: 'custom_host',
};
const OPTION_KEYS = new Set([...PROVIDER_OPTION_KEYS, 'custom_host']);

type OptionValue = string | number | boolean;

/**
 * Portkey's `deploymentConfig` (Azure: `[{ deploymentName, apiVersion, alias, is_default }]`): pk's
 * virtual key has one deployment, so the default entry (or the only one) gives `deployment_id` and
 * `api_version`.
 */
function deploymentOptions(value: unknown): Record<string, OptionValue> {
  if (!Array.isArray(value) || value.length === 0) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'deployment_config: expected a list of deployments', {
      param: 'deployment_config',
    });
  }
  const entries = value as Record<string, unknown>[];
  const chosen =
    entries.length === 1
      ? entries[0]
      : entries.find((entry) => entry?.is_default === true || entry?.isDefault === true);
  if (!chosen || typeof chosen !== 'object') {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'deployment_config: pk keeps one deployment per virtual key; mark one entry is_default: true',
      { param: 'deployment_config' },
    );
  }
  const deployment = field(chosen, 'deploymentName', 'deployment_name');
  const apiVersion = field(chosen, 'apiVersion', 'api_version');
  return {
    ...(typeof deployment === 'string' ? { deployment_id: deployment } : {}),
    ...(typeof apiVersion === 'string' ? { api_version: apiVersion } : {}),
  };
}

/**
 * The provider options of a virtual-key body: pk's `options` object, plus every top-level Portkey
 * field that names one (`apiVersion`, `resourceName`, `awsRegion`, `aws_secret_access_key` …,
 * either spelling), `deploymentName` as `deployment_id` and `deploymentConfig`'s default deployment.
 * A field that is neither known nor an option is a 400 naming it.
 */
function optionsOf(
  body: AdminBody,
  allowNull: boolean,
  what = 'virtual key',
): Record<string, OptionValue | null> {
  const options: Record<string, OptionValue | null> = {};
  const given = body.options;
  if (given !== undefined) {
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw new PkError('PK_ERR_INVALID_REQUEST', 'options: expected an object of provider options', {
        param: 'options',
      });
    }
    Object.assign(options, given);
  }
  for (const [key, value] of Object.entries(body)) {
    if (RECORD_FIELDS.has(key) || IGNORED_FIELDS.has(key) || value === undefined) continue;
    const name = camelToSnake(key);
    if (name === 'model_config') {
      if (value === null || (typeof value === 'object' && Object.keys(value).length === 0)) continue;
      throw new PkError(
        'PK_ERR_INVALID_REQUEST',
        'model_config: pk has no model configuration on virtual keys; name the model in the request or a config',
        { param: key },
      );
    }
    if (name === 'deployment_config') {
      Object.assign(options, deploymentOptions(value));
      continue;
    }
    const option = RENAMED_OPTIONS[name] ?? name;
    if (!OPTION_KEYS.has(option)) {
      throw new PkError('PK_ERR_INVALID_REQUEST', `${what}: unknown field ${JSON.stringify(key)}`, {
        param: key,
      });
    }
    if (value === null && allowNull) {
      options[option] = null;
      continue;
    }
    if (option === SERVICE_ACCOUNT_OPTION) {
      options[option] = value as OptionValue;
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new PkError(
        'PK_ERR_INVALID_REQUEST',
        `${key}: expected a string, number or boolean (pk keeps provider options as plain values)`,
        { param: key },
      );
    }
    options[option] = value;
  }
  // A host that is no http(s) URL would fail every request through the key (502, ERR_INVALID_URL).
  const host = options.custom_host;
  if (host !== undefined && host !== null && !customHostSchema.safeParse(host).success) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'custom_host: expected an http:// or https:// URL', {
      param: 'custom_host',
    });
  }
  // Credentials would be kept in clear beside the encrypted key and shown by every listing; a query
  // would be called with the endpoint after it.
  const formProblem = typeof host === 'string' ? customHostFormProblem(host) : undefined;
  if (formProblem !== undefined) {
    throw new PkError('PK_ERR_INVALID_REQUEST', `custom_host: ${formProblem}`, { param: 'custom_host' });
  }
  const account = options[SERVICE_ACCOUNT_OPTION];
  if (account !== undefined && account !== null) {
    options[SERVICE_ACCOUNT_OPTION] = serviceAccountText(account);
  }
  return options;
}

/** The one option whose value is an object: Vertex's service-account key file. */
const SERVICE_ACCOUNT_OPTION = 'vertex_service_account_json';

/**
 * A service-account key file given as an object or as its JSON text, as the JSON text the store
 * keeps (encrypted, like every credential). Anything else is a 400 that describes, never shows, it.
 */
function serviceAccountText(value: unknown): string {
  let object: unknown = value;
  if (typeof value === 'string') {
    try {
      object = JSON.parse(value);
    } catch {
      object = undefined;
    }
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    const given = typeof value === 'string' ? `a string of ${value.length} characters` : describeKind(value);
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `vertex_service_account_json: expected the service-account key file as an object or its JSON text, got ${given}`,
      { param: SERVICE_ACCOUNT_OPTION },
    );
  }
  return typeof value === 'string' ? value : JSON.stringify(object);
}

function describeKind(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'number' || typeof value === 'boolean' ? `a ${typeof value}` : 'nothing usable';
}

function secretOf(body: AdminBody): string | null | undefined {
  const value = field(body, ...SECRET_FIELDS);
  if (value === undefined || value === null) return value as null | undefined;
  if (typeof value !== 'string') {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'key: expected the provider API key as a string', {
      param: 'key',
    });
  }
  if (value === '') {
    // A form's blank field sent as is: one plain sentence rather than the store schema's two.
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'key: empty: give the provider API key, or leave key out for a provider that takes none',
      { param: 'key' },
    );
  }
  return value;
}

/**
 * Refuses a `provider` that is not one of pk's provider ids (or a missing one on create) in one
 * short sentence, as the integration routes do: the store's schema would list all ~150 ids.
 */
function checkProvider(body: AdminBody, required: boolean): void {
  const value = body.provider;
  if (value === undefined && !required) return;
  if (typeof value === 'string' && isProviderId(value)) return;
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    `provider: ${value === undefined ? 'required' : `unknown provider ${JSON.stringify(value)}`}: expected a provider id such as "openai", "anthropic" or "azure-openai"`,
    { param: 'provider' },
  );
}

/** Common fields of create and update, in the store's spelling. */
function commonFields(body: AdminBody): Record<string, unknown> {
  const entries: [string, unknown][] = [
    ['name', body.name],
    ['note', body.note],
    ['provider', body.provider],
    ['models', body.models],
    ['allowedHosts', field(body, 'allowed_hosts', 'allowedHosts')],
    ['usageLimits', field(body, 'usage_limits', 'usageLimits')],
    ['rateLimits', field(body, 'rate_limits', 'rateLimits')],
    ['expiresAt', field(body, 'expires_at', 'expiresAt')],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

/** A Portkey `POST /v1/virtual-keys` body as the store's input (the secret goes to the vault). */
export function createVirtualKeyInput(body: AdminBody): CreateVirtualKeyInput {
  if (body.status !== undefined && body.status !== 'active') {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'status: a new virtual key is "active"; create it, then update its status to "disabled"',
      { param: 'status' },
    );
  }
  checkProvider(body, true);
  const apiKey = secretOf(body);
  const options = optionsOf(body, false) as Record<string, OptionValue>;
  return {
    ...(commonFields(body) as Omit<CreateVirtualKeyInput, 'apiKey' | 'options' | 'slug'>),
    ...(body.slug === undefined ? {} : { slug: body.slug as string }),
    ...(apiKey === undefined || apiKey === null ? {} : { apiKey }),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

/**
 * A Portkey `PUT /v1/virtual-keys/:slug` body as the store's input: fields given replace the stored
 * ones, options are merged one by one (null removes one), a new `key` replaces the secret.
 */
export function updateVirtualKeyInput(body: AdminBody): UpdateVirtualKeyInput {
  if (body.slug !== undefined) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'slug: a virtual key’s slug cannot change', {
      param: 'slug',
    });
  }
  checkProvider(body, false);
  const apiKey = secretOf(body);
  const options = optionsOf(body, true);
  const disabled = disabledOf(body.status);
  return {
    ...(commonFields(body) as UpdateVirtualKeyInput),
    ...(disabled === undefined ? {} : { disabled }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

/**
 * An update's `status` (Portkey's virtual-key field) as the store's `disabled`: `"disabled"` stops the
 * key, `"active"` serves it again. `expired` and `exhausted` are the gateway's to say (from
 * `expires_at` and `usage_limits`), never written.
 */
function disabledOf(status: unknown): boolean | undefined {
  if (status === undefined) return undefined;
  if (status === 'active') return false;
  if (status === 'disabled') return true;
  const derived = status === 'expired' || status === 'exhausted';
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    derived
      ? `status: "${status}" follows from the key's ${status === 'expired' ? 'expires_at' : 'usage_limits'}; write "active" or "disabled"`
      : 'status: expected "active" or "disabled"',
    { param: 'status' },
  );
}

/**
 * An integration's `configurations` (Portkey's provider-specific object) as provider options, read
 * like a virtual key's top-level fields (`resource_name`, `apiVersion`, `deploymentConfig` …, either
 * spelling); a name that is no option is a 400 naming it. `allowNull` (updates): null removes one.
 */
export function integrationOptionsOf(
  configurations: unknown,
  allowNull: boolean,
): Record<string, OptionValue | null> {
  if (configurations === undefined || configurations === null) return {};
  if (typeof configurations !== 'object' || Array.isArray(configurations)) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'configurations: expected an object of provider options', {
      param: 'configurations',
    });
  }
  for (const key of Object.keys(configurations)) {
    // The record's own fields are not options here: refused, never silently dropped.
    if (RECORD_FIELDS.has(key) || IGNORED_FIELDS.has(key)) {
      throw new PkError('PK_ERR_INVALID_REQUEST', `configurations: unknown field ${JSON.stringify(key)}`, {
        param: key,
      });
    }
  }
  return optionsOf(configurations as AdminBody, allowNull, 'configurations');
}

/** The provider key of a body (`key`, or pk's `api_key` / `apiKey`): a string, null, or absent. */
export const providerKeyOf = secretOf;
