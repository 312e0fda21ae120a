import { readFileSync } from 'node:fs';

/**
 * One request the official clients sent to a recording gateway (`portkey-ai@3.1.0`, and `openai@6`
 * with `createHeaders`): `portkey-client-recordings.jsonl` from the shared reference, bodies removed.
 */
export interface RecordedRequest {
  readonly seq: number;
  /** The scenario; `ctor: …` labels are constructor-option scenarios. */
  readonly label: string;
  readonly method: string;
  readonly url: string;
  /** Header names as sent (case preserved), in wire order. */
  readonly raw_headers: readonly (readonly [string, string])[];
}

/** Every recorded request, in recording order. */
export function loadRecordedRequests(): readonly RecordedRequest[] {
  const text = readFileSync(new URL('./portkey-client-requests.jsonl', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedRequest);
}
