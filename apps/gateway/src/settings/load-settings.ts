import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { customHostFormProblem, isProviderId, parseConfig } from '@pk/config';
import { type CompiledHook, compileOperatorGuardrails, HookCompiler } from '@pk/guardrails';
import { parseRequestHeaders } from '@pk/headers';
import { createPriceTable, type PriceTable } from '@pk/prices';
import {
  type GatewayKey,
  hashGatewayKeySecret,
  isCredentialOption,
  type RateLimit,
  type SavedConfig,
  type UsageLimits,
  type VirtualKey,
} from '@pk/store';
import type { z } from 'zod';
import { Secret } from './secret.js';
import { type SettingsFile, settingsFileSchema } from './settings-schema.js';

/** Default largest JSON body: 20 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 20 * 1024 * 1024;
/** Default largest header block: 64 KiB. */
export const DEFAULT_HEADER_LIMIT_BYTES = 64 * 1024;
/** Default longest time for a request to arrive: 5 min, Node's own default, which fastify turns off. */
export const DEFAULT_RECEIVE_TIMEOUT_MS = 300_000;

/**
 * The records the request path serves, whether from the settings file or the store (`@pk/store`):
 * a gateway key (only the SHA-256 of its secret), a virtual key (secrets as {@link Secret}s) and a
 * saved config (validated).
 */
export type { GatewayKey, SavedConfig, VirtualKey } from '@pk/store';

/**
 * Loopback in its canonical spellings: a local model server is a normal custom host, but loopback
 * is never trusted for stored credentials (that needs `trusted_custom_hosts` or `allowed_hosts`).
 */
export const LOOPBACK_CUSTOM_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** The semantic cache's embedding model and bounds. */
export interface SemanticCacheSettings {
  readonly virtualKey: VirtualKey;
  readonly model: string;
  readonly maxEntries: number;
  readonly timeoutMs: number;
  readonly retentionSeconds: number;
}

/** The gateway's settings after validation and secret resolution. */
export interface GatewaySettings {
  /** Set when configs may use `cache.mode: semantic`. */
  readonly semanticCache?: SemanticCacheSettings;
  readonly gatewayKeys: readonly GatewayKey[];
  readonly virtualKeys: ReadonlyMap<string, VirtualKey>;
  /** Saved configs by id, validated with `@pk/config` at start. */
  readonly configs: ReadonlyMap<string, SavedConfig>;
  /** Hosts whose custom_host skips the address checks: loopback plus `trusted_custom_hosts`. */
  readonly customHostTrust: readonly string[];
  readonly trustedCustomHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  readonly headerLimitBytes: number;
  /** `limits.receive_timeout_ms`: how long a request's headers and body may take to arrive (ms). */
  readonly receiveTimeoutMs: number;
  /** Limits per metadata value (`metadata_limits:`), as written. */
  readonly metadataLimits: readonly MetadataLimitRule[];
  /** The operator's guardrails by id (`guardrails:`), compiled at start. */
  readonly guardrails: ReadonlyMap<string, CompiledHook>;
  /** Model prices for costs: `@pk/prices`' built-in table with the file's `prices:` overrides. */
  readonly prices: PriceTable;
  /** The same guardrails as written (secret references unresolved): what the admin API lists. */
  readonly guardrailDefinitions: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/** A `metadata_limits` rule. */
export interface MetadataLimitRule {
  readonly key: string;
  readonly rateLimits?: readonly RateLimit[];
  readonly usageLimits?: UsageLimits;
  readonly idleMs: number;
  readonly maxValues: number;
}

/** A settings file that cannot be used; the message lists every problem with its path. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** Settings with nothing configured: the embedded default. */
export function defaultSettings(): GatewaySettings {
  return resolveSettings({}, { env: {}, files: new Map() });
}

interface ResolveContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Contents of `file:` references, read beforehand (keeps resolution synchronous and pure). */
  readonly files: ReadonlyMap<string, string>;
}

