import type { Kysely, Migration } from 'kysely';

/**
 * The path a pass-through request called (`/v1/files/file-abc/content`, never its query string),
 * on its log record: its endpoint is only `passthrough`, so without it a reader of the logs could
 * not tell which of the provider's endpoints was called. Null for every other endpoint (the endpoint
 * names it) and for records written before. No index: read with the record, never filtered on.
 */
export function requestLogPathMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('request_logs').addColumn('path', 'text').execute();
    },
  };
}
