import type { Store } from '../open-store.js';
import { newLogId } from '../request-logs/log-record.js';
import { RequestLogWriter } from '../request-logs/log-writer.js';

/**
 * Writes `records` synthetic request records through the store's own batched writer, one every
 * 100 ms of the past, for the 1,000,000-record timing scripts: 90 % tenant-0, the rest tenant-1
 * (or, with `tenants`, each record the next of that many: tenant-0, tenant-1, …);
 * `_user` one of 100 users (1 % of the records each; user-7 is all tenant-0's), `session` one of
 * 101 (~1 % each, in both tenants) and `team` one of 7;
 * three requests per trace; one in 50 a 503, and one in 1,000 a stream that failed after its 200
 * (`error_code` PK_ERR_STREAM_INTERRUPTED). Resolves to the seconds it took.
 */
export async function seedRequestLogs(
  store: Store,
  records: number,
  options: { readonly tenants?: number } = {},
): Promise<number> {
  const writer = new RequestLogWriter({
    sink: store.openLogSink(),
    capacity: 50_000,
    batchSize: 2000,
    flushMs: 50,
  });
  const started = performance.now();
  const base = Date.now() - records * 100;
  for (let index = 0; index < records; index += 1) {
    const createdAt = base + index * 100;
    while (writer.stats().depth >= 40_000) await writer.flush();
    writer.enqueue({
      id: newLogId(createdAt),
      createdAt,
      tenant:
        options.tenants === undefined
          ? index % 10 === 9
            ? 'tenant-1'
            : 'tenant-0'
          : `tenant-${index % options.tenants}`,
      traceId: `trace-${Math.floor(index / 3)}`,
      status: index % 50 === 0 ? 503 : 200,
      ...(index % 1000 === 501 ? { errorCode: 'PK_ERR_STREAM_INTERRUPTED' } : {}),
      latencyMs: 100 + (index % 900),
      provider: index % 2 === 0 ? 'openai' : 'anthropic',
      model: index % 2 === 0 ? 'gpt-4o-mini' : 'claude-3-5-haiku',
      usage: { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 },
      cost: 0.000042,
      costStatus: 'priced',
      metadata: {
        _user: `user-${index % 100}`,
        team: `team-${index % 7}`,
        session: `session-${index % 101}`,
      },
      attempts: [
        { targetPath: 'config', provider: 'openai', startedAt: createdAt, status: 200, latencyMs: 90 },
      ],
    });
  }
  await writer.close();
  return (performance.now() - started) / 1000;
}
