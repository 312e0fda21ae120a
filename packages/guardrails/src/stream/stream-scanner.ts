import type { CheckOutcome } from '../model/check-definition.js';

/**
 * A check's view of an answer while it streams. The guard hands it a region of the text: up to a
 * window of characters already sent (context only) and everything not sent yet.
 */
export interface ScanStep {
  /** The text so far fails the check for good: no later text can make it pass. */
  readonly failed?: boolean;
  /** The region rewritten (redaction); only characters from `unsentAt` on may differ. */
  readonly region?: string;
  /** Nothing from this index of the region on may be sent yet (a match still growing at the end). */
  readonly holdFrom?: number;
}

/** Scans a growing text; one per check and choice. */
export interface StreamScanner {
  /**
   * @param region the text from a little before the first unsent character to the end so far
   * @param from where matches may start (1 when `region[0]` is only context for `\b` and lookbehind)
   * @param unsentAt index of the first character not sent to the client yet
   * @param final no more text will come
   */
  scan(region: string, from: number, unsentAt: number, final: boolean): ScanStep;
  /** The check's outcome over the whole stream when the scanner decided it (it redacted), else undefined. */
  outcome?(): CheckOutcome | undefined;
}

/** True when a pattern's verdict at the end of a text may change once more text follows it. */
export function dependsOnWhatFollows(source: string): boolean {
  return /\$|\\[bBz]/.test(source);
}

/**
 * The scanner of a "must not match" pattern: fails at the first match that later text cannot undo.
 * A match that touches the end of the text so far, of a pattern with `$` or `\b`, waits (held back)
 * for the next piece of text.
 */
export function forbiddenMatchScanner(
  find: (text: string, from: number) => { start: number; end: number } | undefined,
  waitsAtEnd: boolean,
): StreamScanner {
  return {
    scan(region, from, _unsentAt, final) {
      let pending: number | undefined;
      let at = from;
      for (let tries = 0; tries < 8 && at <= region.length; tries += 1) {
        const match = find(region, at);
        if (match === undefined) break;
        if (final || !waitsAtEnd || match.end < region.length) return { failed: true };
        pending ??= match.start;
        at = match.start + 1;
      }
      return pending === undefined ? {} : { holdFrom: pending };
    },
  };
}

/** One match a redacting scanner found in a region. */
export interface RegionMatch {
  readonly start: number;
  readonly end: number;
  /** What replaces it. */
  readonly replacement: string;
  /** What was found (`email`, `openai` …), counted in the outcome. */
  readonly kind?: string;
}

/**
 * The scanner of a redacting check: matches in the unsent text are replaced before they are sent;
 * a match still touching the end of the text waits for more text (held back). `limit` caps how many
 * replacements are made over the whole stream (1 for a non-global pattern). With `failOnMatch`, the
 * first replacement also fails the check.
 */
export function redactingScanner(options: {
  readonly find: (region: string, from: number) => RegionMatch | undefined;
  readonly waitsAtEnd: boolean;
  readonly limit?: number;
  readonly failOnMatch?: boolean;
  readonly outcome: (replaced: number, counts: Readonly<Record<string, number>>) => CheckOutcome | undefined;
}): StreamScanner {
  let replaced = 0;
  const counts: Record<string, number> = {};
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  return {
    scan(region, from, unsentAt, final) {
      let text = region;
      let at = from;
      let holdFrom: number | undefined;
      let changed = false;
      while (replaced < limit && at <= text.length) {
        const match = options.find(text, at);
        if (match === undefined) break;
        // Matches starting in text already sent were seen (and redacted) when it was unsent.
        if (match.start < unsentAt) {
          at = Math.max(match.end, match.start + 1);
          continue;
        }
        if (!final && match.end >= text.length) {
          // Every PII and secret pattern may still grow (more digits, more key characters).
          holdFrom = match.start;
          break;
        }
        text = text.slice(0, match.start) + match.replacement + text.slice(match.end);
        replaced += 1;
        if (match.kind !== undefined) counts[match.kind] = (counts[match.kind] ?? 0) + 1;
        changed = true;
        at = match.start + Math.max(1, match.replacement.length);
      }
      const failed = options.failOnMatch === true && replaced > 0;
      return {
        ...(failed ? { failed } : {}),
        ...(changed ? { region: text } : {}),
        ...(holdFrom === undefined ? {} : { holdFrom }),
      };
    },
    outcome: () => options.outcome(replaced, counts),
  };
}
