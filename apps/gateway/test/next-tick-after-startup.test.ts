import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';

const probe = new URL('./__fixtures__/next-tick-probe.mjs', import.meta.url).pathname;

/** Resolves with the first match of `pattern` in what `output` gains from now on (20 s at most). */
async function nextMatch(
  output: () => string,
  pattern: RegExp,
  from = output().length,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const match = pattern.exec(output().slice(from));
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asks a process preloaded with the probe for its `process.nextTick` cost, in ns per tick. */
async function nextTickNs(child: ChildProcess, output: () => string): Promise<number> {
  const from = output().length;
  child.kill('SIGUSR2');
  return Number((await nextMatch(output, /next-tick-probe: (\d+(?:\.\d+)?)\n/, from))[1]);
}

/**
 * The gateway runs a memory-reducing collection at start (release-startup-garbage.ts), and V8 runs
 * one after ~15 s without traffic. In Node 20, such a collection while no tick is queued used to
 * leave every later `process.nextTick` on V8's runtime path (~4x its cost, ~10 % of the gateway's
 * instructions per request); keep-tick-objects.ts keeps the ticks' hidden classes alive. Measured
 * against a fresh Node process: 1.0-1.1x with it, 4.2-4.6x without. undici loaded before that
 * collection did the same (~10x), whatever kept; the gateway loads it after (server.ts).
 */
describe('process.nextTick in the built gateway after its start-up collection', () => {
  const children: ChildProcess[] = [];
  const gateways: GatewayProcess[] = [];
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const gateway of gateways) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  it('costs at most twice what it costs in a fresh Node process', async () => {
    let referenceOutput = '';
    const reference = spawn(process.execPath, ['--import', probe, '-e', 'setInterval(() => {}, 1000)'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(reference);
    reference.stderr?.on('data', (chunk: Buffer) => {
      referenceOutput += chunk.toString();
    });
    await nextMatch(() => referenceOutput, /next-tick-probe: ready/, 0);
    const gateway = await startGateway({}, [], ['--import', probe]);
    gateways.push(gateway);
    expect(gateway.output()).toContain('next-tick-probe: ready');
    // With a proxy the upstream pool was made, and undici loaded, before the start-up collection:
    // that left every later tick ~10x slower (~650 ns), so undici now comes after it.
    const proxied = await startGateway(
      { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' },
      [],
      ['--import', probe],
    );
    gateways.push(proxied);
    const fresh = await nextTickNs(reference, () => referenceOutput);
    const inGateway = await nextTickNs(gateway.child, gateway.output);
    const withProxy = await nextTickNs(proxied.child, proxied.output);
    console.info(
      `process.nextTick, ns per tick: fresh Node ${fresh}, gateway after start-up ${inGateway}, with HTTPS_PROXY ${withProxy}`,
    );
    expect(fresh).toBeGreaterThan(0);
    expect(inGateway).toBeLessThanOrEqual(2 * fresh);
    expect(withProxy).toBeLessThanOrEqual(2 * fresh);
  }, 60_000);
});
