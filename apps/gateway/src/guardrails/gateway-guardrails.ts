import { lookup } from 'node:dns/promises';
import type { ConfigIssue } from '@pk/config';
import { type GuardrailServices, HookCompiler, type HookResult } from '@pk/guardrails';
import type { Transport } from '@pk/providers';
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
  };
}
