import { describe, expect, it } from 'vitest';
import type { ParserRefusal, ParserRefusalReason } from './client-error.js';
import { createParserRefusalReporter, PARSER_REFUSAL_MESSAGE } from './parser-refusal-log.js';

const refusal = (traceId: string, reason: ParserRefusalReason = 'bad_request_line'): ParserRefusal => ({
  reason,
  code: 'HPE_INVALID_METHOD',
  status: 400,
  traceId,
  remoteAddress: '203.0.113.7',
});

describe('createParserRefusalReporter', () => {
  it('counts every refusal, logs at most one line a second, and says how many had no line', () => {
    let clock = 0;
    const lines: [Record<string, unknown>, string][] = [];
    const counted: string[] = [];
    const report = createParserRefusalReporter({
      warn: (fields, message) => lines.push([fields, message]),
      count: (reason) => counted.push(reason),
      now: () => clock,
    });
    report(refusal('t-1'));
    for (let index = 0; index < 500; index += 1) {
      clock += 1;
      report(refusal(`flood-${index}`, 'headers_too_large'));
    }
    clock = 1500;
    report(refusal('t-2', 'request_timeout'));
    expect(counted).toHaveLength(502);
    expect(counted.filter((reason) => reason === 'headers_too_large')).toHaveLength(500);
    expect(lines).toEqual([
      [
        {
          reason: 'bad_request_line',
          code: 'HPE_INVALID_METHOD',
          status: 400,
          traceId: 't-1',
          remoteAddress: '203.0.113.7',
        },
        PARSER_REFUSAL_MESSAGE,
      ],
      [
        expect.objectContaining({ reason: 'request_timeout', traceId: 't-2', suppressed: 500 }),
        PARSER_REFUSAL_MESSAGE,
      ],
    ]);
  });

  it('writes a closed connection as closed, and counts nothing without a counter', () => {
    const lines: Record<string, unknown>[] = [];
    const report = createParserRefusalReporter({ warn: (fields) => lines.push(fields), now: () => 0 });
    report({ ...refusal('x'), status: undefined, traceId: undefined, remoteAddress: undefined });
    expect(lines).toEqual([
      { reason: 'bad_request_line', code: 'HPE_INVALID_METHOD', closed: true, remoteAddress: null },
    ]);
  });
});
