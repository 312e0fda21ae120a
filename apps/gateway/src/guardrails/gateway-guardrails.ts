import { lookup } from 'node:dns/promises';
import type { Config, ConfigIssue } from '@pk/config';
import { type CompiledHook, type GuardrailServices, HookCompiler, type HookResult } from '@pk/guardrails';
import type { Transport } from '@pk/providers';
import type { Catalog, CatalogSnapshot } from '@pk/store';
import { LRUCache } from 'lru-cache';
import type { GatewaySettings } from '../settings/load-settings.js';
import type { AsyncHookEvent } from './async-hook-runs.js';
import { createGuardrailTransport } from './guardrail-transport.js';
import { compileStoredGuardrail, compileStoredGuardrails, type SecretResolver } from './stored-guardrails.js';

/** Receives an `async` hook's result, once it finished, with the request it ran for. */
export type AsyncResultListener = (
  result: HookResult,
  request: {
    readonly traceId: string;
    readonly event: AsyncHookEvent;
    /** The request's tenant and gateway key: its hook's feedback is saved on its trace under them. */
    readonly tenant: string;
    readonly gatewayKeyId: string | null;
  },
) => void;

/** What every request's guard shares for the app's lifetime. */
export interface GatewayGuardrails {
  /**
   * Compiles and caches the hooks of configs with the guardrails known now: the settings file's
   * (compiled at start) and the store's (recompiled when they change). Read it once per request.
   */
  readonly compiler: HookCompiler;
  /** Network port, DNS, clock. */
  readonly services: GuardrailServices;
  /** Characters of a streamed answer held back for the output checks. */
  readonly holdbackChars: number;
  /** Where the results of `async` hooks go (the log, the trace's feedback), with their request's trace id. */
  readonly onAsyncResult: AsyncResultListener;
  /** Validates a parsed config's hooks (for the config cache and saved configs). */
  readonly validateConfig: (config: Config) => ConfigIssue[];
  /** Validates guardrails sent in a header (remembered by content: clients repeat them). */
  readonly validateHeaderGuardrails: (list: readonly unknown[], header: string) => readonly ConfigIssue[];
  /**
   * Validates a guardrail before it is written to the store, exactly as the settings file's are
   * (webhook `secret` as an `env:` / `file:` reference that resolves here). Paths are relative to the
   * definition (`checks[0].parameters.rule`).
   */
  readonly validateStoredGuardrail: (
    slug: string,
    definition: Readonly<Record<string, unknown>>,
  ) => ConfigIssue[];
  /** The stored configs that stop being valid without this stored guardrail (slugs). */
  readonly configsNaming: (slug: string) => string[];
  /** Called after the compiler was rebuilt (the store's guardrails changed): caches of validations must go. */
  onCompilerChange(listener: () => void): void;
  /** Stops following the catalog (the app closes). */
  stop(): void;
}

async function resolves(hostname: string): Promise<boolean> {
  try {
    return (await lookup(hostname, { all: true })).length > 0;
  } catch {
    return false;
  }
}

/** What tells two generations of stored guardrails apart: every slug with its version. */
function signatureOf(snapshot: CatalogSnapshot): string {
  let signature = '';
  for (const guardrail of snapshot.guardrails.values())
    signature += `${guardrail.slug}@${guardrail.versionId}\n`;
  return signature;
}

/** Builds the guardrail services of an app from its settings, catalog and upstream transport. */
export function createGatewayGuardrails(options: {
  readonly settings: GatewaySettings;
  readonly catalog: Catalog;
  readonly transport: Transport;
  readonly holdbackChars: number;
  readonly onAsyncResult: AsyncResultListener;
  /** Resolves the `env:` / `file:` secret references of stored guardrails. */
  readonly resolveSecret: SecretResolver;
  /** A stored guardrail that does not compile here (left out; configs naming it get a 400). */
  readonly onProblem: (message: string) => void;
}): GatewayGuardrails {
  const fileGuardrails = options.settings.guardrails;
  const headerChecks = new LRUCache<string, readonly ConfigIssue[]>({ max: 500 });
  const listeners: (() => void)[] = [];
  let stored = new Map<string, CompiledHook>();
  let signature = '';
  let compiler = new HookCompiler(fileGuardrails);

  /** Recompiles the store's guardrails when their slugs or versions changed since the last snapshot. */
  const follow = (snapshot: CatalogSnapshot): void => {
    const next = signatureOf(snapshot);
    if (next === signature) return;
    signature = next;
    const compiled = compileStoredGuardrails(
      snapshot.guardrails.values(),
      fileGuardrails,
      options.resolveSecret,
    );
    for (const problem of compiled.problems) options.onProblem(problem);
    stored = compiled.guardrails;
    // The settings file's guardrails win a collision (the store refuses one anyway).
    compiler = new HookCompiler(new Map([...stored, ...fileGuardrails]));
    headerChecks.clear();
    for (const listener of listeners) listener();
  };
  follow(options.catalog.snapshot);
  const unsubscribe = options.catalog.onChange(follow);

  return {
    get compiler() {
      return compiler;
    },
    services: {
      transport: createGuardrailTransport(options.transport),
      resolveHost: resolves,
      now: Date.now,
    },
    holdbackChars: options.holdbackChars,
    onAsyncResult: options.onAsyncResult,
    validateConfig: (config) => compiler.validateConfig(config),
    validateHeaderGuardrails(list, header) {
      const key = `${header}\n${JSON.stringify(list)}`;
      let issues = headerChecks.get(key);
      if (issues === undefined) {
        issues = compiler.validateGuardrailList(list, header);
        headerChecks.set(key, issues);
      }
      return issues;
    },
    validateStoredGuardrail: (slug, definition) =>
      compileStoredGuardrail(slug, definition, options.resolveSecret).issues,
    configsNaming(slug) {
      const without = new Map([...stored, ...fileGuardrails]);
      without.delete(slug);
      const reduced = new HookCompiler(without);
      const naming: string[] = [];
      for (const saved of options.catalog.snapshot.configs.values()) {
        if (saved.managedBy !== undefined) continue;
        if (reduced.validateConfig(saved.config).length > compiler.validateConfig(saved.config).length)
          naming.push(saved.slug);
      }
      return naming;
    },
    onCompilerChange(listener) {
      listeners.push(listener);
    },
    stop: unsubscribe,
  };
}