function resolveReference(value: string, path: string, context: ResolveContext, problems: string[]): string {
  if (value.startsWith('env:')) {
    const name = value.slice(4);
    // A Kubernetes secret made from a file (`kubectl create secret --from-file`) keeps the file's
    // newline: taken off as a file: reference's is (a gateway key with it matched no request).
    const resolved = context.env[name]?.replace(/\r?\n$/, '');
    if (resolved === undefined || resolved === '')
      problems.push(`${path}: environment variable ${name} is not set`);
    return resolved ?? '';
  }
  if (value.startsWith('file:')) {
    const resolved = context.files.get(value.slice(5));
    if (resolved === undefined) problems.push(`${path}: file ${value.slice(5)} cannot be read`);
    return (resolved ?? '').replace(/\r?\n$/, '');
  }
  return value;
}

function fileReferences(file: SettingsFile): string[] {
  const references: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string' && value.startsWith('file:')) references.push(value.slice(5));
  };
  for (const key of file.gateway_keys ?? []) visit(key.key);
  for (const virtualKey of Object.values(file.virtual_keys ?? {})) {
    visit(virtualKey.api_key);
    for (const option of Object.values(virtualKey.options ?? {})) visit(option);
  }
  for (const guardrail of Object.values(file.guardrails ?? {})) {
    const checks = (guardrail as { checks?: unknown }).checks;
    if (!Array.isArray(checks)) continue;
    for (const check of checks)
      visit((check as { parameters?: { secret?: unknown } } | null)?.parameters?.secret);
  }
  return references;
}

