import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { type LogLine, textLine } from './support/output-lines.js';
import {
  type PostgresCluster,
  postgresClusterUnavailable,
  startPostgresCluster,
} from './support/postgres-cluster.js';
import { MOCK_ANSWER, type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import {
  freePort,
  hasRedisServerBinary,
  type RedisServerProcess,
  startRedisServer,
} from './support/redis-server.js';

// Two built replicas on a PostgreSQL (keys, configs, request logs, limits' spend) and a Redis
// (limits, cache, breakers) of this test's own, under a steady load through the `portkey-ai` SDK
// (trace ids, metadata, streamed and not, a budgeted and a rate-limited virtual key, the cache on),
// while Redis is killed and started empty, PostgreSQL is stopped (fast shutdown) and restarted at
// once (a crash, mid-transaction), both are down together, and one replica gets SIGTERM while
// PostgreSQL is down. Each time: every request gets its answer or an OpenAI-shaped error with its
// documented status (no hang, no reset), every answered request has exactly one log record once the
// stores are back (its replica's spill file included), the budget's spend is the same on both
// replicas and in `limit_spend`, the replicas stay up, and each outage is told in a few lines, not
// one per request. The machine's shared PostgreSQL and Redis are never touched.
const missing = hasRedisServerBinary() ? postgresClusterUnavailable() : 'no redis-server on PATH';
if (missing !== undefined) {
  if (process.env.CI === 'true') throw new Error(`store outages: ${missing} (CI=true makes this a failure)`);
  console.warn(`store outages: skipped, ${missing}`);
}

const KEY = 'pk-outages-user';
const ADMIN = 'pk-outages-admin';
const UPSTREAM_SECRET = 'sk-outages-upstream-secret-7f3a';
/** Requests started per tick of 100 ms: about 50 a second over the two replicas. */
const PER_TICK = 5;
/** Longest a request may take: the documented timeouts are seconds (limits 500 ms, connects). */
const LONGEST_MS = 30_000;
const runId = `${Date.now().toString(36)}${process.pid}`;

/** What one client request ended with. */
interface Outcome {
  readonly traceId: string;
  readonly replica: number;
  readonly content: string;
  readonly cached: boolean;
  readonly startedAt: number;
  durationMs: number;
  answered: boolean;
  status?: number;
  body?: unknown;
  /** A connection error's code (`ECONNREFUSED` …) or message. */
  connection?: string;
}

interface Replica {
  gateway: FeatureGateway;
  readonly dataDir: string;
  /** Taken out of the load (SIGTERM sent): its refusals are expected. */
  draining: boolean;
  exited: boolean;
}

describe.runIf(missing === undefined)(
  'two replicas under load while PostgreSQL and Redis fail and come back',
  () => {
    let mock: ProviderMock;
    let redis: RedisServerProcess;
    let redisPort: number;
    let cluster: PostgresCluster;
    const replicas: Replica[] = [];

    const settings = () => ({
      gateway_keys: [
        { id: 'outages-user', key: KEY },
        { id: 'outages-admin', key: ADMIN, role: 'admin' },
      ],
      virtual_keys: {
        'vk-rate': {
          provider: 'openai',
          api_key: UPSTREAM_SECRET,
          options: { custom_host: `${mock.url}/v1` },
          rate_limits: [{ type: 'requests', unit: 'rpm', value: 100_000 }],
        },
        'vk-budget': {
          provider: 'openai',
          api_key: UPSTREAM_SECRET,
          options: { custom_host: `${mock.url}/v1` },
          usage_limits: { credit_limit: 1000, periodic_reset: 'monthly' },
        },
      },
    });
    const startReplica = (dataDir: string) =>
      startFeatureGateway({
        mock,
        settings: settings(),
        env: {
          PK_DATA_DIR: dataDir,
          PK_DATABASE_URL: cluster.url,
          PK_MASTER_KEY: 'env:PK_TEST_MASTER',
          PK_TEST_MASTER: Buffer.alloc(32, 9).toString('base64'),
          PK_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          PK_LIMITS_STORE: 'redis',
          PK_CACHE_STORE: 'redis',
          PK_BREAKER_STORE: 'redis',
          PK_REPLICAS: '2',
        },
      });

    beforeAll(async () => {
      mock = await startProviderMock();
      redisPort = await freePort();
      redis = await startRedisServer({ port: redisPort });
      cluster = await startPostgresCluster(`pkout${process.pid}`);
      for (const index of [0, 1]) {
        const dataDir = mkdtempSync(join(tmpdir(), `pk-outages-${index}-`));
        replicas.push({ gateway: await startReplica(dataDir), dataDir, draining: false, exited: false });
      }
    }, 120_000);
    afterAll(async () => {
      for (const replica of replicas) {
        if (!replica.exited) await replica.gateway.stop();
        rmSync(replica.dataDir, { recursive: true, force: true });
      }
      redis?.child.kill('SIGKILL');
      await cluster?.drop();
      await mock?.close();
    }, 60_000);

    /** One request through the SDK to `replica`: its outcome, whatever happens. */
    const request = async (index: number, phase: string, replica: number): Promise<Outcome> => {
      const traceId = `${runId}-${phase}-${index}`;
      const cached = index % 10 === 0;
      const stream = index % 2 === 1;
      const content = cached ? `cached ${phase}` : `hello ${traceId}`;
      const outcome: Outcome = {
        traceId,
        replica,
        content,
        cached,
        startedAt: Date.now(),
        durationMs: 0,
        answered: false,
      };
      const client = new Portkey({
        baseURL: (replicas[replica] as Replica).gateway.base,
        apiKey: KEY,
        virtualKey: index % 3 === 0 ? 'vk-budget' : 'vk-rate',
        traceID: traceId,
        metadata: { _user: `user-${index % 7}`, phase },
        maxRetries: 0,
        timeout: LONGEST_MS,
        ...(cached ? { config: { cache: { mode: 'simple' } } } : {}),
      });
      const messages = [{ role: 'user' as const, content }];
      try {
        if (stream) {
          const chunks = await client.chat.completions.create({
            model: 'gpt-4o-mini',
            messages,
            stream: true,
          });
          let text = '';
          for await (const chunk of chunks) text += chunk.choices?.[0]?.delta?.content ?? '';
          outcome.answered = text === MOCK_ANSWER;
        } else {
          const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
          outcome.answered = answer.choices?.[0]?.message?.content === MOCK_ANSWER;
        }
      } catch (caught) {
        const error = caught as { status?: number; error?: unknown; message?: string; cause?: unknown };
        if (error.status !== undefined) {
          outcome.status = error.status;
          outcome.body = error.error;
        } else {
          const cause = error.cause as
            | { code?: string; message?: string; cause?: { code?: string } }
            | undefined;
          outcome.connection = cause?.cause?.code ?? cause?.code ?? cause?.message ?? String(error.message);
        }
      }
      outcome.durationMs = Date.now() - outcome.startedAt;
      return outcome;
    };

    /** Runs the load while `fault` runs, and a moment after: every request's outcome. */
    const underLoad = async (phase: string, fault: () => Promise<void>): Promise<Outcome[]> => {
      const pending: Promise<Outcome>[] = [];
      let running = true;
      let index = 0;
      const ticking = (async () => {
        while (running) {
          const open = replicas.flatMap((replica, at) => (replica.exited ? [] : [at]));
          for (let sent = 0; sent < PER_TICK; sent += 1, index += 1)
            pending.push(request(index, phase, open[index % open.length] as number));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await fault();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      running = false;
      await ticking;
      return Promise.all(pending);
    };

    /**
     * Every outcome is an answer or an OpenAI-shaped error with one of `allowed`'s status and code,
     * without the upstream key or a stack, within {@link LONGEST_MS}; a connection error only from a
     * replica taken out of the load, and only a refused connection (never a reset of an accepted one).
     */
    const expectAnsweredOrRefused = (
      outcomes: readonly Outcome[],
      allowed: ReadonlyMap<number, readonly string[]>,
    ) => {
      const unexpected: unknown[] = [];
      for (const outcome of outcomes) {
        if (outcome.durationMs > LONGEST_MS) unexpected.push({ slow: outcome });
        if (outcome.answered) continue;
        if (outcome.connection !== undefined) {
          const replica = replicas[outcome.replica] as Replica;
          if (!replica.draining || outcome.connection !== 'ECONNREFUSED') unexpected.push(outcome);
          continue;
        }
        const error = (outcome.body as { error?: { message?: unknown; type?: unknown; code?: unknown } })
          ?.error;
        const text = JSON.stringify(outcome.body);
        const shaped =
          typeof error === 'object' &&
          typeof error.message === 'string' &&
          typeof error.type === 'string' &&
          typeof error.code === 'string';
        const codes = allowed.get(outcome.status ?? 0) ?? [];
        if (
          !shaped ||
          !codes.includes(error.code as string) ||
          text.includes(UPSTREAM_SECRET) ||
          /\n\s+at |\.[jt]s:\d+/.test(text)
        )
          unexpected.push(outcome);
      }
      expect(unexpected.slice(0, 5)).toEqual([]);
      expect(outcomes.filter((outcome) => outcome.answered).length).toBeGreaterThan(outcomes.length / 3);
    };

    /** Once the stores are back: each answered request has exactly one record, none has two. */
    const expectOneRecordPerAnswer = async (phase: string, outcomes: readonly Outcome[]) => {
      const answered = outcomes.filter((outcome) => outcome.answered);
      const recorded = async () =>
        new Map(
          (
            await cluster.query(
              `select trace_id, count(*) from request_logs where trace_id like '${runId}-${phase}-%' group by trace_id`,
            )
          ).map(([traceId, count]) => [traceId as string, Number(count)]),
        );
      const end = Date.now() + 20_000;
      let counts = await recorded();
      while (answered.some((outcome) => !counts.has(outcome.traceId)) && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        counts = await recorded();
      }
      expect(
        answered.filter((outcome) => counts.get(outcome.traceId) !== 1).map((outcome) => outcome.traceId),
      ).toEqual([]);
      expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
    };

    /** What reached the provider: each answered request that was not a cache entry's, once. */
    const expectUpstreamOncePerAnswer = (outcomes: readonly Outcome[]) => {
      const received = new Map<string, number>();
      for (const call of mock.received) {
        const content = (call.body?.messages as { content?: string }[] | undefined)?.[0]?.content;
        if (content !== undefined) received.set(content, (received.get(content) ?? 0) + 1);
        expect(call.headers.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);
      }
      const sentTwice = outcomes.filter(
        (outcome) => !outcome.cached && (received.get(outcome.content) ?? 0) > 1,
      );
      const answeredUnsent = outcomes.filter(
        (outcome) => outcome.answered && !outcome.cached && received.get(outcome.content) !== 1,
      );
      expect(sentTwice.map((outcome) => outcome.traceId)).toEqual([]);
      expect(answeredUnsent.map((outcome) => outcome.traceId)).toEqual([]);
    };

    /** The budget's spend, as both live replicas read it, equals `limit_spend`'s (after its flush). */
    const expectBudgetConverges = async () => {
      const stored = async () => {
        const [row] = await cluster.query(
          "select coalesce(sum(cost_micros), 0), coalesce(sum(requests), 0) from limit_spend where subject = 'vk:vk-budget'",
        );
        return { cost: Number(row?.[0]) / 1e6, requests: Number(row?.[1]) };
      };
      const read = async (replica: Replica) => {
        const response = await fetch(`${replica.gateway.base}/virtual-keys/vk-budget`, {
          headers: { 'x-portkey-api-key': ADMIN },
        });
        expect(response.status).toBe(200);
        const usage = ((await response.json()) as { current_usage: { cost_usd: number; requests: number } })
          .current_usage;
        return { cost: usage.cost_usd, requests: usage.requests };
      };
      const end = Date.now() + 10_000;
      for (;;) {
        const expected = await stored();
        const figures = await Promise.all(replicas.filter((replica) => !replica.exited).map(read));
        const same = figures.every(
          (figure) => figure.requests === expected.requests && Math.abs(figure.cost - expected.cost) < 1e-9,
        );
        if (same || Date.now() > end) {
          expect(figures).toEqual(figures.map(() => expected));
          expect(expected.requests).toBeGreaterThan(0);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };

    /** The warn lines of `replica` since `from` that match `pattern`. */
    const linesSince = (replica: Replica, from: number, pattern: RegExp) =>
      replica.gateway
        .logLines()
        .slice(from)
        .filter((line: LogLine) => typeof line.msg === 'string' && pattern.test(line.msg));

    const limitsUnavailable = new Map([[503, ['PK_ERR_LIMITS_UNAVAILABLE']]]);

    it('Redis killed (-9), then started empty: budgets refuse with 503 meanwhile, rates serve, nothing is lost and the budget converges', async () => {
      const from = replicas.map((replica) => replica.gateway.logLines().length);
      const outcomes = await underLoad('redis', async () => {
        redis.child.kill('SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 5000));
        redis = await startRedisServer({ port: redisPort });
      });
      expectAnsweredOrRefused(outcomes, limitsUnavailable);
      expect(outcomes.some((outcome) => outcome.status === 503)).toBe(true);
      await expectOneRecordPerAnswer('redis', outcomes);
      expectUpstreamOncePerAnswer(outcomes);
      await expectBudgetConverges();
      for (const [at, replica] of replicas.entries()) {
        expect(replica.gateway.process.child.exitCode).toBeNull();
        // Told at most every 10 s per store: a handful of lines for hundreds of refused requests.
        expect(linesSince(replica, from[at] as number, /unavailable/).length).toBeLessThan(12);
      }
    }, 90_000);

    it('PostgreSQL stopped (fast shutdown), then started: requests are served from the snapshot and every record is written once it is back', async () => {
      const from = replicas.map((replica) => replica.gateway.logLines().length);
      const marks = replicas.map((replica) => replica.gateway.process.lineCount());
      const outcomes = await underLoad('pg-stop', async () => {
        await cluster.stop('fast');
        // Down until every replica said so (its catalog polls every 250 ms), serving meanwhile, not a
        // fixed 5 s guessed to cover it; then 1 s more: four more failed polls each, which would be
        // four more lines (the bound below) if the warning were not said at most every 10 s.
        await Promise.all(
          replicas.map((replica, at) =>
            replica.gateway.process.waitForLine(textLine(/database .* is unavailable/), {
              fromLine: marks[at] as number,
              timeoutMs: 30_000,
              description: 'the replica’s "database … is unavailable" line',
            }),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await cluster.start();
      });
      expectAnsweredOrRefused(outcomes, limitsUnavailable);
      await expectOneRecordPerAnswer('pg-stop', outcomes);
      expectUpstreamOncePerAnswer(outcomes);
      await expectBudgetConverges();
      for (const [at, replica] of replicas.entries()) {
        expect(replica.gateway.process.child.exitCode).toBeNull();
        expect(
          linesSince(replica, from[at] as number, /database .* is unavailable/).length,
        ).toBeGreaterThanOrEqual(1);
        expect(linesSince(replica, from[at] as number, /database .* is unavailable/).length).toBeLessThan(4);
        expect(linesSince(replica, from[at] as number, /database .* answers again/).length).toBe(1);
      }
    }, 90_000);

    it('PostgreSQL crashed and restarted at once (immediate stop) mid-transaction: no record lost, none written twice', async () => {
      const outcomes = await underLoad('pg-crash', async () => {
        await cluster.stop('immediate');
        await cluster.start();
      });
      expectAnsweredOrRefused(outcomes, limitsUnavailable);
      await expectOneRecordPerAnswer('pg-crash', outcomes);
      expectUpstreamOncePerAnswer(outcomes);
      await expectBudgetConverges();
      for (const replica of replicas) expect(replica.gateway.process.child.exitCode).toBeNull();
    }, 90_000);

    it('Redis and PostgreSQL down at once, then back: budgets refuse with 503, the rest is served, and every record and the spend come back', async () => {
      const outcomes = await underLoad('both', async () => {
        redis.child.kill('SIGKILL');
        await cluster.stop('fast');
        await new Promise((resolve) => setTimeout(resolve, 5000));
        await cluster.start();
        redis = await startRedisServer({ port: redisPort });
      });
      expectAnsweredOrRefused(outcomes, limitsUnavailable);
      expect(outcomes.some((outcome) => outcome.status === 503)).toBe(true);
      await expectOneRecordPerAnswer('both', outcomes);
      expectUpstreamOncePerAnswer(outcomes);
      await expectBudgetConverges();
      for (const replica of replicas) expect(replica.gateway.process.child.exitCode).toBeNull();
    }, 90_000);

    it('one replica stopped (SIGTERM) while PostgreSQL is down: its requests end in answers or OpenAI-shaped 503s, its records go to its spill file and into the store at its next start', async () => {
      const stopping = replicas[1] as Replica;
      let exitCode: number | null = null;
      const outcomes = await underLoad('sigterm', async () => {
        await cluster.stop('fast');
        await new Promise((resolve) => setTimeout(resolve, 1500));
        stopping.draining = true;
        stopping.gateway.process.child.kill('SIGTERM');
        exitCode = await stopping.gateway.process.exited;
        stopping.exited = true;
        await stopping.gateway.stop(); // its settings folder
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await cluster.start();
      });
      expect(exitCode).toBe(0);
      expect(stopping.gateway.process.output()).toMatch(/kept in .*request-log-spill\.jsonl/);
      expectAnsweredOrRefused(
        outcomes,
        new Map([[503, ['PK_ERR_LIMITS_UNAVAILABLE', 'PK_ERR_SHUTTING_DOWN']]]),
      );
      stopping.gateway = await startReplica(stopping.dataDir);
      stopping.exited = false;
      stopping.draining = false;
      await stopping.gateway.process.waitForLine(textLine(/request log spill: \d+ records recovered/), {
        description: 'the spill file written to the store',
      });
      await expectOneRecordPerAnswer('sigterm', outcomes);
      expectUpstreamOncePerAnswer(outcomes);
      expect((replicas[0] as Replica).gateway.process.child.exitCode).toBeNull();
    }, 120_000);
  },
);
