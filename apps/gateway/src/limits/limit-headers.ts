import type { Admission, WindowRoom } from './limiter.js';

/** A duration as OpenAI writes `x-ratelimit-reset-*`: `20ms`, `1s`, `6m0s`, `1h2m3s`. */
export function openAIDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  let seconds = Math.ceil(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/**
 * pk's room on an answer that passed, in `x-pk-ratelimit-{limit,remaining,reset}-{requests,tokens}`
 * (the tightest window of each measure): the provider's own `x-ratelimit-*` pass unchanged.
 */
export function roomHeaders(rooms: readonly WindowRoom[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const room of rooms) {
    headers[`x-pk-ratelimit-limit-${room.measure}`] = String(room.limit);
    headers[`x-pk-ratelimit-remaining-${room.measure}`] = String(room.remaining);
    headers[`x-pk-ratelimit-reset-${room.measure}`] = openAIDuration(room.resetMs);
  }
  return headers;
}

/** A refusal's headers: `Retry-After` (seconds) and OpenAI's `x-ratelimit-*` describing pk's limit. */
export function refusalHeaders(refusal: Extract<Admission, { ok: false }>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (refusal.retryAfterMs >= 0) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(Math.max(1, Math.ceil(refusal.retryAfterMs)));
  }
  for (const room of refusal.rooms) {
    headers[`x-ratelimit-limit-${room.measure}`] = String(room.limit);
    headers[`x-ratelimit-remaining-${room.measure}`] = String(room.remaining);
    headers[`x-ratelimit-reset-${room.measure}`] = openAIDuration(room.resetMs);
  }
  return headers;
}
