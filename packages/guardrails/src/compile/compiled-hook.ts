import type { CheckDefinition } from '../model/check-definition.js';

/** `on_fail` / `on_success` feedback as configured. */
export interface FeedbackConfig {
  readonly value?: number;
  readonly weight?: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A check ready to run: its definition and validated parameters. */
export interface CompiledCheck {
  readonly id: string;
  readonly definition: CheckDefinition<unknown>;
  readonly parameters: unknown;
  /** `is_enabled: false` checks are left out of runs and results. */
  readonly enabled: boolean;
  /** An error fails the check (default: it passes; Portkey's fail-open). */
  readonly failOnError: boolean;
}

/** A hook ready to run. Immutable and shared between requests. */
export interface CompiledHook {
  readonly id: string;
  readonly type: 'guardrail' | 'mutator';
  readonly checks: readonly CompiledCheck[];
  /** A failed hook answers 446 (before the request: nothing is sent upstream). */
  readonly deny: boolean;
  /** Runs without delaying the answer; its result is logged, not returned. */
  readonly async: boolean;
  /** Guardrail checks run one after another (each sees the previous one's rewrite). */
  readonly sequential: boolean;
  readonly onFail?: FeedbackConfig;
  readonly onSuccess?: FeedbackConfig;
  /** True when any check reaches the network (webhook, log, JWKS, URLs). */
  readonly usesNetwork: boolean;
}

/** Checks that call out. */
export const NETWORK_CHECK_IDS: ReadonlySet<string> = new Set([
  'default.webhook',
  'default.log',
  'default.jwt',
  'default.validUrls',
]);
