import { expect } from 'vitest';

/** GET `path` (under the gateway's `/v1`) with an admin key: the JSON answered. */
export type AdminGet = <T>(path: string) => Promise<T>;

/** An {@link AdminGet} for the gateway at `base` (its `/v1` URL) and an admin key. */
export function adminGetter(base: string, adminKey: string): AdminGet {
  return async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`, { headers: { 'x-portkey-api-key': adminKey } });
    return (await response.json()) as T;
  };
}

/** A trace's record as `/v1/logs` lists it, once the log store has it (a record is written after its answer). */
export async function listedRecordOf(
  adminGet: AdminGet,
  traceId: string,
  timeoutMs = 5000,
): Promise<Record<string, unknown>> {
  let record: Record<string, unknown> | undefined;
  await expect
    .poll(
      async () => {
        const listed = await adminGet<{ data?: Record<string, unknown>[] }>(
          `/logs?trace_id=${encodeURIComponent(traceId)}`,
        );
        record = listed.data?.[0];
        return record;
      },
      { timeout: timeoutMs },
    )
    .toBeDefined();
  return record as Record<string, unknown>;
}

/** A trace's whole record (`/v1/logs/:id`, what the console's detail shows), once stored. */
export async function storedRecordOf(
  adminGet: AdminGet,
  traceId: string,
  timeoutMs = 8000,
): Promise<Record<string, unknown>> {
  const listed = await listedRecordOf(adminGet, traceId, timeoutMs);
  return adminGet<Record<string, unknown>>(`/logs/${String(listed.id)}`);
}