/** Validates a parsed settings object and resolves its `env:`/`file:` references. Throws {@link SettingsError}. */
export function resolveSettings(input: unknown, context: ResolveContext): GatewaySettings {
  const parsed = settingsFileSchema.safeParse(input);
  if (!parsed.success) throw new SettingsError(formatZodIssues(parsed.error));
  const file = parsed.data;
  const problems: string[] = [];
  const seenKeys = new Set<string>();
  const gatewayKeys = (file.gateway_keys ?? []).map((entry, index): GatewayKey => {
    if (seenKeys.has(entry.id)) problems.push(`gateway_keys[${index}].id: duplicate id "${entry.id}"`);
    seenKeys.add(entry.id);
    const secret = resolveReference(entry.key, `gateway_keys[${index}].key`, context, problems);
    return {
      id: entry.id,
      name: entry.id,
      // As before the store: a key's tenant is its id unless keys are grouped under one tenant.
      tenant: entry.tenant ?? entry.id,
      role: entry.role ?? 'user',
      keyHash: hashGatewayKeySecret(secret),
      ...(entry.virtual_keys ? { virtualKeys: new Set(entry.virtual_keys) } : {}),
      ...(entry.configs ? { configs: new Set(entry.configs) } : {}),
      ...(entry.rate_limits ? { rateLimits: entry.rate_limits } : {}),
      ...(entry.usage_limits ? { usageLimits: entry.usage_limits } : {}),
      scopes: entry.scopes ?? [],
    };
  });
  const virtualKeys = new Map<string, VirtualKey>();
  for (const [id, entry] of Object.entries(file.virtual_keys ?? {})) {
    // As the admin API: a key whose provider pk does not know fails every request made with it.
    if (!isProviderId(entry.provider)) {
      problems.push(
        `virtual_keys.${id}.provider: unknown provider ${JSON.stringify(entry.provider)}: expected a provider id such as "openai", "anthropic" or "azure-openai"`,
      );
    }
    const options: Record<string, string | number | boolean | Secret> = {};
    for (const [name, value] of Object.entries(entry.options ?? {})) {
      const resolved =
        typeof value === 'string'
          ? resolveReference(value, `virtual_keys.${id}.options.${name}`, context, problems)
          : value;
      options[name] =
        typeof resolved === 'string' && isCredentialOption(name) ? new Secret(resolved) : resolved;
    }
    // Top-level `custom_host`, as the admin API accepts it: the same option.
    if (entry.custom_host !== undefined) {
      if (options.custom_host !== undefined && options.custom_host !== entry.custom_host)
        problems.push(
          `virtual_keys.${id}.custom_host: options.custom_host gives another value; give the custom host once`,
        );
      else options.custom_host = entry.custom_host;
    }
    // As the admin API refuses them (credentials, a query or fragment).
    const formProblem =
      typeof options.custom_host === 'string' ? customHostFormProblem(options.custom_host) : undefined;
    if (formProblem !== undefined) problems.push(`virtual_keys.${id}.custom_host: ${formProblem}`);
    virtualKeys.set(id, {
      id,
      slug: id,
      provider: entry.provider,
      ...(entry.api_key === undefined
        ? {}
        : {
            apiKey: new Secret(
              resolveReference(entry.api_key, `virtual_keys.${id}.api_key`, context, problems),
            ),
          }),
      options,
      allowedHosts: entry.allowed_hosts ?? [],
      models: entry.models ?? [],
      ...(entry.rate_limits ? { rateLimits: entry.rate_limits } : {}),
      ...(entry.usage_limits ? { usageLimits: entry.usage_limits } : {}),
    });
  }
  for (const [index, key] of gatewayKeys.entries()) {
    for (const id of key.virtualKeys ?? []) {
      if (!virtualKeys.has(id)) problems.push(`gateway_keys[${index}].virtual_keys: no virtual key "${id}"`);
    }
    for (const id of key.configs ?? []) {
      if (!(file.configs && id in file.configs))
        problems.push(`gateway_keys[${index}].configs: no config "${id}"`);
    }
  }
  const customHostTrust = [...LOOPBACK_CUSTOM_HOSTS, ...(file.trusted_custom_hosts ?? [])];
  const guardrails = resolveGuardrails(file, context, problems);
  const hooks = new HookCompiler(guardrails);
  const configs = new Map<string, SavedConfig>();
  for (const [id, input] of Object.entries(file.configs ?? {})) {
    // An id that reads as JSON (`42`, `[…]`) or not as a plain header value could never be named.
    if (parseRequestHeaders({ 'x-portkey-config': id }).options.config !== id) {
      problems.push(
        `configs.${id}: this id cannot be sent in x-portkey-config (it reads as JSON, or is not a plain header value)`,
      );
      continue;
    }
    const parsed = parseConfig(input, { trustedCustomHosts: customHostTrust });
    if (!parsed.ok) {
      for (const issue of parsed.issues) problems.push(`configs.${id}: ${issue.message}`);
      continue;
    }
    const hookIssues = hooks.validateConfig(parsed.config);
    for (const issue of hookIssues) problems.push(`configs.${id}: ${issue.path}: ${issue.message}`);
    if (hookIssues.length === 0)
      configs.set(id, { id, slug: id, config: parsed.config, warnings: parsed.warnings });
  }
  const semantic = file.semantic_cache;
  const embeddingKey = semantic ? virtualKeys.get(semantic.virtual_key) : undefined;
  if (semantic && !embeddingKey)
    problems.push(`semantic_cache.virtual_key: no virtual key "${semantic.virtual_key}"`);
  if (problems.length > 0) throw new SettingsError(problems.join('\n'));
  return {
    ...(semantic && embeddingKey
      ? {
          semanticCache: {
            virtualKey: embeddingKey,
            model: semantic.model,
            maxEntries: semantic.max_entries ?? 10_000,
            timeoutMs: semantic.timeout_ms ?? 2000,
            retentionSeconds: semantic.retention_seconds ?? 604_800,
          },
        }
      : {}),
    gatewayKeys,
    virtualKeys,
    configs,
    customHostTrust,
    trustedCustomHosts: file.trusted_custom_hosts ?? [],
    allowedOrigins: file.allowed_origins ?? [],
    metadataLimits: (file.metadata_limits ?? []).map((rule) => ({
      key: rule.key,
      ...(rule.rate_limits ? { rateLimits: rule.rate_limits } : {}),
      ...(rule.usage_limits ? { usageLimits: rule.usage_limits } : {}),
      idleMs: (rule.idle_seconds ?? 86_400) * 1000,
      maxValues: rule.max_values ?? 10_000,
    })),
    bodyLimitBytes: file.limits?.body_limit_bytes ?? DEFAULT_BODY_LIMIT_BYTES,
    headerLimitBytes: file.limits?.header_limit_bytes ?? DEFAULT_HEADER_LIMIT_BYTES,
    receiveTimeoutMs: file.limits?.receive_timeout_ms ?? DEFAULT_RECEIVE_TIMEOUT_MS,
    guardrails,
    prices: createPriceTable({ overrides: file.prices }),
    guardrailDefinitions: new Map(
      Object.entries(file.guardrails ?? {}).filter(
        (entry): entry is [string, Record<string, unknown>] =>
          typeof entry[1] === 'object' && entry[1] !== null && !Array.isArray(entry[1]),
      ),
    ),
  };
}

