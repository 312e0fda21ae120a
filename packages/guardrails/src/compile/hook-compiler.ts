import { type Config, formatConfigPath, PkError, walkConfig } from '@pk/config';
import { LRUCache } from 'lru-cache';
import type { CompileOptions } from '../model/check-definition.js';
import { compileRawHook, compileShorthandEntry, type HookIssue, type HookSource } from './compile-hook.js';
import type { CompiledHook } from './compiled-hook.js';

/** Hook list keys of a config node and how each is written. */
const RAW_LISTS = ['before_request_hooks', 'after_request_hooks'] as const;
const SHORTHAND_LISTS = [
  ['input_guardrails', 'guardrail'],
  ['output_guardrails', 'guardrail'],
  ['input_mutators', 'mutator'],
  ['output_mutators', 'mutator'],
] as const;
const DEFAULT_LISTS = ['default_input_guardrails', 'default_output_guardrails'] as const;

/** Compiled hooks kept by content (configs repeat on every request). */
const DEFAULT_MAX_ENTRIES = 2000;

/**
 * Validates and compiles the hooks of configs. Validation happens once per config, when it is
 * parsed (every problem a path and a message); at request time, the plan's hook objects are turned
 * into compiled hooks through a cache (by object identity, then by content), so a request pays for
 * no regex or schema compilation.
 */
export class HookCompiler {
  readonly #guardrails: ReadonlyMap<string, CompiledHook>;
  readonly #byObject = new WeakMap<object, CompiledHook>();
  readonly #byContent: LRUCache<string, CompiledHook>;

  /** @param guardrails the operator's guardrails by id (`guardrails:` of the settings). */
  constructor(guardrails: ReadonlyMap<string, CompiledHook> = new Map(), maxEntries = DEFAULT_MAX_ENTRIES) {
    this.#guardrails = guardrails;
    this.#byContent = new LRUCache({ max: maxEntries });
  }

  /** The operator's guardrails by id. */
  get guardrails(): ReadonlyMap<string, CompiledHook> {
    return this.#guardrails;
  }

  #source(segments: HookSource['segments'], root: string, defaultId: string): HookSource {
    return { origin: 'config', segments, root, guardrails: this.#guardrails, defaultId };
  }

  /** Every hook problem of a config (request-side: webhook and log checks are refused). */
  validateConfig(config: Config, root = 'config'): HookIssue[] {
    const issues: HookIssue[] = [];
    const record = (result: { ok: boolean; issues?: readonly HookIssue[] }): void => {
      if (!result.ok && result.issues) issues.push(...result.issues);
    };
    walkConfig(config, (node, place) => {
      const values = node as Readonly<Record<string, unknown>>;
      for (const key of RAW_LISTS) {
        const list = values[key];
        if (!Array.isArray(list)) continue;
        for (const [index, hook] of list.entries()) {
          record(
            compileRawHook(hook, this.#source([...place.segments, key, index], root, `${key}_${index}`)),
          );
        }
      }
      const shorthand =
        place.depth === 0
          ? [...SHORTHAND_LISTS, ...DEFAULT_LISTS.map((key) => [key, 'guardrail'] as const)]
          : SHORTHAND_LISTS;
      for (const [key, type] of shorthand) {
        const list = values[key];
        if (!Array.isArray(list)) continue;
        for (const [index, entry] of list.entries()) {
          const source = this.#source([...place.segments, key, index], root, `${key}_${index}`);
          record(compileShorthandEntry(entry, type, source));
        }
      }
    });
    return issues;
  }

  /** Problems of a guardrail list given outside a config (the `x-portkey-default-*-guardrails` headers). */
  validateGuardrailList(list: readonly unknown[], root: string): HookIssue[] {
    return list.flatMap((entry, index) => {
      const result = compileShorthandEntry(
        entry,
        'guardrail',
        this.#source([index], root, `guardrail_${index}`),
      );
      return result.ok ? [] : [...result.issues];
    });
  }

  /**
   * The compiled form of a plan's hook object (a raw hook, or shorthand as `@pk/config` converted
   * it). Configs are validated when parsed, so this only throws (`PK_ERR_INVALID_CONFIG`) for a hook
   * that never was.
   */
  compile(hook: Readonly<Record<string, unknown>>): CompiledHook {
    const known = this.#byObject.get(hook);
    if (known !== undefined) return known;
    const key = JSON.stringify(hook);
    let compiled = this.#byContent.get(key);
    if (compiled === undefined) {
      const result = compileRawHook(
        hook,
        this.#source([], 'hook', typeof hook.id === 'string' ? hook.id : 'hook'),
      );
      if (!result.ok) {
        throw new PkError(
          'PK_ERR_INVALID_CONFIG',
          result.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
          {
            param: 'x-portkey-config',
          },
        );
      }
      compiled = result.hook;
      this.#byContent.set(key, compiled);
    }
    this.#byObject.set(hook, compiled);
    return compiled;
  }
}

/** The operator's `guardrails:` map compiled, or every problem with its path (`guardrails.<id>…`). */
export function compileOperatorGuardrails(
  input: Readonly<Record<string, unknown>>,
  options: CompileOptions = {},
): { ok: true; guardrails: Map<string, CompiledHook> } | { ok: false; issues: HookIssue[] } {
  const guardrails = new Map<string, CompiledHook>();
  const issues: HookIssue[] = [];
  for (const [id, raw] of Object.entries(input)) {
    const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
    if (isObject && !Array.isArray((raw as Record<string, unknown>).checks)) {
      // A definition is its checks: without them the hook would read as a reference to another
      // guardrail by id, and be refused for that, naming an id nobody wrote.
      issues.push({
        path: formatConfigPath([id, 'checks'], 'guardrails'),
        message: 'expected a list of checks ({ id, parameters })',
      });
      continue;
    }
    const withId = isObject ? { ...raw, id } : raw;
    const result = compileRawHook(withId, {
      origin: 'operator',
      segments: [id],
      root: 'guardrails',
      guardrails: new Map(),
      defaultId: id,
      compileOptions: options,
    });
    if (result.ok) guardrails.set(id, result.hook);
    else issues.push(...result.issues);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, guardrails };
}
