import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StartupError } from '../server-options.js';

function refusal(path: string, reason: string): StartupError {
  return new StartupError(
    `PK_LOG_SPILL_PATH ${path} ${reason}: request log records the store refuses at shutdown could not ` +
      'be kept there. Name a file in a folder the gateway can write, or leave PK_LOG_SPILL_PATH unset ' +
      '(PK_DATA_DIR/request-log-spill.jsonl)',
  );
}

/** Nothing there (or a file where a folder of the path should be: found going up). */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * Refuses the start when the spill file `PK_LOG_SPILL_PATH` names could not be written at shutdown:
 * a folder, a file the gateway may not write, or a path whose nearest existing folder it may not
 * write in (the append creates the folders missing, mode 0700). Run before the store is opened, so a
 * refused start leaves nothing behind; nothing is created here. A disk that fills up later is not
 * foreseen: those records are told lost at shutdown (exit 1).
 */
export async function checkSpillPath(path: string): Promise<void> {
  const found = await stat(path).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw refusal(path, `cannot be read (${codeOf(error)})`);
  });
  if (found !== undefined) {
    if (!found.isFile()) throw refusal(path, found.isDirectory() ? 'is a folder' : 'is not a regular file');
    await access(path, constants.W_OK).catch((error: unknown) => {
      throw refusal(path, `is not writable (${codeOf(error)})`);
    });
    return;
  }
  // The nearest folder that exists: the append creates the rest.
  let folder = dirname(path);
  for (;;) {
    const info = await stat(folder).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw refusal(path, `is in a folder that cannot be read (${folder}: ${codeOf(error)})`);
    });
    if (info !== undefined) {
      if (!info.isDirectory()) throw refusal(path, `is under ${folder}, which is not a folder`);
      break;
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  await access(folder, constants.W_OK | constants.X_OK).catch((error: unknown) => {
    throw refusal(path, `is not writable (${folder}: ${codeOf(error)})`);
  });
}
