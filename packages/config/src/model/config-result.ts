import type { ConfigWarning } from '../plan/plan.js';
import type { Config } from '../schema/target.js';

/** One reason a config is invalid. */
export interface ConfigIssue {
  /** JSON path, e.g. `config.targets[1].strategy.mode`. */
  readonly path: string;
  /** `path: expectation, got value`, e.g. `config.retry.attempts: expected an integer of at least 0, got -1`. */
  readonly message: string;
}

/** What `parseConfig` returns. */
export type ParseConfigResult =
  | { readonly ok: true; readonly config: Config; readonly warnings: readonly ConfigWarning[] }
  | {
      readonly ok: false;
      readonly issues: readonly ConfigIssue[];
      readonly warnings: readonly ConfigWarning[];
    };
