import type { Kysely, Migration } from 'kysely';

/**
 * Feedback by its time, for the analytics' feedback graphs (`GET /v1/analytics/graphs/feedbacks…`):
 * a tenant's feedback of a range, read through `(tenant, created_at)` instead of every piece of the
 * tenant's through `(tenant, trace_id)`.
 */
export function feedbackTimeMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('feedback_tenant_time')
        .on('feedback')
        .columns(['tenant', 'created_at'])
        .execute();
    },
  };
}
