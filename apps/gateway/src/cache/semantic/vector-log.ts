import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { IndexedVector } from './vector-index.js';

/** Shares semantic-cache vectors between replicas. */
export interface VectorLog {
  /** Publishes a vector stored by this replica (to its tenant's stream). */
  append(entry: IndexedVector): void;
  /** Stops following. */
  close(): void;
}

function toBase64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}

function fieldsOf(raw: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < raw.length; index += 2) fields[raw[index] ?? ''] = raw[index + 1] ?? '';
  return fields;
}

/**
 * Vectors in Redis streams, one per tenant (`pk:sv:{tenant}`, `pk:` being `keyPrefix`, trimmed by
 * age): every replica appends
 * the vectors it stores and follows the streams of the tenants it serves, so an entry stored by one
 * replica is found by the others within a second, and reloaded at start. `tenants` is asked again
 * before every read, so a tenant created at run time is followed from then on (its stream read from
 * the start). `reader` must be a separate connection (it blocks in `XREAD`).
 */
export function createRedisVectorLog(options: {
  readonly writer: Redis;
  readonly reader: Redis;
  readonly tenants: () => Iterable<string>;
  readonly retentionSeconds: number;
  readonly onEntry: (entry: IndexedVector) => void;
  readonly onError: (error: unknown) => void;
  /** What every key begins with (`PK_REDIS_KEY_PREFIX`, default `pk:`). */
  readonly keyPrefix?: string;
}): VectorLog {
  const { writer, reader, onEntry } = options;
  const streamPrefix = `${options.keyPrefix ?? 'pk:'}sv:{`;
  const streamOf = (tenant: string): string => `${streamPrefix}${tenant}}`;
  /** The tenant of a stream named by `streamOf`. */
  const tenantOf = (stream: string): string => stream.slice(streamPrefix.length, -1);
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const lastIds = new Map([...options.tenants()].map((tenant) => [streamOf(tenant), '0-0']));
  let closed = false;

  const deliver = (stream: string, entries: [string, string[]][]): void => {
    const tenant = tenantOf(stream);
    for (const [id, raw] of entries) {
      lastIds.set(stream, id);
      const fields = fieldsOf(raw);
      if (fields.origin === origin || !fields.scope || !fields.key || !fields.vector) continue;
      onEntry({ tenant, scope: fields.scope, key: fields.key, vector: fromBase64(fields.vector) });
    }
  };

  const follow = async (): Promise<void> => {
    const minId = () => `${Date.now() - options.retentionSeconds * 1000}-0`;
    // Without an offline queue, commands before the connection is ready fail: wait for it.
    if (reader.status !== 'ready') await once(reader, 'ready').catch(() => undefined);
    // Load what is still in the streams, then block for new entries.
    for (const stream of lastIds.keys()) {
      try {
        deliver(stream, (await reader.xrange(stream, minId(), '+')) as [string, string[]][]);
      } catch (error) {
        options.onError(error);
      }
    }
    while (!closed) {
      for (const tenant of options.tenants()) {
        const stream = streamOf(tenant);
        if (!lastIds.has(stream)) lastIds.set(stream, '0-0');
      }
      try {
        const streams = [...lastIds.keys()];
        const result = (await reader.xread(
          'BLOCK',
          500,
          'STREAMS',
          ...streams,
          ...streams.map((stream) => lastIds.get(stream) ?? '$'),
        )) as [string, [string, string[]][]][] | null;
        for (const [stream, entries] of result ?? []) deliver(stream, entries);
      } catch (error) {
        if (closed) return;
        options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };
  void follow();

  return {
    append(entry) {
      const stream = streamOf(entry.tenant);
      const minId = `${Date.now() - options.retentionSeconds * 1000}-0`;
      writer
        .xadd(
          stream,
          'MINID',
          '~',
          minId,
          '*',
          'origin',
          origin,
          'scope',
          entry.scope,
          'key',
          entry.key,
          'vector',
          toBase64(entry.vector),
        )
        .catch(options.onError);
    },
    close() {
      closed = true;
      reader.disconnect();
    },
  };
}
