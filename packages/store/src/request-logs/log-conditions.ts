import { sql } from 'kysely';
import type { LogFilter } from './log-queries.js';
import { metadataText, USER_METADATA_KEY } from './log-record.js';

/** The record conditions of a log filter (what every read of the log narrows records with). */
export type RecordConditions = Pick<
  LogFilter,
  | 'traceId'
  | 'status'
  | 'provider'
  | 'model'
  | 'virtualKey'
  | 'configId'
  | 'prompt'
  | 'cacheStatus'
  | 'errorCode'
  | 'failed'
>;

/**
 * Whether a record (of `table`, or unqualified columns) is a failed request: an error status, or a
 * stream that answered 200 and then ended with an error (its `error_code`; no other record under 400
 * has one). One meaning for the log's `failed` filter, the summary's errors and what a rescue is.
 */
export function failedRecord(table?: string) {
  const column = (name: string) => sql.ref(table === undefined ? name : `${table}.${name}`);
  return sql<boolean>`(${column('status')} >= 400 or ${column('error_code')} is not null)`;
}

/**
 * `query` (over the log as `l`) narrowed to the records that meet every condition of `filter` and
 * every `metadata` pair: one meaning of each filter for the log's list, its summary and the analytics
 * drawn over it.
 */
// biome-ignore lint/suspicious/noExplicitAny: one helper for every query shape that has `l`.
export function withRecordConditions<Q extends { where: (...args: any[]) => Q }>(
  query: Q,
  filter: RecordConditions,
  metadata: readonly (readonly [string, string])[],
): Q {
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  let q = query as any;
  if (filter.traceId !== undefined) q = q.where('l.trace_id', '=', filter.traceId);
  if (filter.status !== undefined) q = q.where('l.status', '=', filter.status);
  if (filter.provider !== undefined) q = q.where('l.provider', '=', filter.provider);
  if (filter.model !== undefined) q = q.where('l.model', '=', filter.model);
  if (filter.virtualKey !== undefined) q = q.where('l.virtual_key', '=', filter.virtualKey);
  if (filter.configId !== undefined) q = q.where('l.config_id', '=', filter.configId);
  if (filter.prompt !== undefined) {
    // `slug@2` is one version; a bare slug is every version of it (`slug@…`), compared exactly (a
    // LIKE pattern would read `_` in a slug as a wildcard).
    const prompt = filter.prompt;
    q = prompt.includes('@')
      ? q.where('l.prompt', '=', prompt)
      : q.where(sql<string>`substr(l.prompt, 1, ${prompt.length + 1})`, '=', `${prompt}@`);
  }
  if (filter.cacheStatus !== undefined) q = q.where('l.cache_status', '=', filter.cacheStatus);
  if (filter.errorCode !== undefined) q = q.where('l.error_code', '=', filter.errorCode);
  if (filter.failed !== undefined)
    q = q.where(filter.failed ? failedRecord('l') : sql<boolean>`not ${failedRecord('l')}`);
  for (const [key, value] of storedPairs(metadata)) {
    if (key === USER_METADATA_KEY) {
      q = q.where('l.user_id', '=', value);
      continue;
    }
    // biome-ignore lint/suspicious/noExplicitAny: the builder of either query shape.
    q = q.where((eb: any) =>
      eb.exists(
        eb
          .selectFrom('request_log_metadata as mx')
          .select('mx.log_id')
          .whereRef('mx.log_id', '=', 'l.id')
          .where('mx.key', '=', key)
          .where('mx.value', '=', value),
      ),
    );
  }
  return q as Q;
}

/**
 * Metadata filter pairs as the records hold them: key and value cut as they were when stored (see
 * {@link metadataText}), so a value over 128 characters finds the records it was sent with.
 */
export function storedPairs(metadata: readonly (readonly [string, string])[]): (readonly [string, string])[] {
  return metadata.map(([key, value]) => [metadataText(key), metadataText(value)] as const);
}

/** Whether `filter` narrows the records at all. */
export function hasRecordConditions(
  filter: RecordConditions,
  metadata: readonly (readonly [string, string])[],
): boolean {
  return (
    metadata.length > 0 ||
    [
      filter.traceId,
      filter.status,
      filter.provider,
      filter.model,
      filter.virtualKey,
      filter.configId,
      filter.prompt,
      filter.cacheStatus,
      filter.errorCode,
      filter.failed,
    ].some((value) => value !== undefined)
  );
}
