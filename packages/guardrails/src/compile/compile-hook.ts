import { formatConfigPath, type PathSegment } from '@pk/config';
import { lookupCheck, PARTNER_CHECK_SOURCES } from '../checks/registry.js';
import type { CheckDefinition, CompileOptions, HookOrigin } from '../model/check-definition.js';
import { isRecord } from '../model/is-record.js';
import {
  type CompiledCheck,
  type CompiledHook,
  type FeedbackConfig,
  NETWORK_CHECK_IDS,
} from './compiled-hook.js';

/** A problem in a hook, with the full path of the value (`config.input_guardrails[0]["default.regexMatch"].rule`). */
export interface HookIssue {
  readonly path: string;
  readonly message: string;
}

/** Where a hook comes from and how to name paths in it. */
export interface HookSource {
  readonly origin: HookOrigin;
  /** Path segments of the hook (or shorthand entry) itself. */
  readonly segments: readonly PathSegment[];
  /** The root word of paths: `config`, `guardrails`, a header name. */
  readonly root: string;
  /** The operator's guardrails by id: what a hook without checks refers to. */
  readonly guardrails: ReadonlyMap<string, CompiledHook>;
  /** The id given to a hook that has none. */
  readonly defaultId: string;
  readonly compileOptions?: CompileOptions;
}

/** Keys of a shorthand entry that belong to the hook (the rest are checks), as `@pk/config` lifts them. */
export const SHORTHAND_HOOK_KEYS: readonly string[] = [
  'deny',
  'on_fail',
  'on_success',
  'async',
  'id',
  'type',
  'guardrail_version_id',
  'sequential',
];

export type CompileHookResult =
  | { readonly ok: true; readonly hook: CompiledHook }
  | { readonly ok: false; readonly issues: readonly HookIssue[] };

/** One check as written, before validation. */
interface CheckSpec {
  readonly id: unknown;
  readonly parameters: unknown;
  readonly isEnabled: unknown;
  readonly failOnError: unknown;
  /** Path of the check's id (raw: `checks[0].id`; shorthand: the key). */
  readonly idSegments: readonly PathSegment[];
  /** Path of the parameters object. */
  readonly parameterSegments: readonly PathSegment[];
  readonly checkSegments: readonly PathSegment[];
}

function feedbackOf(
  value: unknown,
  segments: readonly PathSegment[],
  report: (segments: readonly PathSegment[], message: string) => void,
): FeedbackConfig | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    report(segments, 'expected an object with a feedback');
    return undefined;
  }
  const feedback = value.feedback;
  if (feedback === undefined) return undefined;
  if (!isRecord(feedback)) {
    report([...segments, 'feedback'], 'expected an object { value?, weight?, metadata? }');
    return undefined;
  }
  for (const key of ['value', 'weight'] as const) {
    if (feedback[key] !== undefined && typeof feedback[key] !== 'number')
      report([...segments, 'feedback', key], 'expected a number');
  }
  // Saved as feedback on the request's trace: the values `POST /v1/feedback` takes. A weight outside
  // 0…1 becomes 1 there, as Portkey's does, so any number is kept here.
  const given = feedback.value;
  if (typeof given === 'number' && !(Number.isInteger(given) && given >= -10 && given <= 10))
    report([...segments, 'feedback', 'value'], 'expected an integer from -10 to 10');
  if (feedback.metadata !== undefined && !isRecord(feedback.metadata))
    report([...segments, 'feedback', 'metadata'], 'expected an object');
  return {
    ...(typeof feedback.value === 'number' ? { value: feedback.value } : {}),
    ...(typeof feedback.weight === 'number' ? { weight: feedback.weight } : {}),
    ...(isRecord(feedback.metadata) ? { metadata: feedback.metadata } : {}),
  };
}

function compileChecks(
  specs: readonly CheckSpec[],
  source: HookSource,
  report: (segments: readonly PathSegment[], message: string) => void,
): CompiledCheck[] {
  const checks: CompiledCheck[] = [];
  for (const spec of specs) {
    if (typeof spec.id !== 'string' || spec.id === '') {
      report(spec.idSegments, 'expected a check id such as "default.regexMatch"');
      continue;
    }
    const found = lookupCheck(spec.id);
    if (found.kind === 'partner') {
      report(
        spec.idSegments,
        `the partner check "${spec.id}" calls a third-party service and is not supported by pk (partner sources: ${PARTNER_CHECK_SOURCES.join(', ')})`,
      );
      continue;
    }
    if (found.kind === 'unknown') {
      report(
        spec.idSegments,
        `unknown check "${spec.id}": pk runs the default.* checks and pk.pii, pk.secrets, pk.maxTokens`,
      );
      continue;
    }
    const definition = found.definition as CheckDefinition<unknown>;
    const parameters = spec.parameters ?? {};
    if (!isRecord(parameters)) {
      report(spec.parameterSegments, 'expected the check parameters as an object');
      continue;
    }
    if (spec.isEnabled !== undefined && typeof spec.isEnabled !== 'boolean')
      report([...spec.checkSegments, 'is_enabled'], 'expected true or false');
    const failOnError = spec.failOnError ?? parameters.failOnError ?? parameters.fail_on_error;
    if (failOnError !== undefined && typeof failOnError !== 'boolean')
      report([...spec.checkSegments, 'fail_on_error'], 'expected true or false');
    if (definition.operatorOnly === true && source.origin !== 'operator') {
      const urlKey =
        'webhookURL' in parameters ? 'webhookURL' : 'logURL' in parameters ? 'logURL' : undefined;
      report(
        urlKey === undefined ? spec.idSegments : [...spec.parameterSegments, urlKey],
        `"${spec.id}" calls a URL and may only be used in a guardrail defined in the gateway's settings (guardrails:), referred to by its id`,
      );
      continue;
    }
    const compiled = definition.compile(parameters, source.origin, source.compileOptions ?? {});
    if (!compiled.ok) {
      for (const issue of compiled.issues) report([...spec.parameterSegments, ...issue.path], issue.message);
      continue;
    }
    checks.push({
      id: definition.id,
      definition,
      parameters: compiled.parameters,
      enabled: spec.isEnabled !== false,
      failOnError: failOnError === true,
    });
  }
  return checks;
}

