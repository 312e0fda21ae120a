// An open-loop load generator: requests leave at a fixed rate whatever the answers' latency
// (autocannon is closed-loop and rounds latency to whole milliseconds), timed with performance.now().
import { Pool } from 'undici';

/**
 * Sends `count` requests at `ratePerSecond` and returns their latencies in ms (sorted), how many
 * answers failed the `check`, and `samples`: each answered request's send time (epoch ms, sub-ms
 * precision) and latency, in the order they were answered. `firstByte` measures time to the response
 * headers instead of the end.
 */
export async function pacedLoad({ url, headers, body, ratePerSecond, count, check, firstByte = false }) {
  const { origin, pathname } = new URL(url);
  const pool = new Pool(origin, { connections: 64, pipelining: 1 });
  const latencies = [];
  const samples = [];
  let failures = 0;
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  const inflight = [];
  for (let index = 0; index < count; index += 1) {
    const due = start + index * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inflight.push(
      (async () => {
        const sent = performance.now();
        try {
          const response = await pool.request({ path: pathname, method: 'POST', headers, body });
          const headersAt = performance.now();
          const text = await response.body.text();
          const latency = (firstByte ? headersAt : performance.now()) - sent;
          latencies.push(latency);
          samples.push({ at: performance.timeOrigin + sent, ms: latency });
          if (response.statusCode !== 200 || !check(text)) failures += 1;
        } catch {
          failures += 1;
        }
      })(),
    );
  }
  await Promise.all(inflight);
  await pool.close();
  return { latencies: latencies.sort((left, right) => left - right), failures, samples };
}

/** The q-quantile of sorted values. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Sends `count` requests back to back over `concurrency` connections (closed loop: the next leaves
 * when an answer is in) and returns how many answers failed the `check`. For CPU per request at
 * saturation, where the machine's cost of waking an idle process does not dominate.
 */
export async function backToBack({ url, headers, body, concurrency, count, check }) {
  const { origin, pathname } = new URL(url);
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  let failures = 0;
  let sent = 0;
  const loop = async () => {
    while (sent < count) {
      sent += 1;
      try {
        const response = await pool.request({ path: pathname, method: 'POST', headers, body });
        const text = await response.body.text();
        if (response.statusCode !== 200 || !check(text)) failures += 1;
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  await pool.close();
  return { failures };
}
