import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ClientSignal, nativeAbortSignal } from './client-signal.js';

describe('ClientSignal', () => {
  it('starts not aborted and throws nothing', () => {
    const signal = new ClientSignal();
    expect(signal.aborted).toBe(false);
    expect(signal.reason).toBeUndefined();
    expect(() => signal.throwIfAborted()).not.toThrow();
  });

  it('aborts once: sets the reason, runs the listeners and onabort, then throws the reason', () => {
    const signal = new ClientSignal();
    const seen: string[] = [];
    signal.addEventListener('abort', (event) => seen.push(`listener ${event.type}`), { once: true });
    signal.onabort = (event) => seen.push(`onabort ${event.type}`);
    const reason = new Error('the client went away');
    signal.abort(reason);
    signal.abort(new Error('again'));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(seen).toEqual(['listener abort', 'onabort abort']);
    expect(() => signal.throwIfAborted()).toThrow(reason);
  });

  it('a removed listener is not called', () => {
    const signal = new ClientSignal();
    let called = false;
    const listener = () => {
      called = true;
    };
    signal.addEventListener('abort', listener);
    signal.removeEventListener('abort', listener);
    signal.abort(new Error('gone'));
    expect(called).toBe(false);
  });

  it('takes handleEvent objects, calls a listener added twice once, and a once listener only once', () => {
    const signal = new ClientSignal();
    const seen: string[] = [];
    const listener = () => seen.push('function');
    signal.addEventListener('abort', listener);
    signal.addEventListener('abort', listener);
    signal.addEventListener('abort', { handleEvent: (event: Event) => seen.push(`object ${event.type}`) });
    signal.addEventListener('other', () => seen.push('other'));
    signal.dispatchEvent(new Event('abort'));
    signal.dispatchEvent(new Event('abort'));
    expect(seen).toEqual(['function', 'object abort', 'function', 'object abort']);
  });

  it('adds no listener once aborted (the reason is already there to read)', () => {
    const signal = new ClientSignal();
    signal.abort(new Error('gone'));
    let called = false;
    signal.addEventListener('abort', () => {
      called = true;
    });
    signal.dispatchEvent(new Event('abort'));
    expect(called).toBe(false);
  });

  it('is the signal of an undici request: aborting it ends the request with the reason', async () => {
    const { createServer } = await import('node:http');
    const { request } = await import('undici');
    const server = createServer(() => {
      // Never answers: the request ends only through the signal.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const signal = new ClientSignal();
      const pending = request(`http://127.0.0.1:${port}/`, { signal: signal.asAbortSignal() });
      setTimeout(() => signal.abort(new Error('the client went away')), 20);
      await expect(pending).rejects.toThrow('the client went away');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("stops a timers/promises sleep that takes it as its signal, with the signal's reason", async () => {
    const signal = new ClientSignal();
    const reason = new Error('gone');
    const slept = sleep(60_000, undefined, { signal: signal.asAbortSignal() });
    signal.abort(reason);
    await expect(slept).rejects.toMatchObject({ name: 'AbortError', cause: reason });
  });
});

describe('nativeAbortSignal', () => {
  it('returns a native signal as it is', () => {
    const native = new AbortController().signal;
    expect(nativeAbortSignal(native)).toBe(native);
  });

  it('links a native signal to a client signal, usable in AbortSignal.any', () => {
    const signal = new ClientSignal();
    const native = nativeAbortSignal(signal.asAbortSignal());
    expect(native).toBeInstanceOf(AbortSignal);
    const combined = AbortSignal.any([AbortSignal.timeout(60_000), native]);
    const reason = new Error('gone');
    signal.abort(reason);
    expect(native.aborted).toBe(true);
    expect(combined.aborted).toBe(true);
    expect(combined.reason).toBe(reason);
  });

  it('is already aborted for a client signal that was', () => {
    const signal = new ClientSignal();
    signal.abort('gone');
    const native = nativeAbortSignal(signal.asAbortSignal());
    expect(native.aborted).toBe(true);
    expect(native.reason).toBe('gone');
  });
});
