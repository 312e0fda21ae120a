/**
 * What a stream's items say about its answer, read from their JSON text without parsing it: the
 * model that answered and the choices' finish reasons. For the request's record and log line (a
 * JSON answer has them from its parsed body); a stream's items are scanned as they pass, once each.
 */

import { memberName, nextMemberValueAt, rawStringAt } from './json-text-scan.js';

const FINISH_REASON = memberName('finish_reason');
const MODEL = memberName('model');
/** As many as a JSON answer's log line keeps. */
const MAX_FINISH_REASONS = 16;

function unescaped(text: string): string | undefined {
  if (!text.includes('\\')) return text;
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return undefined;
  }
}

/** The first `"model": "…"` in an item's JSON text (OpenAI chunks, Anthropic's `message_start`, a Responses event). */
export function modelNamedIn(data: string): string | undefined {
  for (let at = nextMemberValueAt(data, MODEL); at !== -1; at = nextMemberValueAt(data, MODEL, at)) {
    const raw = rawStringAt(data, at);
    if (raw === undefined) continue; // null, or not a string
    const model = unescaped(raw);
    return model === undefined || model === '' ? undefined : model.slice(0, 256);
  }
  return undefined;
}

/** Appends the non-null `finish_reason`s of an OpenAI chunk's text to `reasons` (at most 16 in all). */
export function collectFinishReasons(data: string, reasons: string[]): void {
  // Every OpenAI chunk has one (`null` until the last): found by `indexOf`, not a regex over the chunk.
  for (
    let at = nextMemberValueAt(data, FINISH_REASON);
    at !== -1 && reasons.length < MAX_FINISH_REASONS;
    at = nextMemberValueAt(data, FINISH_REASON, at)
  ) {
    const raw = rawStringAt(data, at);
    if (raw === undefined) continue; // null, or not a string
    const reason = unescaped(raw);
    if (reason !== undefined) reasons.push(reason.slice(0, 64));
  }
}
