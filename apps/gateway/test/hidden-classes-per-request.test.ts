import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import { HELLO_ANSWER, type ProviderMock, startProviderMock } from './support/provider-mock.js';
import { SDK_API_KEY, sdkChatLoad, sdkClientThrough, stopGatewayAndMock } from './support/sdk-chat-load.js';

/**
 * Hidden classes (V8 "maps") created per request, counted from V8's own map log (`--log-maps`) of the
 * built gateway, instead of timed. In Node 20 some innocent-looking code makes a new hidden class on
 * every call: a property defined after a spread (`{ ...headers, 'content-type': … }`), an object whose
 * prototype was swapped (every `AbortController`'s signal), a generator function declared inside a
 * function. Each costs ~1-6 µs, a map in old space, and turns the inline caches that see the objects
 * megamorphic. Once warm, a request through the gateway creates none: the few left come from new
 * connections. A change that brings one back to the request path fails here; the log's lines name
 * the source line and column that made it.
 */

const WARM_UP = 1_500;
const MEASURED = 500;
const CONCURRENCY = 10;

interface MapEvent {
  readonly count: number;
  readonly where: string;
}

/** The map log's `map,` lines from `offset` on, grouped by kind, source position and property. */
function mapEventsSince(logFile: string, offset: number): MapEvent[] {
  const text = readFileSync(logFile, 'latin1').slice(offset);
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('map,')) continue;
    // map,<kind>,<time>,<from>,<to>,<pc>,<line>,<column>,<reason>,<name>
    const fields = line.split(',');
    const where = `${fields[1]} at line ${fields[6]} column ${fields[7]}: ${fields.slice(9).join(',')}`;
    counts.set(where, (counts.get(where) ?? 0) + 1);
  }
  return [...counts].map(([where, count]) => ({ where, count })).sort((a, b) => b.count - a.count);
}

describe('hidden classes per request in the built gateway', () => {
  const logFile = join(tmpdir(), `pk-map-log-${process.pid}.log`);
  let upstream: ProviderMock;
  let gateway: GatewayProcess;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startProviderMock();
    gateway = await startGateway({}, [], ['--log-maps', `--logfile=${logFile}`, '--no-logfile-per-isolate']);
    client = sdkClientThrough(gateway, upstream);
  }, 60_000);

  afterAll(async () => {
    await stopGatewayAndMock(gateway, upstream);
    rmSync(logFile, { force: true });
  });

  /** `count` requests, `CONCURRENCY` at a time, every other one streamed; the texts the client got. */
  const chat = (count: number): Promise<string[]> =>
    sdkChatLoad(client, count, { concurrency: CONCURRENCY, streamed: (index) => index % 2 === 1 });

  it('creates none once warm (plain and streamed chat through the openai SDK)', async () => {
    await chat(WARM_UP);
    const offset = statSync(logFile).size;
    const receivedBefore = upstream.received.length;
    const texts = await chat(MEASURED);
    // The log is complete once the process has exited.
    gateway.child.kill('SIGTERM');
    await gateway.exited;

    expect(texts).toHaveLength(MEASURED);
    expect(new Set(texts)).toEqual(new Set([HELLO_ANSWER]));
    expect(upstream.received.length - receivedBefore).toBe(MEASURED);
    expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${SDK_API_KEY}`);

    const events = mapEventsSince(logFile, offset);
    const total = events.reduce((sum, event) => sum + event.count, 0);
    console.info(
      `hidden classes created by ${MEASURED} warm requests: ${total}` +
        (events.length > 0
          ? `\n${events
              .slice(0, 8)
              .map((event) => `  ${event.count} ${event.where}`)
              .join('\n')}`
          : ''),
    );
    // One per request at any single place would be MEASURED; connections and shutdown make a few.
    expect(events[0]?.count ?? 0).toBeLessThan(MEASURED / 10);
    expect(total).toBeLessThan(MEASURED / 2);
  }, 120_000);
});
