import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PK_ERROR_CATALOGUE, PK_ERROR_CODES } from './error-codes.js';
import {
  createErrorEnvelope,
  openAIErrorEnvelopeSchema,
  PkError,
  statusOfErrorCode,
} from './error-envelope.js';

const decisionFile = new URL('../../../../docs/decisions/0004-errors.md', import.meta.url);

/**
 * Reads the `| codes | status | type |` rows of the decision record; `repeated` lists the codes the
 * table names more than once (a second row would otherwise silently replace the first).
 */
function documentedCatalogue(): {
  rows: Map<string, { status: number; type: string }>;
  repeated: string[];
} {
  const rows = new Map<string, { status: number; type: string }>();
  const repeated: string[] = [];
  for (const line of readFileSync(decisionFile, 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 5 || !cells[1]?.startsWith('PK_ERR_')) continue;
    for (const code of cells[1].split(',').map((name) => name.trim())) {
      if (rows.has(code)) repeated.push(code);
      rows.set(code, { status: Number(cells[2]), type: cells[3] ?? '' });
    }
  }
  return { rows, repeated };
}

describe('error catalogue', () => {
  it('matches the table in docs/decisions/0004-errors.md exactly', () => {
    const { rows: documented, repeated } = documentedCatalogue();
    // Each code once: a code in two rows is a table that can say two things about it.
    expect(repeated).toEqual([]);
    expect([...documented.keys()].sort()).toEqual([...PK_ERROR_CODES].sort());
    for (const code of PK_ERROR_CODES) {
      const { status, type } = PK_ERROR_CATALOGUE[code];
      expect(documented.get(code), code).toEqual({ status, type });
    }
  });

  it('gives every code a 4xx/5xx status and a non-empty type', () => {
    for (const code of PK_ERROR_CODES) {
      expect(statusOfErrorCode(code)).toBeGreaterThanOrEqual(400);
      expect(statusOfErrorCode(code)).toBeLessThan(600);
      expect(PK_ERROR_CATALOGUE[code].type.length).toBeGreaterThan(0);
    }
  });

  it('builds the OpenAI envelope with the code as `code`', () => {
    const envelope = createErrorEnvelope({
      code: 'PK_ERR_FORBIDDEN',
      message: 'no',
      param: 'x-portkey-virtual-key',
    });
    expect(envelope).toEqual({
      error: {
        message: 'no',
        type: 'permission_error',
        param: 'x-portkey-virtual-key',
        code: 'PK_ERR_FORBIDDEN',
      },
    });
    expect(openAIErrorEnvelopeSchema.parse(envelope)).toEqual(envelope);
  });

  it('PkError carries status and converts to the envelope', () => {
    const error = new PkError('PK_ERR_DEADLINE', 'the request deadline of 100 ms was reached');
    expect(error.status).toBe(504);
    expect(error).toBeInstanceOf(Error);
    expect(error.toEnvelope().error).toMatchObject({
      type: 'timeout_error',
      code: 'PK_ERR_DEADLINE',
      param: null,
    });
  });

  it('parses provider envelopes leniently (extra fields, numeric code)', () => {
    const parsed = openAIErrorEnvelopeSchema.parse({
      error: { message: 'Rate limited', type: 'requests', param: null, code: 429, extra: true },
      provider: 'openai',
    });
    expect(parsed.error.code).toBe(429);
  });
});
