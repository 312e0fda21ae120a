import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  hasObjectMember,
  hasStringMember,
  memberName,
  nextMemberValueAt,
  rawStringAt,
} from './json-text-scan.js';
import { collectFinishReasons, modelNamedIn } from './stream-answer-facts.js';

const USAGE = memberName('usage');
const FINISH_REASON = memberName('finish_reason');
const SOURCE_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Every `data:` payload of every `.sse` fixture: chunks as the vendors' documentation shows them. */
function fixtureStreamItems(): string[] {
  const items: string[] = [];
  for (const file of readdirSync(SOURCE_ROOT, { recursive: true }) as string[]) {
    if (!file.endsWith('.sse')) continue;
    for (const line of readFileSync(join(SOURCE_ROOT, file), 'utf8').split('\n')) {
      if (line.startsWith('data:')) items.push(line.slice(5).trim());
    }
  }
  return items;
}

// What the scans replace, kept here as the oracle they must agree with on real items.
const USAGE_OBJECT = /"usage"\s*:\s*\{/;
const FINISH_REASON_STRING = /"finish_reason"\s*:\s*"/;
const FINISH_REASONS = /"finish_reason"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

const MODEL_STRING = /"model"\s*:\s*"((?:[^"\\]|\\.)*)"/;

function modelByRegex(data: string): string | undefined {
  const raw = MODEL_STRING.exec(data)?.[1];
  if (raw === undefined) return undefined;
  let model: string;
  try {
    model = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
  } catch {
    return undefined;
  }
  return model === '' ? undefined : model.slice(0, 256);
}

function finishReasonsByRegex(data: string): string[] {
  const reasons: string[] = [];
  for (const match of data.matchAll(FINISH_REASONS)) {
    if (reasons.length >= 16) break;
    const raw = match[1] ?? '';
    const reason = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    reasons.push(reason.slice(0, 64));
  }
  return reasons;
}

describe('nextMemberValueAt', () => {
  it('finds the value after the key, with or without whitespace around the colon', () => {
    expect(nextMemberValueAt('{"usage":{"a":1}}', USAGE)).toBe(9);
    expect(nextMemberValueAt('{"usage" :\n\t {"a":1}}', USAGE)).toBe(13);
    expect(nextMemberValueAt('{"id":"x"}', USAGE)).toBe(-1);
  });

  it('skips the name as a string value and inside escaped text', () => {
    expect(nextMemberValueAt('{"field":"usage","usage":null}', USAGE)).toBe(25);
    expect(nextMemberValueAt('{"content":"say \\"usage\\": {"}', USAGE)).toBe(-1);
  });

  it('goes on from a later position', () => {
    const text = '{"a":{"usage":null},"usage":{}}';
    const first = nextMemberValueAt(text, USAGE);
    expect(text.slice(first, first + 4)).toBe('null');
    expect(text[nextMemberValueAt(text, USAGE, first)]).toBe('{');
  });
});

describe('rawStringAt', () => {
  it('reads a JSON string as written, escapes included', () => {
    expect(rawStringAt('"stop",', 0)).toBe('stop');
    // x " a \ " b \ \ " y: the closing quote is the one at index 8.
    expect(rawStringAt('x"a\\"b\\\\"y', 1)).toBe('a\\"b\\\\');
    expect(rawStringAt('null', 0)).toBeUndefined();
    expect(rawStringAt('"open', 0)).toBeUndefined();
  });
});

describe('the scans agree with the regular expressions they replace', () => {
  const items = fixtureStreamItems();
  const handWritten = [
    '{"usage": null, "choices": [{"finish_reason": null}]}',
    '{"choices":[{"delta":{"content":"\\"usage\\": {\\"finish_reason\\": \\"stop\\"}"},"finish_reason":null}]}',
    '{"choices":[{"finish_reason":"st\\u006fp"},{"finish_reason" : "length"}],"usage" :{"total_tokens":3}}',
    '{"finish_reason":"a","x":"finish_reason","finish_reason":"b"}',
    '{"usage":"none","finish_reason":7}',
    '{"myusage":{"a":1},"xfinish_reason":"y","finish_reasons":"z"}',
    '{"model":null,"message":{"model" : "claude-\\u0033"}}',
    '{"content":"the \\"model\\": \\"x\\"","model_id":"m","models":"n"}',
  ];

  it('over every stream item of the fixtures (and a few hand-written edge cases)', () => {
    expect(items.length).toBeGreaterThan(200);
    for (const data of [...items, ...handWritten]) {
      expect(hasObjectMember(data, USAGE), data).toBe(USAGE_OBJECT.test(data));
      expect(hasStringMember(data, FINISH_REASON), data).toBe(FINISH_REASON_STRING.test(data));
      const reasons: string[] = [];
      collectFinishReasons(data, reasons);
      expect(reasons, data).toEqual(finishReasonsByRegex(data));
      expect(modelNamedIn(data), data).toBe(modelByRegex(data));
    }
  });
});
