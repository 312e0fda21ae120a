import { PkError, type PkErrorCode } from '@pk/config';
import { StoreError } from '@pk/store';
import type { FastifyInstance } from 'fastify';

/**
 * One of the store's refusals as pk's error: `invalid` 400 (`PK_ERR_INVALID_CONFIG` when the problem
 * is in a config, naming its path), `not_found` 404 (`notFound`), `conflict` 409 `PK_ERR_CONFLICT`,
 * `read_only` 409 `PK_ERR_READ_ONLY` (the message names the settings file), `unavailable` 503
 * `PK_ERR_STORE_UNAVAILABLE`.
 */
export function pkErrorOfStoreError(error: StoreError, notFound: PkErrorCode): PkError {
  switch (error.code) {
    case 'invalid': {
      const first = error.issues[0]?.path;
      const inConfig = first !== undefined && (first === 'config' || first.startsWith('config.'));
      return new PkError(inConfig ? 'PK_ERR_INVALID_CONFIG' : 'PK_ERR_INVALID_REQUEST', error.message, {
        param: first === undefined || first === '(root)' ? null : first,
      });
    }
    case 'not_found':
      return new PkError(notFound, error.message);
    case 'conflict':
      return new PkError('PK_ERR_CONFLICT', error.message);
    case 'read_only':
      return new PkError('PK_ERR_READ_ONLY', error.message);
    case 'unavailable':
      return new PkError(
        'PK_ERR_STORE_UNAVAILABLE',
        'the data store is unavailable, nothing was changed; try again (requests are still served from the last snapshot)',
      );
  }
}

/**
 * Turns the store's errors of the routes of this (encapsulated) plugin into pk's errors; anything
 * else goes on to the app's error handler (a 500 that never shows internals).
 */
export function answerStoreErrors(app: FastifyInstance, notFound: PkErrorCode): void {
  app.setErrorHandler((error) => {
    if (error instanceof StoreError) throw pkErrorOfStoreError(error, notFound);
    throw error;
  });
}
