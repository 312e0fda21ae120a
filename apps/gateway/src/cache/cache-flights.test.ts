import { describe, expect, it } from 'vitest';
import { createCacheFlights, type FlightJoin, type FlightLead, type FlightWait } from './cache-flights.js';

const leadOf = (join: FlightJoin): FlightLead => {
  if (!('lead' in join)) throw new Error('expected to lead');
  return join.lead;
};
const waitOf = (join: FlightJoin): Promise<FlightWait> => {
  if (!('wait' in join)) throw new Error('expected to wait');
  return join.wait;
};

describe('cache flights (coalesced misses)', () => {
  it('the first miss leads; later ones get the leader’s answer, and the key is forgotten', async () => {
    const flights = createCacheFlights();
    const lead = leadOf(flights.join('k'));
    const waits = [waitOf(flights.join('k')), waitOf(flights.join('k'))];
    expect(flights.size).toBe(1);
    lead.answer('{"provider":"openai","body":{}}');
    expect(await Promise.all(waits)).toEqual([
      { kind: 'answered', entry: '{"provider":"openai","body":{}}' },
      { kind: 'answered', entry: '{"provider":"openai","body":{}}' },
    ]);
    expect(flights.size).toBe(0);
    // The next miss leads a new flight.
    expect('lead' in flights.join('k')).toBe(true);
  });

  it('a leader that fails hands nothing on: its waiters hear `unanswered`', async () => {
    const flights = createCacheFlights();
    const lead = leadOf(flights.join('k'));
    const wait = waitOf(flights.join('k'));
    lead.end();
    expect(await wait).toEqual({ kind: 'unanswered' });
    expect(flights.size).toBe(0);
  });

  it('a leader whose client left (its request ended by a throw) frees its waiters the same way', async () => {
    const flights = createCacheFlights();
    const lead = leadOf(flights.join('k'));
    const wait = waitOf(flights.join('k'));
    try {
      throw new Error('the client went away');
    } catch {
      lead.end();
    }
    expect(await wait).toEqual({ kind: 'unanswered' });
    expect(flights.size).toBe(0);
  });

  it('a waiter whose signal fires stops waiting at once; the others still get the answer', async () => {
    const flights = createCacheFlights();
    const lead = leadOf(flights.join('k'));
    const controller = new AbortController();
    const leaving = waitOf(flights.join('k', { signal: controller.signal }));
    const staying = waitOf(flights.join('k'));
    controller.abort();
    expect(await leaving).toEqual({ kind: 'stopped' });
    lead.answer('entry');
    expect(await staying).toEqual({ kind: 'answered', entry: 'entry' });
  });

  it('a waiter whose signal already fired never waits', async () => {
    const flights = createCacheFlights();
    leadOf(flights.join('k'));
    expect(await waitOf(flights.join('k', { signal: AbortSignal.abort() }))).toEqual({ kind: 'stopped' });
  });

  it('a waiter stops at its wait limit', async () => {
    const flights = createCacheFlights();
    const lead = leadOf(flights.join('k'));
    const started = performance.now();
    expect(await waitOf(flights.join('k', { limitMs: 30 }))).toEqual({ kind: 'stopped' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    lead.end();
    expect(flights.size).toBe(0);
  });

  it('a lead ends its own flight once: a late second call does not end the next flight', async () => {
    const flights = createCacheFlights();
    const first = leadOf(flights.join('k'));
    first.end();
    const second = leadOf(flights.join('k'));
    const wait = waitOf(flights.join('k'));
    first.answer('stale');
    first.end();
    expect(flights.size).toBe(1);
    second.answer('fresh');
    expect(await wait).toEqual({ kind: 'answered', entry: 'fresh' });
  });

  it('keys are separate flights', async () => {
    const flights = createCacheFlights();
    const a = leadOf(flights.join('a'));
    const b = leadOf(flights.join('b'));
    const waitA = waitOf(flights.join('a'));
    b.answer('b');
    a.answer('a');
    expect(await waitA).toEqual({ kind: 'answered', entry: 'a' });
  });

  it('a waiter leaves nothing behind once answered: no listener on its signal, no flight', async () => {
    const flights = createCacheFlights();
    const lead = leadOf(flights.join('k'));
    const listeners = new Set<unknown>();
    const signal = {
      aborted: false,
      addEventListener: (_type: string, listener: unknown) => listeners.add(listener),
      removeEventListener: (_type: string, listener: unknown) => listeners.delete(listener),
    } as unknown as AbortSignal;
    const wait = waitOf(flights.join('k', { signal, limitMs: 10_000 }));
    expect(listeners.size).toBe(1);
    lead.answer('entry');
    expect(await wait).toEqual({ kind: 'answered', entry: 'entry' });
    expect(listeners.size).toBe(0);
    expect(flights.size).toBe(0);
  });
});
