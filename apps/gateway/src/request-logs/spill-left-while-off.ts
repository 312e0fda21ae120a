import { readFile } from 'node:fs/promises';

/**
 * The warning for a spill file (`PK_DATA_DIR/request-log-spill.jsonl`) found at a start with
 * `PK_LOG_STORE=off`: its records are neither replayed nor dropped, so the operator hears of them
 * once. Undefined when there is no file or it is empty. Read only when the log store is off.
 */
export async function spillLeftWhileOffWarning(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `request log spill ${path} cannot be read (${(error as Error).message}); PK_LOG_STORE=off: it is left as it is`;
  }
  let lines = 0;
  for (const line of text.split('\n')) if (line.trim() !== '') lines += 1;
  if (lines === 0) return undefined;
  return (
    `request log spill ${path} holds ${lines} ${lines === 1 ? 'line' : 'lines'} of records the store refused at an earlier shutdown; ` +
    'PK_LOG_STORE=off: not replayed now, it will be when the gateway starts with the log store on'
  );
}
