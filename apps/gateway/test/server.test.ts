import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayProcess, runGatewayExpectingExit, startGateway } from './server-process.js';
import { logLineWhere } from './support/output-lines.js';
import { parsePrometheusText, sampleValue } from './support/prometheus-text.js';

const running: GatewayProcess[] = [];
/** Folders a test made for its settings file: removed after it. */
const tempDirs: string[] = [];
afterEach(() => {
  for (const gateway of running.splice(0)) gateway.child.kill('SIGKILL');
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes and returns the raw response (for what Node's parser rejects). */
async function rawRequest(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let response = '';
  socket.on('data', (chunk) => {
    response += chunk.toString();
  });
  socket.write(bytes);
  await new Promise((resolve) => socket.on('close', resolve));
  return response;
}

describe('the gateway process', () => {
  it('starts on embedded defaults, serves /health, and exits 0 on SIGTERM', async () => {
    const gateway = await startGateway();
    running.push(gateway);
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain('draining');
  });

  it('writes request log lines in batches: within PK_LOG_FLUSH_MS, and all of them on exit', async () => {
    const gateway = await startGateway({ PK_LOG_FLUSH_MS: '200' });
    running.push(gateway);
    const lines = () => gateway.lines().filter(logLineWhere((line) => line.msg === 'request'));
    await fetch(`${gateway.url}/health`);
    // Written by the flush timer (ten times PK_LOG_FLUSH_MS at most), not at exit.
    await gateway.waitForLine(
      logLineWhere((line) => line.msg === 'request'),
      { timeoutMs: 2000 },
    );
    expect(lines()).toHaveLength(1);
    for (let index = 0; index < 20; index += 1) await fetch(`${gateway.url}/health`);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(lines()).toHaveLength(21);
    const refused = await runGatewayExpectingExit({ PK_LOG_FLUSH_MS: 'soon' });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('PK_LOG_FLUSH_MS must be 0-60000 milliseconds');
  });

  it('exits promptly on SIGTERM when its log reader is gone (lines dropped, never a hang)', async () => {
    const gateway = await startGateway();
    running.push(gateway);
    for (let index = 0; index < 30; index += 1) await fetch(`${gateway.url}/health`);
    // The reader of stdout goes away with lines still held: the exit flush meets EPIPE.
    gateway.child.stdout?.destroy();
    gateway.child.kill('SIGTERM');
    const exit = await Promise.race([
      gateway.exited,
      new Promise((resolve) => setTimeout(() => resolve('still running after 5 s'), 5000)),
    ]);
    expect(exit).toBe(0);
  });

  it('answers what the HTTP parser rejects in the OpenAI envelope with a trace id', async () => {
    const gateway = await startGateway();
    running.push(gateway);
    const oversized = await rawRequest(
      gateway.url,
      `GET /health HTTP/1.1\r\nHost: localhost\r\nx-big: ${'a'.repeat(70 * 1024)}\r\n\r\n`,
    );
    expect(oversized).toMatch(/^HTTP\/1\.1 431 /);
    expect(oversized).toMatch(/x-portkey-trace-id: [0-9a-f-]{36}/);
    expect(oversized).toContain('"code":"PK_ERR_INVALID_REQUEST"');
    const badChunking = await rawRequest(
      gateway.url,
      'POST /health HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n',
    );
    expect(badChunking).toMatch(/^HTTP\/1\.1 400 /);
    expect(badChunking).toContain('"type":"invalid_request_error"');
    // the process is still serving
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  it('logs what the HTTP parser refuses at warn, one line a second at most and never its bytes, and counts each in /metrics', async () => {
    const gateway = await startGateway({ PK_METRICS_PORT: '0', PK_LOG_FLUSH_MS: '20' });
    running.push(gateway);
    const metricsUrl = /pk metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(gateway.output())?.[1];
    const isRefusal = logLineWhere((line) => line.msg === 'request refused by the HTTP parser');
    const refusals = () => gateway.lines().filter(isRefusal);
    const counted = async (reason: string) =>
      sampleValue(
        parsePrometheusText(await (await fetch(metricsUrl ?? '')).text()),
        'pk_http_parser_refusals_total',
        {
          reason,
        },
      );
    const marker = `never-logged-${randomUUID()}`;
    const first = await rawRequest(gateway.url, `HELLO /${marker} HTTP/1.1\r\nHost: a\r\n\r\n`);
    const traceId = /x-portkey-trace-id: ([0-9a-f-]{36})/.exec(first)?.[1];
    await gateway.waitForLine(isRefusal);
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toMatchObject({
      level: 40,
      reason: 'bad_request_line',
      code: 'HPE_INVALID_METHOD',
      status: 400,
      traceId,
      remoteAddress: '127.0.0.1',
    });
    // Not a request: no request line. A request after it writes the only one (lines keep their order).
    const isRequestLine = logLineWhere((line) => line.msg === 'request');
    await fetch(`${gateway.url}/health`);
    await gateway.waitForLine(isRequestLine);
    expect(gateway.lines().filter(isRequestLine)).toEqual([expect.objectContaining({ path: '/health' })]);

    // A flood: every refusal counted, at most a line a second, what they sent in none.
    const started = Date.now();
    await Promise.all([
      ...Array.from({ length: 150 }, () => rawRequest(gateway.url, `HELLO /${marker}\r\n\r\n`)),
      ...Array.from({ length: 20 }, () =>
        rawRequest(gateway.url, `GET /health HTTP/1.1\r\nHost: a\r\nx-big: ${marker.repeat(2000)}\r\n\r\n`),
      ),
      ...Array.from({ length: 20 }, () =>
        rawRequest(
          gateway.url,
          `POST /health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${marker}\r\n`,
        ),
      ),
    ]);
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(await counted('bad_request_line')).toBe(151);
    expect(await counted('headers_too_large')).toBe(20);
    expect(await counted('bad_body_framing')).toBe(20);
    expect(await counted('bad_headers')).toBe(0);
    // One more after a quiet second: its line says how many had no line of their own.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await rawRequest(gateway.url, 'HELLO\r\n\r\n');
    await gateway.waitForLine(logLineWhere((line) => isRefusal(line) && line.suppressed !== undefined));
    const lines = refusals();
    expect(lines.length).toBeLessThanOrEqual(2 + seconds + 1);
    const suppressed = lines.reduce((sum, line) => sum + Number(line.suppressed ?? 0), 0);
    expect(lines.length + suppressed).toBe(192);
    expect(gateway.output()).not.toContain(marker);
  });
});
