import {
  attemptsOf,
  costText,
  isCacheHit,
  type LogAttempt,
  type LogRecord,
  pick,
  text,
} from './log-record.js';

export { isCacheHit };

// What a request's detail says of its cost, its cache and its retries, in words a user reads
// without knowing the log record's fields: where the cost came from (`cost_source`), what it is
// made of (`cost_parts`), and why a request has none (`cost_status`).

/** The model that was priced: the one that answered, else the one asked for. */
const pricedModel = (record: LogRecord) => pick(record, 'answered_model', 'model');

/** `gpt-4o-mini on openai`, `gpt-4o-mini`, or `its model` when the record names none. */
function modelOn(record: LogRecord): string {
  const model = pricedModel(record);
  const provider = pick(record, 'provider');
  const named = model === null ? 'its model' : text(model);
  return provider === null ? named : `${named} on ${text(provider)}`;
}

/**
 * Where a record's cost came from: the provider's own figure (OpenRouter's `usage.cost`), pk's price
 * table, or the cache (a hit sends nothing and costs nothing); `—` when there is no cost.
 */
export function costSourceText(record: LogRecord): string {
  const cost = pick(record, 'cost');
  if (typeof cost !== 'number') return '—';
  if (cost === 0 && isCacheHit(pick(record, 'cache_status')))
    return 'The cache: nothing was sent to a provider';
  if (pick(record, 'cost_source') === 'provider')
    return `${text(pick(record, 'provider') ?? 'The provider')}: what it reported it charged`;
  return 'pk’s price table (@pk/prices and the settings’ prices:)';
}

/**
 * A record's cost status in words: what was priced, or why nothing was (`unknown_price`: no price
 * for the model; `no_usage`: the answer said no usage; `partial_usage`: a stream that ended short).
 */
export function costStatusText(record: LogRecord): string {
  const status = pick(record, 'cost_status');
  const cost = pick(record, 'cost');
  switch (status) {
    case 'unknown_price':
      return `No price known for model ${modelOn(record)}: its cost is unknown (not $0). Give it a price in the settings (prices:).`;
    case 'no_usage':
      return `Not priced: the answer of ${modelOn(record)} reported no usage to price`;
    case 'partial_usage':
      return `Partial: the stream ended early, priced from the usage ${text(pick(record, 'provider') ?? 'its provider')} had reported by then (the output after it is not counted)`;
    case 'priced': {
      if (cost === 0 && isCacheHit(pick(record, 'cache_status')))
        return 'Priced at $0: answered from the cache';
      if (pick(record, 'cost_source') === 'provider')
        return `Priced by ${text(pick(record, 'provider'))} for ${text(pricedModel(record) ?? 'its model')}: the cost it reported (usage.cost), not pk’s price of the tokens`;
      const parts = costPartsOf(record);
      if (parts.length > 0) return `Priced from its ${parts.length} parts (Cost parts, below)`;
      const usage = tokenUsageText(record);
      const tokens =
        usage === '—'
          ? 'the usage'
          : /^\d+$/.test(usage)
            ? `${usage} tokens`
            : usage.replace(' (', ' tokens (');
      return `Priced from ${tokens} of ${modelOn(record)}`;
    }
    default: {
      const code = pick(record, 'status');
      if (typeof code === 'number' && code >= 400)
        return 'No cost: the request failed, and a refused call is not billed';
      if (status !== null) return text(status);
      // Pass-through answers (images, files, batches) carry no cost status: nothing prices them.
      const endpoint = pick(record, 'path', 'endpoint');
      return endpoint === null
        ? 'No cost recorded'
        : `Not priced: pk records no cost for answers of ${text(endpoint)}`;
    }
  }
}

/** A count with its unit, singular for one: `1 transcription`, `3 responses`. */
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One part of a record's cost, as the detail's table shows it. */
export interface CostPartRow {
  readonly part: string;
  readonly model: string;
  /** What the part sums: events, tokens, seconds of audio. */
  readonly amount: string;
  /** Its cost, or why it has none (not in the record's cost). */
  readonly cost: string;
}

const PART_NAMES: Readonly<Record<string, readonly [string, string, string]>> = {
  // name, one event, many events
  responses: ['Responses', 'response', 'responses'],
  input_audio_transcription: ['Input audio transcription', 'transcription', 'transcriptions'],
};

/** The parts of a record's cost (`cost_parts`: a Realtime session's responses and transcriptions). */
export function costPartsOf(record: LogRecord): CostPartRow[] {
  const parts = pick(record, 'cost_parts');
  if (!Array.isArray(parts)) return [];
  return parts.map((raw) => {
    const part = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const [name, one, many] = PART_NAMES[String(part.part)] ?? [text(part.part), 'event', 'events'];
    const amount: string[] = [];
    if (typeof part.events === 'number') amount.push(count(part.events, one, many));
    if (typeof part.total_tokens === 'number') amount.push(count(part.total_tokens, 'token', 'tokens'));
    if (typeof part.seconds === 'number') amount.push(`${part.seconds} s of audio`);
    const model = typeof part.model === 'string' ? text(part.model) : 'model not named by the session';
    return {
      part: name,
      model,
      amount: amount.join(', ') || '—',
      cost:
        typeof part.cost === 'number'
          ? costText(part.cost)
          : typeof part.model === 'string'
            ? `unpriced: no price known for ${model} (not in the total)`
            : 'unpriced: no model to price (not in the total)',
    };
  });
}

