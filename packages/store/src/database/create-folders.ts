import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Creates `path` and the folders missing above it, each with `mode`, as `mkdir -p` does. Not Node's
 * `mkdir(path, { recursive: true })`: where a parent exists but cannot hold the child (a path under
 * `/proc`, a dangling symbolic link), mkdir answers ENOENT, Node's walk then "creates" the parent
 * (EEXIST) and tries the child again, for ever: the gateway hung at start without a word. Here each
 * missing folder is created once, going down from the nearest one that exists, and the first
 * refusal is thrown with its code (ENOENT, EACCES, EROFS, ENOTDIR …).
 */
export async function createFolders(path: string, mode: number): Promise<void> {
  const missing: string[] = [];
  let folder = resolve(path);
  for (;;) {
    const found = await stat(folder).then(
      () => true,
      (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      },
    );
    // What exists is left to mkdir below: a file in the way is its ENOTDIR or EEXIST.
    if (found) break;
    missing.push(folder);
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  if (missing.length === 0) {
    // The path itself exists: a folder is fine, anything else is mkdir's EEXIST.
    if (!(await stat(path)).isDirectory()) await mkdir(path, { mode });
    return;
  }
  for (const each of missing.reverse()) {
    await mkdir(each, { mode }).catch((error: unknown) => {
      // Another process made it meanwhile (two replicas starting at once).
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
  }
}