function assemble(
  fields: Readonly<Record<string, unknown>>,
  specs: readonly CheckSpec[],
  source: HookSource,
): CompileHookResult {
  const issues: HookIssue[] = [];
  const report = (segments: readonly PathSegment[], message: string): void => {
    issues.push({ path: formatConfigPath(segments, source.root), message });
  };
  const at = source.segments;
  const type = fields.type ?? 'guardrail';
  if (type !== 'guardrail' && type !== 'mutator')
    report([...at, 'type'], 'expected "guardrail" or "mutator"');
  if (fields.id !== undefined && (typeof fields.id !== 'string' || fields.id === ''))
    report([...at, 'id'], 'expected a non-empty string');
  for (const key of ['deny', 'async', 'sequential'] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== 'boolean')
      report([...at, key], 'expected true or false');
  }
  const onFail = feedbackOf(fields.on_fail ?? fields.onFail, [...at, 'on_fail'], report);
  const onSuccess = feedbackOf(fields.on_success ?? fields.onSuccess, [...at, 'on_success'], report);
  const checks = compileChecks(specs, source, report);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    hook: {
      id: typeof fields.id === 'string' ? fields.id : source.defaultId,
      type: type as 'guardrail' | 'mutator',
      checks,
      deny: fields.deny === true,
      async: fields.async === true,
      sequential: fields.sequential === true,
      ...(onFail === undefined ? {} : { onFail }),
      ...(onSuccess === undefined ? {} : { onSuccess }),
      usesNetwork: checks.some((check) => NETWORK_CHECK_IDS.has(check.id)),
    },
  };
}

function reference(id: unknown, source: HookSource, segments: readonly PathSegment[]): CompileHookResult {
  if (typeof id !== 'string' || id === '')
    return {
      ok: false,
      issues: [
        {
          path: formatConfigPath(segments, source.root),
          message: 'expected a guardrail id or a hook with checks',
        },
      ],
    };
  const hook = source.guardrails.get(id);
  if (hook === undefined) {
    const known = [...source.guardrails.keys()];
    return {
      ok: false,
      issues: [
        {
          path: formatConfigPath(segments, source.root),
          message: `no guardrail has the id "${id}" (${known.length === 0 ? 'none is defined' : `known: ${known.slice(0, 20).join(', ')}`})`,
        },
      ],
    };
  }
  return { ok: true, hook };
}

/**
 * Compiles a raw hook (`{ type, id, checks: [{ id, parameters, is_enabled }], deny, async,
 * sequential, on_fail, on_success }`); a hook with an `id` and no `checks` refers to an operator's
 * guardrail. Never throws: every problem is an issue with its path.
 */
export function compileRawHook(raw: unknown, source: HookSource): CompileHookResult {
  const at = source.segments;
  if (!isRecord(raw))
    return {
      ok: false,
      issues: [{ path: formatConfigPath(at, source.root), message: 'expected a hook object' }],
    };
  if (raw.checks === undefined) return reference(raw.id, source, [...at, 'id']);
  if (!Array.isArray(raw.checks))
    return {
      ok: false,
      issues: [
        { path: formatConfigPath([...at, 'checks'], source.root), message: 'expected an array of checks' },
      ],
    };
  const specs = raw.checks.map((check: unknown, index): CheckSpec => {
    const checkSegments = [...at, 'checks', index];
    const record = isRecord(check) ? check : {};
    return {
      id: isRecord(check) ? record.id : undefined,
      parameters: record.parameters,
      isEnabled: record.is_enabled ?? record.isEnabled,
      failOnError: record.fail_on_error ?? record.failOnError,
      idSegments: [...checkSegments, 'id'],
      parameterSegments: [...checkSegments, 'parameters'],
      checkSegments,
    };
  });
  return assemble(raw, specs, source);
}

/**
 * Compiles a shorthand entry (`{ "default.contains": { … }, "deny": true }` or a guardrail id) with
 * paths as written: every key but the hook's own is a check, an id without a dot gets `default.`.
 */
export function compileShorthandEntry(
  entry: unknown,
  type: 'guardrail' | 'mutator',
  source: HookSource,
): CompileHookResult {
  const at = source.segments;
  if (typeof entry === 'string') return reference(entry, source, at);
  if (!isRecord(entry))
    return {
      ok: false,
      issues: [{ path: formatConfigPath(at, source.root), message: 'expected a guardrail object or id' }],
    };
  const fields: Record<string, unknown> = { type };
  const specs: CheckSpec[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (SHORTHAND_HOOK_KEYS.includes(key)) {
      fields[key] = value;
      continue;
    }
    const parameters = isRecord(value) ? value : value;
    specs.push({
      id: key.includes('.') ? key : `default.${key}`,
      parameters,
      isEnabled: isRecord(value) ? value.is_enabled : undefined,
      failOnError: undefined,
      idSegments: [...at, key],
      parameterSegments: [...at, key],
      checkSegments: [...at, key],
    });
  }
  if (specs.length === 0)
    return {
      ok: false,
      issues: [
        {
          path: formatConfigPath(at, source.root),
          message: 'expected at least one check (e.g. "default.contains": { … })',
        },
      ],
    };
  return assemble(fields, specs, source);
}
