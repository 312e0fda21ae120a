import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readFixtureText } from './fixtures.js';

/**
 * One OpenAI-compatible vendor's fixture test (`openai-compatible/__fixtures__/<id>/case.json`):
 * the documented URL and auth, what the vendor must receive, and what the client must get back from
 * the vendor's documented answers (`chat` and `stream` fixtures in the same folder).
 */
export const vendorCaseSchema = z.strictObject({
  /** The vendor documentation the fixtures follow. */
  source: z.array(z.url()).min(1),
  /** What is specific to this vendor, in words (the test names it). */
  quirk: z.string().min(1),
  /** Target options besides `provider` (`api_key`, account ids …). */
  target: z.record(z.string(), z.string()),
  /** Body fields added to the test's chat request (`model`, vendor parameters …). */
  request: z.record(z.string(), z.unknown()),
  /** The documented chat completions URL. */
  url: z.url(),
  /** Headers the vendor must receive (lower-case names, exact values). */
  headers: z.record(z.string(), z.string()),
  /** Header names the vendor must not receive. */
  absentHeaders: z.array(z.string()).default([]),
  /** Body fields the vendor must receive besides the client's own (renamed parameters). */
  sentIncludes: z.record(z.string(), z.unknown()).default({}),
  /** Client body fields the vendor must not receive (dropped or renamed parameters). */
  sentAbsent: z.array(z.string()).default([]),
  /** `x-pk-warnings` the call must report. */
  warnings: z.array(z.string()).default([]),
  chat: z.strictObject({
    fixture: z.string(),
    /** A subset the client's answer must match (vendor fields included). */
    expect: z.record(z.string(), z.unknown()),
  }),
  stream: z.strictObject({
    fixture: z.string(),
    /** Whether `stream_options.include_usage` goes upstream (the vendor's way of reporting usage). */
    streamOptionsSent: z.boolean(),
    content: z.string(),
    reasoning: z.string().default(''),
    finishReason: z.string(),
    /** The one usage chunk the client gets (it asks for usage), or `null` when the vendor reports none. */
    usage: z.record(z.string(), z.unknown()).nullable(),
  }),
  error: z
    .strictObject({
      fixture: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).default({}),
      expect: z.record(z.string(), z.unknown()),
    })
    .optional(),
});

/** A parsed `case.json`. */
export type VendorCase = z.infer<typeof vendorCaseSchema>;

/** Reads and validates `openai-compatible/__fixtures__/<id>/case.json`. */
export function readVendorCase(id: string): VendorCase {
  return vendorCaseSchema.parse(JSON.parse(readFixtureText('openai-compatible', `${id}/case.json`)));
}

/**
 * The frames a mock upstream writes for a stream fixture: a `.sse` file is the vendor's bytes as
 * documented (comments, keep-alives and all), cut after each blank line; a `.chunks.txt` file is one
 * `data:` payload per line.
 */
export function vendorStreamFrames(id: string, fixture: string): string[] {
  const text = readFixtureText('openai-compatible', `${id}/${fixture}`);
  if (fixture.endsWith('.chunks.txt')) {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => `data: ${line}\n\n`);
  }
  return text.split(/(?<=\n\n)/).filter((frame) => frame !== '');
}

/** True when the vendor's fixture folder exists with its case. */
export function hasVendorCase(id: string): boolean {
  try {
    readFileSync(new URL(`../openai-compatible/__fixtures__/${id}/case.json`, import.meta.url));
    return true;
  } catch {
    return false;
  }
}
