import { readFile } from 'node:fs/promises';
import { CliError, EXIT } from './exit-codes.js';

/** Where a secret may come from: never the command line itself. */
export const SECRET_SOURCES =
  'env:NAME (an environment variable), file:PATH, or - (read from stdin; typed unseen at a terminal)';

/** What reading a secret needs from the process. */
export interface SecretInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads all of stdin (called at most once); `secret`: at a terminal, one line typed unseen. */
  readonly readStdin: (purpose?: 'secret') => Promise<string>;
}

/**
 * Resolves a secret reference given on the command line: `env:NAME`, `file:PATH` or `-` (stdin).
 * Anything else is refused (exit 2) without repeating it: a secret typed on the command line stays
 * in the shell's history and is visible to every user in `ps`. A trailing newline is removed.
 */
export async function readSecret(reference: string, what: string, input: SecretInput): Promise<string> {
  let value: string | undefined;
  if (reference === '-') {
    value = await input.readStdin('secret');
  } else if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    value = input.env[name];
    if (value === undefined || value === '') {
      throw new CliError(`${what}: the environment variable ${name} is not set`, EXIT.usage);
    }
  } else if (reference.startsWith('file:')) {
    const path = reference.slice(5);
    try {
      value = await readFile(path, 'utf8');
    } catch (error) {
      throw new CliError(
        `${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        EXIT.usage,
      );
    }
  } else {
    throw new CliError(
      `${what}: refusing a secret on the command line (it would stay in your shell history and show in ps); ` +
        `give ${SECRET_SOURCES}`,
      EXIT.usage,
    );
  }
  const trimmed = value.replace(/\r?\n$/, '');
  if (trimmed === '') throw new CliError(`${what}: the secret is empty`, EXIT.usage);
  return trimmed;
}
