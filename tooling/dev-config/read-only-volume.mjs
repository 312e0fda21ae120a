// A read-only folder as users meet it (a read-only volume): a tmpfs mounted read-only, which root
// cannot write either. For tests of how pk refuses a data folder it cannot write.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Mounts a read-only tmpfs on a new temporary folder named after `prefix` (call at a test file's top
 * level; it is unmounted and removed after the file's tests). `mounted` is false where this process
 * may not mount (not root, no mount namespace): skip the tests then (`describe.runIf(mounted)`).
 * @param {string} prefix
 * @returns {{ path: string, mounted: boolean }}
 */
export function readOnlyVolume(prefix) {
  const path = mkdtempSync(join(tmpdir(), prefix));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', path], { stdio: 'ignore' });
    mounted = true;
  } catch {
    // Not permitted here.
  }
  afterAll(() => {
    if (mounted) execFileSync('umount', [path]);
    rmSync(path, { recursive: true, force: true });
  });
  return { path, mounted };
}