/** The `guardrails:` map compiled; `secret` references resolved like every other secret of the file. */
function resolveGuardrails(
  file: SettingsFile,
  context: ResolveContext,
  problems: string[],
): Map<string, CompiledHook> {
  const compiled = compileOperatorGuardrails(file.guardrails ?? {}, {
    resolveSecret: (reference) => {
      const found: string[] = [];
      const value = resolveReference(reference, 'secret', context, found);
      return found.length > 0 || value === '' ? undefined : value;
    },
  });
  if (compiled.ok) return compiled.guardrails;
  for (const issue of compiled.issues) problems.push(`${issue.path}: ${issue.message}`);
  return new Map();
}

function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

// `yaml` is loaded with the first YAML settings file: the embedded defaults never read one.
const requireModule = createRequire(import.meta.url);
function parseYaml(text: string): unknown {
  return (requireModule('yaml') as typeof import('yaml')).parse(text);
}

/**
 * Parses a settings file's text: JSON for `.json`, YAML otherwise (YAML is a superset of JSON). A
 * syntax error says where it is, never what is written there: the file may hold a key in clear, and
 * the message goes to the terminal and the process manager's log (the parsers' own messages quote
 * the line, YAML's as a code frame, JSON's as a snippet).
 */
export function parseSettingsText(text: string, path: string): unknown {
  const json = extname(path).toLowerCase() === '.json';
  try {
    return json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new SettingsError(
      `${path}: not valid ${json ? 'JSON' : 'YAML'}: ${json ? jsonProblem(message, text) : yamlProblem(message)}`,
    );
  }
}

/** A YAML parse error's first line (`Missing closing "quote at line 4, column 1`), without its code frame. */
function yamlProblem(message: string): string {
  return (message.split('\n', 1)[0] ?? '').replace(/:\s*$/, '');
}

/** How many characters before the error V8 quotes in a `JSON.parse` message. */
const JSON_SNIPPET_LEAD = 10;

/**
 * A `JSON.parse` error without the snippet V8 quotes (`Unexpected token 'p', ..."key": pk-abc"... is
 * not valid JSON`), with the line and column it points at: from `at position N`, or from where the
 * snippet starts.
 */
function jsonProblem(message: string, text: string): string {
  const snippet = /, (\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  const position = /at position (\d+)/.exec(message);
  // V8 quotes from 10 characters before the error ("..." where it cut the text), or all of a short text.
  const quoted = snippet?.[1] === undefined || snippet[2] === undefined ? -1 : text.indexOf(snippet[2]);
  const at = position ? Number(position[1]) : quoted < 0 ? -1 : quoted + JSON_SNIPPET_LEAD;
  const problem = (snippet ? message.slice(0, snippet.index) : message).replace(
    / in JSON at position \d+$/,
    '',
  );
  if (at < 0 || at > text.length) return problem;
  const before = text.slice(0, at).split('\n');
  return `${problem} at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Reads, validates and resolves the settings file at `path` (I/O edge: files and the given env). */
export async function loadSettingsFile(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<GatewaySettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SettingsError(
      `cannot read the settings file ${JSON.stringify(path)} (--settings or PK_SETTINGS): ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const input = parseSettingsText(text, path);
  const shape = settingsFileSchema.safeParse(input);
  if (!shape.success) throw new SettingsError(`${path}:\n${formatZodIssues(shape.error)}`);
  const files = new Map<string, string>();
  for (const reference of fileReferences(shape.data)) {
    try {
      files.set(reference, await readFile(reference, 'utf8'));
    } catch {
      // reported by resolveSettings with its path
    }
  }
  try {
    return resolveSettings(input, { env, files });
  } catch (error) {
    if (error instanceof SettingsError) throw new SettingsError(`${path}:\n${error.message}`);
    throw error;
  }
}
