// Reading what heap-sampler.cjs writes: shared by bench/allocations.mjs and
// test/allocations-per-request.test.ts, so the probe and the guard count bytes the same way.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The sampling heap profile written to `file`, waited for up to `timeoutMs` (the sampler writes it whole). */
export async function waitForHeapSample(file, timeoutMs = 10_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`no heap sample in ${file} after ${timeoutMs} ms`);
}

const isPkCode = (url) => /\/(packages\/[^/]+|apps\/gateway)\/dist\//.test(url);
const nameOf = ({ functionName, url, lineNumber }) =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(packages|apps)\//, '$1/')}:${lineNumber + 1}`;
const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);

/**
 * A profile's bytes: in all, by the allocating function, and by pk's innermost function on the stack
 * (`dist` of a package or of the gateway: what pk's code asked for, directly or through node,
 * fastify or undici).
 */
export function allocationsOf(profile) {
  const bySelf = new Map();
  const byPkFunction = new Map();
  let total = 0;
  const visit = (node, innermostPk) => {
    const frame = node.callFrame;
    const pk = isPkCode(frame.url) ? nameOf(frame) : innermostPk;
    if (node.selfSize > 0) {
      total += node.selfSize;
      add(bySelf, nameOf(frame), node.selfSize);
      add(byPkFunction, pk ?? '(no pk function on the stack)', node.selfSize);
    }
    for (const child of node.children) visit(child, pk);
  };
  visit(profile.head, undefined);
  return { total, bySelf, byPkFunction };
}

/** The `rows` largest entries of `map`, one line each, as bytes per request. */
export function largestPerRequest(map, requests, rows) {
  return [...map]
    .sort((left, right) => right[1] - left[1])
    .slice(0, rows)
    .map(([name, bytes]) => `${(bytes / requests).toFixed(0).padStart(7)} B  ${name}`)
    .join('\n');
}
