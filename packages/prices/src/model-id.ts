/**
 * Model ids longer than this are not looked up (no published model id comes close); they are
 * unknown, which also bounds the work a client-chosen string can cause.
 */
export const MAX_MODEL_ID_LENGTH = 256;

/** A model id as the tables store it: trimmed and lower-cased. */
export function normaliseModelId(model: string): string {
  return model.trim().toLowerCase();
}

// A date in a model id: `-2024-08-06`, `-20240806` or Vertex's `@20240806`, at the end.
const TRAILING_DATE = /(?:-\d{4}-\d{2}-\d{2}|[-@]\d{8})$/;
// The source's own retry: a compact `-YYYYMMDD` (valid date) becomes `-YYYY-MM-DD`.
const COMPACT_DATE = /-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

function dashedDates(id: string): string {
  return id.replace(COMPACT_DATE, (whole: string, year: string, month: string, day: string) => {
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day)
      ? `-${year}-${month}-${day}`
      : whole;
  });
}

/** One spelling of a model id to look up, and whether the source itself would try it. */
export interface ModelIdCandidate {
  readonly id: string;
  /** False for pk's own normalisations (a date or a provider prefix removed). */
  readonly asSourceSpellsIt: boolean;
}

/**
 * The spellings tried for a normalised model id, in order, without repeats:
 * 1. the id as given; 2. its compact dates dashed (`claude-sonnet-4-20250514` → `…-2025-05-14`), as
 *    the source retries;
 * 3. without a trailing date (`gpt-4o-2024-08-06` → `gpt-4o`, `claude-3-5-sonnet@20240620` → …);
 * 4. the same for the part after the last `/` (`openai/gpt-4o`, Vertex `publishers/google/models/…`,
 *    a Bedrock ARN), when there is one.
 * An exact listing always wins over a normalised one: `gpt-4o-2024-05-13` keeps its own price.
 */
export function modelIdCandidates(id: string): ModelIdCandidate[] {
  const candidates: ModelIdCandidate[] = [];
  const seen = new Set<string>();
  const add = (value: string, asSourceSpellsIt: boolean): void => {
    if (value.length === 0 || seen.has(value)) return;
    seen.add(value);
    candidates.push({ id: value, asSourceSpellsIt });
  };
  const spellings = (value: string, fromSource: boolean): void => {
    add(value, fromSource);
    add(dashedDates(value), fromSource);
    add(value.replace(TRAILING_DATE, ''), false);
  };
  spellings(id, true);
  const slash = id.lastIndexOf('/');
  if (slash >= 0) spellings(id.slice(slash + 1), false);
  return candidates;
}
