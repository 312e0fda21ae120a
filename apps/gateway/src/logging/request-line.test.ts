import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { type RequestLineHead, requestLineWriter } from './request-line.js';

/** What pino (fastify's logger, with the same options) writes for `log.info(fields, 'request')`. */
async function pinoLine(fields: Record<string, unknown>, level = 'info'): Promise<string> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  const app = Fastify({ logger: { level, stream } });
  app.log.info(fields, 'request');
  await app.close();
  return lines.join('');
}

const HEAD: RequestLineHead = {
  traceId: '0190f5c2-1d2e-7a3b-8c4d-5e6f7a8b9c0d',
  method: 'POST',
  path: '/v1/chat/completions',
  status: 200,
  latencyMs: 1.25,
  tenant: 'default',
};

/** pk's line of a request's head and fields (pino's is of `{ ...head, ...fields }`). */
function ownLine(head: RequestLineHead, fields: Record<string, unknown>, level = 'info'): string {
  const lines: string[] = [];
  const write = requestLineWriter({ level, stream: { write: (line: string) => lines.push(line) } });
  expect(write).toBeDefined();
  write?.(head, fields);
  return lines.join('');
}

/** The time differs between the two writes: compared with it set to 0. */
const withoutTime = (line: string) => line.replace(/"time":\d+/, '"time":0');

describe('requestLineWriter', () => {
  it("writes pino's line byte for byte (nested values, undefined fields, escapes)", async () => {
    const fields = {
      provider: undefined,
      usage: { prompt_tokens: 3, completion_tokens: 4 },
      metadata: { _user: 'ada "the" \u2028 \u0001 ü' },
      attemptLog: [{ targetPath: '', provider: 'openai', startedAt: 1, status: 200, latencyMs: 0.5 }],
    };
    expect(withoutTime(ownLine(HEAD, fields))).toBe(withoutTime(await pinoLine({ ...HEAD, ...fields })));
    expect(withoutTime(ownLine(HEAD, {}))).toBe(withoutTime(await pinoLine({ ...HEAD })));
    // A head whose texts need escapes (a client's trace id, a path, a tenant) and a latency that is no number.
    const escaped = {
      traceId: 'id"with\\quote',
      method: 'POST',
      path: '/v1/ü\u2028/"x"',
      status: 404,
      latencyMs: Number.NaN,
      tenant: 'tab\there \ud800',
    };
    expect(withoutTime(ownLine(escaped, { model: 'm' }))).toBe(
      withoutTime(await pinoLine({ ...escaped, model: 'm' })).replace(
        '"tenant":"tab\\there \ud800"',
        '"tenant":"tab\\there \\ud800"',
      ),
    );
    const kinds = {
      pair: 'pair 😀',
      control: 'tab\tquote"back\\slash',
      numbers: [Number.NaN, -0, 1e21, 0.1],
      infinite: Number.POSITIVE_INFINITY,
      negativeZero: -0,
      flag: false,
      nothing: null,
      skipped: () => 1,
      symbol: Symbol('s'),
      date: new Date(0),
      'key "quoted"': 1,
    };
    expect(withoutTime(ownLine(HEAD, kinds))).toBe(withoutTime(await pinoLine({ ...HEAD, ...kinds })));
    // A lone surrogate: pino writes it as it is (U+FFFD once encoded); pk escapes it, as
    // JSON.stringify does, so the line stays valid UTF-8 and keeps what the client sent.
    expect(ownLine(HEAD, { lone: 'half \ud800' })).toContain('"lone":"half \\ud800"');
  });

  it('writes nothing when the level is above info; pino keeps lines for other options', async () => {
    expect(ownLine(HEAD, {}, 'warn')).toBe('');
    expect(await pinoLine({ traceId: 't' }, 'warn')).toBe('');
    expect(requestLineWriter(false)).toBeUndefined();
    expect(requestLineWriter({ level: 'info', stream: process.stdout, base: null })).toBeUndefined();
    expect(requestLineWriter({ level: 'verbose', stream: process.stdout })).toBeUndefined();
  });
});
