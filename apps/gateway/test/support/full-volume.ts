import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * A folder on a full disk, as an operator meets one: a small writable tmpfs filled to its last byte,
 * where a file can still be created but not written (ENOSPC; root too). Call at a test file's top
 * level; unmounted and removed after the file's tests. `mounted` is false where this process may
 * not mount (not root, no mount namespace): skip the tests then.
 */
export function fullVolume(prefix: string): { path: string; mounted: boolean } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', path], { stdio: 'ignore' });
    mounted = true;
    // Filled with one file up to the byte the volume refuses.
    for (let size = 64 * 1024; size > 0; size = Math.floor(size / 2)) {
      try {
        writeFileSync(join(path, `filler-${size}`), Buffer.alloc(size));
      } catch {
        rmSync(join(path, `filler-${size}`), { force: true });
      }
    }
  } catch {
    // Not permitted here.
  }
  afterAll(() => {
    if (mounted) execFileSync('umount', [path]);
    rmSync(path, { recursive: true, force: true });
  });
  return { path, mounted };
}