/**
 * A record's token usage: the total, then what it is made of (`21 (12 in, 9 out)`; cached,
 * cache-write and reasoning tokens named when the provider reported them). `—` when none.
 */
export function tokenUsageText(record: LogRecord): string {
  const number = (name: string) => {
    const value = pick(record, `usage.${name}`, name);
    return typeof value === 'number' ? value : null;
  };
  const input = number('prompt_tokens');
  const output = number('completion_tokens');
  const total =
    number('total_tokens') ?? (input === null && output === null ? null : (input ?? 0) + (output ?? 0));
  if (total === null) return '—';
  const cached = number('cached_tokens');
  const written = number('cache_write_tokens');
  const reasoning = number('reasoning_tokens');
  const inside: string[] = [];
  if (input !== null) {
    const of = [
      ...(cached ? [`${cached} cached`] : []),
      ...(written ? [`${written} written to the cache`] : []),
    ];
    inside.push(`${input} in${of.length > 0 ? ` of which ${of.join(', ')}` : ''}`);
  }
  if (output !== null) inside.push(`${output} out${reasoning ? ` of which ${reasoning} reasoning` : ''}`);
  return inside.length === 0 ? String(total) : `${total} (${inside.join(', ')})`;
}

/** Portkey's words for a cache status (`HIT` → `Hit`); `—` for none. */
export function cacheStatusText(status: unknown): string {
  switch (status) {
    case 'HIT':
      return 'Hit: answered from the cache';
    case 'SEMANTIC HIT':
    case 'SEMANTIC_HIT':
      return 'Semantic hit: answered from the cache (a similar request)';
    case 'MISS':
      return 'Miss: asked the provider, answer stored';
    case 'SEMANTIC MISS':
      return 'Semantic miss: asked the provider, answer stored';
    case 'REFRESH':
      return 'Refreshed: asked the provider again, answer stored';
    case 'DISABLED':
      return 'Disabled: no cache for this request';
    default:
      return text(status);
  }
}

/**
 * The retries of a request as Portkey's log says them (`retries`: retries made; -1 when every one
 * was used up or retrying stopped): not triggered, succeeded on try N, or failed.
 */
export function retryText(record: LogRecord): string {
  const retries = pick(record, 'retries', 'retry_count');
  if (typeof retries !== 'number') return '—';
  if (retries === -1) {
    const tries = attemptRoles(attemptsOf(record)).filter((role) => role.retry > 0).length;
    return tries > 0
      ? `Failed: every retry used (${count(tries, 'retry', 'retries')})`
      : 'Failed: retries used up or stopped';
  }
  if (retries === 0) return 'Not triggered';
  const status = pick(record, 'status');
  const tries = retries + 1;
  return typeof status === 'number' && status < 400
    ? `Succeeded on try ${tries} (${count(retries, 'retry', 'retries')})`
    : `${count(retries, 'retry', 'retries')}, then failed`;
}

/** What each attempt was: the first try, a retry of the same target (its number), or a fallback. */
export interface AttemptRole {
  readonly retry: number;
  readonly fallback: boolean;
  readonly label: string;
}

/**
 * Each attempt's role: an attempt at the same target as the one before is its retry (`retry 1`), at
 * another target a fallback to it (`fallback`), the first one `first try`.
 */
export function attemptRoles(attempts: readonly LogAttempt[]): AttemptRole[] {
  let retry = 0;
  return attempts.map((attempt, index) => {
    if (index === 0) return { retry: 0, fallback: false, label: 'first try' };
    const previous = attempts[index - 1];
    if (typeof attempt.retry === 'number' && attempt.retry > 0) {
      retry = attempt.retry;
      return { retry, fallback: false, label: `retry ${retry}` };
    }
    if (previous !== undefined && previous.target_path === attempt.target_path) {
      retry += 1;
      return { retry, fallback: false, label: `retry ${retry}` };
    }
    retry = 0;
    return { retry: 0, fallback: true, label: 'fallback' };
  });
}

/**
 * What the gateway did beyond one try, in a few words for the logs table's status (Portkey's Status
 * column shows the retry and fallback states): `2 retries` (counted from the attempts, every
 * target's; else the record's `retries`), `retries used up` (`retries: -1`), `fallback`. Empty for a
 * request answered at the first try. From the record as listed: nothing more is read per row.
 */
export function strategyNotes(record: LogRecord): string[] {
  const roles = attemptRoles(attemptsOf(record));
  const notes: string[] = [];
  const retries = pick(record, 'retries', 'retry_count');
  const retried = roles.length > 0 ? roles.filter((role) => role.retry > 0).length : retries;
  if (retries === -1) notes.push('retries used up');
  else if (typeof retried === 'number' && retried > 0) notes.push(count(retried, 'retry', 'retries'));
  if (roles.some((role) => role.fallback)) notes.push('fallback');
  return notes;
}
