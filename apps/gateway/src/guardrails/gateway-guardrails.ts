import { lookup } from 'node:dns/promises';
import type { ConfigIssue } from '@pk/config';
import { type GuardrailServices, HookCompiler, type HookResult } from '@pk/guardrails';
import type { Transport } from '@pk/providers';
import { LRUCache } from 'lru-cache';
import type { GatewaySettings } from '../settings/load-settings.js';
import { createGuardrailTransport } from './guardrail-transport.js';

/** What every request's guard shares for the app's lifetime. */
export interface GatewayGuardrails {
  /** Compiles and caches the hooks of configs (with the operator's guardrails). */
  readonly compiler: HookCompiler;
  /** Network port, DNS, clock. */
  readonly services: GuardrailServices;
  /** Characters of a streamed answer held back for the output checks. */
  readonly holdbackChars: number;
  /** Where the results of `async` hooks go (the log). */
  readonly onAsyncResult: (result: HookResult) => void;
  /** Validates a parsed config's hooks (for the config cache and saved configs). */
  readonly validateConfig: (config: Parameters<HookCompiler['validateConfig']>[0]) => ConfigIssue[];
  /** Validates guardrails sent in a header (remembered by content: clients repeat them). */
  readonly validateHeaderGuardrails: (list: readonly unknown[], header: string) => readonly ConfigIssue[];
}

async function resolves(hostname: string): Promise<boolean> {
  try {
    return (await lookup(hostname, { all: true })).length > 0;
  } catch {
    return false;
  }
}

/** Builds the guardrail services of an app from its settings and upstream transport. */
export function createGatewayGuardrails(options: {
  readonly settings: GatewaySettings;
  readonly transport: Transport;
  readonly holdbackChars: number;
  readonly onAsyncResult: (result: HookResult) => void;
}): GatewayGuardrails {
  const compiler = new HookCompiler(options.settings.guardrails);
  const headerChecks = new LRUCache<string, readonly ConfigIssue[]>({ max: 500 });
  return {
    compiler,
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
  };
}
