/** One attempt of a request: a fallback target or a retry. */
export interface LogAttempt {
  readonly target_path?: string | null;
  readonly provider?: string | null;
  readonly model?: string | null;
  readonly status?: number | null;
  readonly latency_ms?: number | null;
  readonly error_code?: string | null;
  readonly started_at?: string | number | null;
  readonly start_offset_ms?: number | null;
  readonly cache_status?: string | null;
  readonly retry?: number | null;
  /** The gateway refused it itself (a limit, an input guardrail, an open breaker): never sent. */
  readonly not_sent?: boolean | null;
}

/** A log record as the query API answers it (`GET /v1/logs`): snake_case, costs in USD. */
export interface LogRecord {
  readonly id: string;
  readonly [field: string]: unknown;
}

/** The first present value of `names` in a record (the query API's names, with their variants). */
export function pick(record: Readonly<Record<string, unknown>>, ...names: string[]): unknown {
  for (const name of names) {
    const value = name.includes('.')
      ? name
          .split('.')
          .reduce<unknown>((object, part) => (object as Record<string, unknown> | null)?.[part], record)
      : record[name];
    if (value !== undefined && value !== null) return value;
  }
  return null;
}

export const timeOf = (record: LogRecord) => pick(record, 'created_at', 'time', 'timestamp', 'started_at');
export const tokensOf = (record: LogRecord): number | null => {
  const total = pick(record, 'total_tokens', 'tokens.total', 'usage.total_tokens');
  if (typeof total === 'number') return total;
  const prompt = pick(record, 'prompt_tokens', 'tokens.prompt', 'usage.prompt_tokens');
  const completion = pick(record, 'completion_tokens', 'tokens.completion', 'usage.completion_tokens');
  if (typeof prompt !== 'number' && typeof completion !== 'number') return null;
  return (typeof prompt === 'number' ? prompt : 0) + (typeof completion === 'number' ? completion : 0);
};
export const userOf = (record: LogRecord) => pick(record, 'metadata._user', 'user');
export const attemptsOf = (record: LogRecord): LogAttempt[] => {
  const attempts = pick(record, 'attempts');
  return Array.isArray(attempts) ? (attempts as LogAttempt[]) : [];
};

/**
 * Characters that reorder the text around them (Unicode's bidirectional controls: the Arabic letter
 * mark, the left-to-right and right-to-left marks, embeddings, overrides and isolates and their pop).
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Whether a text holds a bidirectional control (see {@link showBidiControls}). */
export const hasBidiControls = (value: string): boolean => value.search(BIDI_CONTROLS) !== -1;

/**
 * A user's text with each bidirectional control shown as its escape (`\u202E`) instead of applied:
 * `"evil\u202Egpj.exe"` must not read as `evilexe.jpg`, nor a user id disguise itself as another.
 */
export function showBidiControls(value: string): string {
  return value.replace(BIDI_CONTROLS, escapeOf);
}

const escapeOf = (control: string): string =>
  `\\u${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** A text cut at its bidirectional controls: plain parts, and each control as its escape. */
export function bidiParts(value: string): { readonly text: string; readonly control: boolean }[] {
  const parts: { text: string; control: boolean }[] = [];
  let last = 0;
  for (const match of value.matchAll(BIDI_CONTROLS)) {
    if (match.index > last) parts.push({ text: value.slice(last, match.index), control: false });
    parts.push({ text: escapeOf(match[0]), control: true });
    last = match.index + match[0].length;
  }
  if (last < value.length) parts.push({ text: value.slice(last), control: false });
  return parts;
}

/** A value as the text {@link text} gives, before its controls are shown (`null` for none). */
export function rawText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * A value as text for a cell: never markup (Preact sets text, and this never builds HTML), its
 * bidirectional controls shown rather than applied.
 */
export function text(value: unknown): string {
  const raw = rawText(value);
  return raw === null ? '—' : showBidiControls(raw);
}

/** A duration in milliseconds (`4.23 ms`), or a dash alone when there is none (not `— ms`). */
export function durationText(value: unknown): string {
  const shown = text(value);
  return shown === '—' ? shown : `${shown} ms`;
}

/** A time as local text, or the value as given when it is not a time. */
export function timeText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  const time = new Date(typeof value === 'number' ? value : String(value));
  return Number.isNaN(time.getTime()) ? text(value) : time.toLocaleString();
}

export function costText(value: unknown): string {
  return typeof value === 'number' ? `$${value.toFixed(value < 0.01 ? 6 : 4)}` : '—';
}

/**
 * A record's cost as the console shows it: dollars (`(partial)` after them for a stream that ended
 * short, priced from the usage its provider had reported: `partial_usage`), or `unpriced` when the
 * gateway knows no price for its model (`cost: null`, `cost_status: "unknown_price"`: never $0) or
 * its answer had no token counts (`no_usage`); `$0 (cache hit)` for an answer from the cache; `—` for
 * a record with no cost at all (a failed request).
 */
export function recordCostText(record: LogRecord): string {
  const cost = pick(record, 'cost');
  const status = pick(record, 'cost_status');
  // A cache hit sent nothing to a provider: its $0 is that, not a price.
  if (cost === 0 && isCacheHit(pick(record, 'cache_status'))) return '$0 (cache hit)';
  if (typeof cost === 'number')
    return status === 'partial_usage' ? `${costText(cost)} (partial)` : costText(cost);
  if (status === 'unknown_price') return 'unpriced';
  if (status === 'no_usage') return 'unpriced (no usage)';
  return '—';
}

/** Whether a cache status is a hit (`HIT`, `SEMANTIC HIT`): the answer came from the cache. */
export function isCacheHit(status: unknown): boolean {
  return status === 'HIT' || status === 'SEMANTIC HIT' || status === 'SEMANTIC_HIT';
}

/** Whether `answered` is `asked` itself or one of its dated snapshots (`gpt-4o-mini-2024-07-18`). */
function sameModel(asked: string, answered: string): boolean {
  if (answered === asked || !answered.startsWith(`${asked}-`)) return answered === asked;
  return /^\d{4}-?\d{2}-?\d{2}$/.test(answered.slice(asked.length + 1));
}

/**
 * A record's model for the logs list: the model the request called (a target's
 * `override_params.model`, else the body's: what the Model filter and the analytics match),
 * followed by the one that answered when the provider answered another (`gpt-4o-mini → gpt-4o`, a
 * deployment's or a router's alias; a provider's dated snapshot of the same model is not a change).
 */
export function modelText(record: LogRecord): string {
  const asked = pick(record, 'model');
  const answered = pick(record, 'answered_model');
  if (typeof asked !== 'string') return text(answered);
  return typeof answered === 'string' && !sameModel(asked, answered)
    ? `${text(asked)} → ${text(answered)}`
    : text(asked);
}
