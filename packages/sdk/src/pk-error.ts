import { PkError as ConfigPkError } from '@pk/config';

/**
 * The error the client raises itself before anything is sent (`PK_ERR_INVALID_CONFIG`,
 * `PK_ERR_INVALID_HEADER`), and in-process mode's own failures: `@pk/config`'s `PkError`, with a
 * stable `code`, its HTTP `status` and `param`. `error instanceof PkError` holds whether the error
 * came from the ES module or the CommonJS build (which bundles its own copy of `@pk/config`).
 */
export const PkError = ConfigPkError;
/** An instance of {@link PkError}. */
export type PkError = ConfigPkError;
