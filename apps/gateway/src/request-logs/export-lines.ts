import { PkError } from '@pk/config';
import type { StoredRequestLog } from '@pk/store';

/**
 * USD as Portkey's cents, without the binary noise of the multiplication (0.0000072 USD is 0.00072,
 * not 0.0007199999999999999).
 */
export function centsOf(usd: number | null): number | null {
  return usd === null ? null : Number((usd * 100).toPrecision(12));
}

/** A stored body as exported: its JSON when it is JSON, else its text (a body cut at 64 KiB). */
function bodyOf(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The fields an export line may have: Portkey's `requested_data` names, then pk's additions. Costs
 * are in cents as Portkey's, with `cost_currency`; `request` and `response` are the stored bodies
 * (only kept with `PK_LOG_BODIES`, else null); `mode` is pk's endpoint (`chat.completions` …);
 * `request_url` is null (pk does not keep the provider's URL); `path` is the path a pass-through
 * request called, without its query string (null for the other endpoints), as the logs API's;
 * `error_message`, `guardrails` (the hooks' results, filtered as stored), `cost_source` and
 * `cost_parts` are the logs API's too.
 */
const FIELDS: Readonly<Record<string, (record: StoredRequestLog) => unknown>> = {
  id: (record) => record.id,
  trace_id: (record) => record.trace_id,
  created_at: (record) => record.created_at,
  request: (record) => bodyOf(record.request_body),
  response: (record) => bodyOf(record.response_body),
  // A stream that ended with an error after its 200 (an `error_code` under 400) did not succeed.
  is_success: (record) => (record.status < 400 && record.error_code === null ? 1 : 0),
  ai_org: (record) => record.provider,
  ai_model: (record) => record.answered_model ?? record.model,
  req_units: (record) => record.usage.prompt_tokens,
  res_units: (record) => record.usage.completion_tokens,
  total_units: (record) => record.usage.total_tokens,
  request_url: () => null,
  cost: (record) => centsOf(record.cost),
  cost_currency: () => 'USD',
  response_time: (record) => record.latency_ms,
  response_status_code: (record) => record.status,
  mode: (record) => record.endpoint,
  config: (record) => record.config_id,
  prompt_slug: (record) => record.prompt,
  metadata: (record) => record.metadata,
  // pk's additions (Portkey's older export columns, and what pk's log has besides).
  cache_status: (record) => record.cache_status,
  request_method: (record) => record.method,
  stream_mode: (record) => record.stream,
  virtual_key: (record) => record.virtual_key,
  error_code: (record) => record.error_code,
  span_id: (record) => record.span_id,
  path: (record) => record.path,
  error_message: (record) => record.error_message,
  guardrails: (record) => record.guardrails,
  cost_source: (record) => record.cost_source,
  cost_parts: (record) => record.cost_parts,
};

/** Every field name an export may ask for, in the order above. */
export const EXPORT_FIELDS: readonly string[] = Object.keys(FIELDS);

/** Whether an export's fields need the stored bodies. */
export function needsBodies(fields: readonly string[]): boolean {
  return fields.includes('request') || fields.includes('response');
}

/** Checks `requested_data`: a list of known field names, each once. Throws a 400 `PkError`. */
export function checkRequestedData(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new PkError('PK_ERR_INVALID_REQUEST', 'requested_data must list the fields each line has', {
      param: 'requested_data',
    });
  const seen = new Set<string>();
  for (const name of value) {
    if (typeof name !== 'string' || !Object.hasOwn(FIELDS, name))
      throw new PkError(
        'PK_ERR_INVALID_REQUEST',
        `requested_data: ${JSON.stringify(name)} is not a field; the fields are ${EXPORT_FIELDS.join(', ')}`,
        { param: 'requested_data' },
      );
    if (seen.has(name))
      throw new PkError('PK_ERR_INVALID_REQUEST', `requested_data names ${name} twice`, {
        param: 'requested_data',
      });
    seen.add(name);
  }
  return value as string[];
}

/** One export line (JSON, no newline) of a record: the requested fields, in their order. */
export function exportLineOf(record: StoredRequestLog, fields: readonly string[]): string {
  const line: Record<string, unknown> = {};
  for (const name of fields) line[name] = FIELDS[name]?.(record) ?? null;
  return JSON.stringify(line);
}
