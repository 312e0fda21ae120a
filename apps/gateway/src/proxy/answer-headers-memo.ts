import { buildResponseHeaders, type CacheStatus } from '@pk/headers';

/** Distinct header sets kept (providers × target paths × retry counts × cache statuses in use). */
const MAX_SETS = 512;

interface HeaderSet {
  readonly provider: string | undefined;
  readonly lastUsedOptionIndex: string;
  readonly retryAttemptCount: number;
  readonly cacheStatus: CacheStatus;
  readonly headers: Readonly<Record<string, string>>;
}

const sets = new Map<string, HeaderSet>();
/** The set the previous answer used: most answers of a gateway are alike, and compare in a few steps. */
let previous: HeaderSet | undefined;

/**
 * The `x-portkey-*` headers of an answer but its trace id (which the trace-id plugin set when the
 * request arrived): {@link buildResponseHeaders}' checked values, made once per distinct combination
 * (a gateway's answers repeat a few) instead of per request. Values it refuses throw as it does, and
 * are never kept. The objects returned are shared: never change one.
 */
export function answerHeadersOf(
  provider: string | undefined,
  lastUsedOptionIndex: string,
  retryAttemptCount: number,
  cacheStatus: CacheStatus,
): Readonly<Record<string, string>> {
  if (
    previous !== undefined &&
    previous.provider === provider &&
    previous.lastUsedOptionIndex === lastUsedOptionIndex &&
    previous.retryAttemptCount === retryAttemptCount &&
    previous.cacheStatus === cacheStatus
  )
    return previous.headers;
  const key = `${provider === undefined ? '\u0001' : provider}\u0000${lastUsedOptionIndex}\u0000${retryAttemptCount}\u0000${cacheStatus}`;
  let found = sets.get(key);
  if (found === undefined) {
    const { 'x-portkey-trace-id': _traceId, ...headers } = buildResponseHeaders({
      traceId: '-',
      provider,
      lastUsedOptionIndex,
      retryAttemptCount,
      cacheStatus,
    });
    found = { provider, lastUsedOptionIndex, retryAttemptCount, cacheStatus, headers };
    if (sets.size >= MAX_SETS) sets.clear();
    sets.set(key, found);
  }
  previous = found;
  return found.headers;
}
