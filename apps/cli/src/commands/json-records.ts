import { readFile } from 'node:fs/promises';
import type { AdminClient } from '../admin-client.js';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';

/** A JSON file's content (a config, a guardrail definition), from a path or `-` for stdin. */
export async function readJsonFile(path: string, context: CommandContext): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' ? await context.readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      EXIT.usage,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${path} is not JSON: ${(error as Error).message}`, EXIT.usage);
  }
}

/** Whether the admin API has the record at `path` (404 → false; other failures are thrown). */
export async function recordExists(admin: AdminClient, path: string): Promise<boolean> {
  try {
    await admin.call('GET', path);
    return true;
  } catch (error) {
    if (error instanceof CliError && error.exitCode === EXIT.notFound) return false;
    throw error;
  }
}
