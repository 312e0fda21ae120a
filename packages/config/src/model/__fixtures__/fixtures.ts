import invalidConfigs from './invalid-configs.json' with { type: 'json' };
import validConfigs from './valid-configs.json' with { type: 'json' };

/** A config that must parse, with where it comes from (seed document section or Portkey doc URL). */
export interface ValidConfigFixture {
  readonly name: string;
  readonly source: string;
  readonly config: unknown;
}

/** A config that must fail with `message` (a substring) at exactly `path`. */
export interface InvalidConfigFixture {
  readonly name: string;
  /** The kind of mistake, e.g. `out-of-range`, `dangling-name`. */
  readonly kind: string;
  readonly source: string;
  readonly config: unknown;
  readonly path: string;
  readonly message: string;
  /** Whether the exported JSON Schema rejects it too (cross-field rules are parseConfig's alone). */
  readonly jsonSchema: boolean;
}

/** The valid config fixtures. */
export const VALID_CONFIGS: readonly ValidConfigFixture[] = validConfigs;
/** The invalid config fixtures. */
export const INVALID_CONFIGS: readonly InvalidConfigFixture[] = invalidConfigs;
