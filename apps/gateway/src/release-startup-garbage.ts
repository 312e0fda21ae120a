/**
 * Returns the memory the gateway's start-up used and no longer needs, before it listens (server.ts
 * calls it after building the app, and again after loading undici).
 *
 * Loading the modules and opening the store allocate ~25 MiB that mostly survives (code, schemas),
 * and that survival makes V8 grow the young generation to its maximum (2 × 8 MiB with `pnpm start`'s
 * `--max-semi-space-size=8`) during start-up; V8's memory reducer gives it back only ~8 s later.
 * `HeapProfiler.collectGarbage` (an in-process inspector session: no port is opened) runs V8's
 * low-memory collection now: full collections that compact the old generation and shrink the young
 * generation. Measured: VmRSS 1 s after start 91 → 78 MiB, for ~0.1 s more start-up time. Under
 * load the young generation grows back as it needs, so the CPU per request is unchanged.
 *
 * Resolves false (and changes nothing) where the inspector is not available (a Node.js built
 * without it) or the collection fails.
 */
export async function releaseStartupGarbage(): Promise<boolean> {
  let session: import('node:inspector').Session;
  try {
    const { Session } = await import('node:inspector');
    session = new Session();
    session.connect();
  } catch {
    return false;
  }
  try {
    await new Promise<void>((resolve, reject) => {
      session.post('HeapProfiler.collectGarbage', (error) => (error ? reject(error) : resolve()));
    });
    return true;
  } catch {
    return false;
  } finally {
    session.disconnect();
  }
}
