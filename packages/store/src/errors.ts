/**
 * Why a store operation failed. Each maps to one HTTP answer of the admin API (issue 17):
 * `invalid` 400, `not_found` 404, `conflict` and `read_only` 409, `unavailable` 503.
 */
export type StoreErrorCode = 'invalid' | 'not_found' | 'conflict' | 'read_only' | 'unavailable';

const STATUS_OF: Record<StoreErrorCode, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  read_only: 409,
  unavailable: 503,
};

/** One problem of an invalid input, with the JSON path of the value it concerns. */
export interface StoreIssue {
  /** `config.targets[0].retry.attempts`, `usage_limits.credit_limit` … */
  readonly path: string;
  readonly message: string;
}

/**
 * A refused or failed store operation. The message is written for the caller and never contains a
 * secret; `issues` lists every problem of an invalid input with its path.
 */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** The HTTP status the admin API answers with. */
  readonly status: number;
  readonly issues: readonly StoreIssue[];
  /**
   * A `conflict` only because another change was committed after the caller's checks read the
   * catalog (see `WriteBasis`): checking again on a fresh snapshot may well pass.
   */
  readonly stale: boolean;

  constructor(
    code: StoreErrorCode,
    message: string,
    options: { issues?: readonly StoreIssue[]; cause?: unknown; stale?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.status = STATUS_OF[code];
    this.issues = options.issues ?? [];
    this.stale = options.stale ?? false;
  }
}

/**
 * The store cannot be opened: the database is unreachable, its schema is newer than this version
 * knows, or the master key does not match. The gateway prints the message and exits 1.
 */
export class StoreStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreStartError';
  }
}
