import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import { residentMiB } from './support/process-memory.js';

/**
 * Issue 15's target for the gateway's resident memory at idle with the embedded defaults (SQLite
 * store in PK_DATA_DIR, log store on) is 90 MB. Measured here 2 s after start: 76-82 MiB since the
 * start-up's garbage is collected before listening (release-startup-garbage.ts; 91-96 MiB before),
 * so 90 MiB leaves ~14 MiB for noise and fails when that collection stops working.
 */
const IDLE_RSS_LIMIT_MIB = 90;

const rssMiB = (pid: number): number => residentMiB(pid) ?? Number.NaN;

const onLinux = process.platform === 'linux';
if (!onLinux) console.warn('idle-memory.test.ts: skipped, /proc/<pid>/status (VmRSS) is Linux only');

describe.skipIf(!onLinux)('the built gateway at idle, embedded defaults', () => {
  const gateways: GatewayProcess[] = [];
  afterAll(async () => {
    for (const gateway of gateways) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  it(`holds at most ${IDLE_RSS_LIMIT_MIB} MiB resident 2 s after start (median of 3 processes)`, async () => {
    // No settings file, no PK_DATABASE_URL: SQLite in a fresh PK_DATA_DIR, log store on, memory stores.
    gateways.push(...(await Promise.all([startGateway(), startGateway(), startGateway()])));
    for (const gateway of gateways) expect(gateway.output()).toContain('(embedded defaults)');
    await sleep(2000);
    const readings = gateways.map((gateway) => rssMiB(gateway.child.pid ?? 0)).sort((a, b) => a - b);
    const median = readings[1] ?? Number.POSITIVE_INFINITY;
    console.info(`idle RSS, MiB: ${readings.map((value) => value.toFixed(1)).join(', ')}`);
    expect(median).toBeGreaterThan(20);
    expect(median).toBeLessThanOrEqual(IDLE_RSS_LIMIT_MIB);
    // Still a working gateway: the health route answers.
    const health = await fetch(`${gateways[0]?.url}/health`);
    expect(health.status).toBe(200);
  }, 30_000);
});
