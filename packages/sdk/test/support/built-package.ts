import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** `execFile` as a promise: rejects with the child's `stdout`/`stderr` on a non-zero exit. */
export const run = promisify(execFile);

/** This package's directory and its build output. */
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
export const dist = join(packageRoot, 'dist');

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the package (`pnpm run build`: tsup, then the CommonJS declarations' fix) when `dist` is
 * older than its sources, the build script or the tsup config.
 */
export async function buildIfStale(): Promise<void> {
  let built = 0;
  try {
    built = statSync(join(dist, 'in-process.cjs')).mtimeMs;
  } catch {
    built = 0;
  }
  const newest = Math.max(
    newestSource(join(packageRoot, 'src')),
    newestSource(join(packageRoot, 'scripts')),
    statSync(join(packageRoot, 'tsup.config.ts')).mtimeMs,
  );
  if (built < newest) await run('pnpm', ['run', 'build'], { cwd: packageRoot, timeout: 170_000 });
}
