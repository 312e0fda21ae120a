import { PkError, type PkErrorCode } from '@pk/config';
import { StoreError } from '@pk/store';
import type { FastifyInstance } from 'fastify';

/**
 * A path of the store's input (`usageLimits.credit_limit`, `apiKey`) as the API spells the field a
 * client sent: the body's field in snake_case (`usage_limits.credit_limit`), the provider key as
 * Portkey's `key`. A config's paths (`config.targets[0].api_key`) are the config's own spelling.
 */
export function apiPathOf(path: string): string {
  if (path === 'config' || path.startsWith('config.') || path === '(root)') return path;
  // Only the body's own field: what follows is snake_case already, or a key the client chose.
  const [field = '', ...rest] = path.split('.');
  const spelled =
    field === 'apiKey' ? 'key' : field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  return [spelled, ...rest].join('.');
}

/**
 * One of the store's refusals as pk's error: `invalid` 400 (`PK_ERR_INVALID_CONFIG` when the problem
 * is in a config, naming its path), `not_found` 404 (`notFound`), `conflict` 409 `PK_ERR_CONFLICT`,
 * `read_only` 409 `PK_ERR_READ_ONLY` (the message names the settings file), `unavailable` 503
 * `PK_ERR_STORE_UNAVAILABLE` (`reading`: a GET, whose message does not speak of changes).
 */
export function pkErrorOfStoreError(error: StoreError, notFound: PkErrorCode, reading = false): PkError {
  switch (error.code) {
    case 'invalid': {
      const first = error.issues[0]?.path;
      const inConfig = first !== undefined && (first === 'config' || first.startsWith('config.'));
      let message = error.message;
      for (const issue of error.issues) {
        const spelled = apiPathOf(issue.path);
        if (spelled !== issue.path) message = message.split(`${issue.path}: `).join(`${spelled}: `);
      }
      return new PkError(inConfig ? 'PK_ERR_INVALID_CONFIG' : 'PK_ERR_INVALID_REQUEST', message, {
        param: first === undefined || first === '(root)' ? null : apiPathOf(first),
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
        reading
          ? 'the data store is unavailable; try again (requests are still served from the last snapshot)'
          : 'the data store is unavailable, nothing was changed; try again (requests are still served from the last snapshot)',
      );
  }
}

/**
 * Turns the store's errors of the routes of this (encapsulated) plugin into pk's errors; anything
 * else goes on to the app's error handler (a 500 that never shows internals).
 */
export function answerStoreErrors(app: FastifyInstance, notFound: PkErrorCode): void {
  app.setErrorHandler((error, request) => {
    const reading = request.method === 'GET' || request.method === 'HEAD';
    if (error instanceof StoreError) throw pkErrorOfStoreError(error, notFound, reading);
    throw error;
  });
}
