import { type LogRecord, timeOf } from './log-record.js';

/** A page of `GET /v1/logs`: newest first, and the cursor of the rest. */
export interface LogsPage {
  readonly data: LogRecord[];
  readonly next_cursor: string | null;
}

/** Where a record stands in the logs' order (newest first: time, then id), as the API sorts it. */
export interface LogKey {
  readonly time: number;
  readonly id: string;
}

/** Records the live tail asks for per page. */
export const TAIL_PAGE = 100;
/** Pages the live tail reads per poll (or per _Load them_) before it leaves the rest as a gap. */
export const TAIL_MAX_PAGES = 5;

export function keyOf(record: LogRecord): LogKey {
  const value = timeOf(record);
  const time = new Date(typeof value === 'number' ? value : String(value)).getTime();
  return { time: Number.isNaN(time) ? 0 : time, id: record.id };
}

/** Positive when `a` comes after `b` in time order (so before it in the newest-first list). */
export function compareKeys(a: LogKey, b: LogKey): number {
  if (a.time !== b.time) return a.time - b.time;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Records newer than the live tail has loaded, not yet shown: what the tail reads between `from`
 * (the newest record shown when it read them) and `cursor` (where it stopped, at its cap).
 */
export interface TailGap {
  /** Cursor of the next page to read (the records older than the oldest one the tail read). */
  readonly cursor: string;
  /** The newest record shown when the tail stopped: the gap ends there (null: the list was empty). */
  readonly until: LogKey | null;
  /** The time of the oldest record the tail read (the gap's newer end). */
  readonly after: number;
}

/**
 * Reads the records newer than `until`, newest first, a page at a time from `cursor` (the newest
 * record when undefined) until a page reaches `until` (that page's older records come too: a record
 * logged late, with an earlier time, is found when it lands just below the newest one shown), the
 * end, or `maxPages` pages. Whatever it did not read before its cap is the returned gap.
 */
export async function readNewer(
  fetchPage: (cursor: string | undefined) => Promise<LogsPage>,
  until: LogKey | null,
  options: { readonly cursor?: string | undefined; readonly maxPages?: number } = {},
): Promise<{ records: LogRecord[]; gap: TailGap | null }> {
  const records: LogRecord[] = [];
  let cursor = options.cursor;
  const maxPages = options.maxPages ?? TAIL_MAX_PAGES;
  for (let pages = 1; ; pages += 1) {
    const page = await fetchPage(cursor);
    records.push(...page.data);
    const last = page.data.at(-1);
    if (page.next_cursor === null || last === undefined) return { records, gap: null };
    if (until !== null && compareKeys(keyOf(last), until) <= 0) return { records, gap: null };
    if (pages >= maxPages)
      return { records, gap: { cursor: page.next_cursor, until, after: keyOf(last).time } };
    cursor = page.next_cursor;
  }
}

/**
 * `incoming` merged into `current` (both newest first), each record once, in the logs' order. When
 * the list has more below (`complete` false), a record older than its last one is left for the next
 * page to bring, so that page neither repeats it nor lands above it.
 */
export function mergeRecords(
  current: readonly LogRecord[],
  incoming: readonly LogRecord[],
  complete: boolean,
): LogRecord[] {
  const known = new Set(current.map((record) => record.id));
  const oldest = current.at(-1);
  const floor = complete || oldest === undefined ? null : keyOf(oldest);
  const fresh = incoming
    .filter((record) => {
      if (known.has(record.id)) return false;
      known.add(record.id);
      return floor === null || compareKeys(keyOf(record), floor) > 0;
    })
    .sort((a, b) => compareKeys(keyOf(b), keyOf(a)));
  if (fresh.length === 0) return current as LogRecord[];
  const merged: LogRecord[] = [];
  let i = 0;
  let j = 0;
  while (i < current.length || j < fresh.length) {
    const a = current[i];
    const b = fresh[j];
    if (b === undefined || (a !== undefined && compareKeys(keyOf(a), keyOf(b)) >= 0)) {
      merged.push(a as LogRecord);
      i += 1;
    } else {
      merged.push(b);
      j += 1;
    }
  }
  return merged;
}

/** The newest record's key, or null for an empty list. */
export const newestKey = (records: readonly LogRecord[]): LogKey | null =>
  records[0] === undefined ? null : keyOf(records[0]);
