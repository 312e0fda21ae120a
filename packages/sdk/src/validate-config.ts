import { PkError, parseConfig } from '@pk/config';

// Which custom hosts are trusted is the gateway's decision (its settings), not the client's.
const CUSTOM_HOST_PATH = /\.(custom_host|customHost)$/;

/**
 * Validates a `config` option before anything is sent, with the gateway's rules and path-naming
 * messages (`@pk/config`'s `parseConfig`): a config object, or JSON text of one. A saved config's id
 * (any other string) is the gateway's to look up. Custom-host trust is left to the gateway.
 *
 * @throws PkError `PK_ERR_INVALID_CONFIG` listing every issue, e.g.
 *   `config.targets[0].retry.attempts: expected an integer of at least 0, got -1`, with the first issue's
 *   path as `param` (as `@pk/config`'s `parseConfigOrThrow`).
 */
export function validateConfigOption(config: unknown): void {
  if (config === null || config === undefined) return;
  if (typeof config === 'string' && !config.trimStart().startsWith('{')) return;
  if (typeof config === 'object' && Object.keys(config).length === 0) return;
  const parsed = parseConfig(config);
  if (parsed.ok) return;
  const issues = parsed.issues.filter((issue) => !CUSTOM_HOST_PATH.test(issue.path));
  if (issues.length === 0) return;
  throw new PkError('PK_ERR_INVALID_CONFIG', issues.map((issue) => issue.message).join('; '), {
    param: issues[0]?.path ?? 'config',
  });
}
