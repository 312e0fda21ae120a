import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { AdminClient } from '../admin-client.js';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { line, type Output, printJson } from '../output.js';

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

/**
 * A `push` of JSON files, one record each: the slug is the file name without its extension unless
 * `--slug` names the one file (stdin, `-`, needs it); progress on stderr when there are several.
 * Every file is read and parsed before the first is saved, so a missing or malformed one (exit 2)
 * saves nothing rather than the files before it. `save` writes one record and returns its result
 * and the line that says what happened; the results are printed as JSON with `--json`, also those
 * saved before a later file was refused, so a script learns what changed.
 */
export async function pushEachFile(options: {
  readonly files: readonly string[];
  readonly slug: string | undefined;
  /** What a file holds, for messages: `config`, `guardrail`. */
  readonly what: string;
  readonly output: Output;
  readonly context: CommandContext;
  /** Refuses a file's content before anything is saved (throws a {@link CliError}), if given. */
  readonly check?: (slug: string, content: unknown) => void;
  readonly save: (
    slug: string,
    content: unknown,
  ) => Promise<{ result: Record<string, unknown>; said: string }>;
}): Promise<void> {
  const { files, output, what } = options;
  if (options.slug !== undefined && files.length > 1) {
    throw new CliError(`--slug names one ${what}: push one file with it`, EXIT.usage);
  }
  const records: { file: string; slug: string; content: unknown }[] = [];
  for (const file of files) {
    const slug = options.slug ?? (file === '-' ? undefined : basename(file, extname(file)));
    if (slug === undefined) throw new CliError(`a ${what} from stdin needs --slug`, EXIT.usage);
    const content = await readJsonFile(file, options.context);
    options.check?.(slug, content);
    records.push({ file, slug, content });
  }
  const results: Record<string, unknown>[] = [];
  try {
    for (const [index, { file, slug, content }] of records.entries()) {
      if (records.length > 1) output.stderr.write(`[${index + 1}/${records.length}] ${file} → ${slug}\n`);
      const saved = await options.save(slug, content);
      results.push(saved.result);
      if (!output.json) line(output, saved.said);
    }
  } catch (error) {
    // (Without --json each saved file has had its line; the progress names the one that failed.)
    if (output.json && results.length > 0) printJson(output, results);
    throw error;
  }
  if (output.json) printJson(output, results);
}

/**
 * `pk <group> rm <slug>`: deletes the record at `path(slug)` through the admin API and says so
 * (`deleted <noun> <slug>`, or `{ slug, deleted: true }` with `--json`); a refusal keeps its exit code.
 * `argument` names the argument in `--help` (`slug` unless given).
 */
export function registerRmCommand(
  parent: Command,
  context: CommandContext,
  record: {
    readonly noun: string;
    readonly description: string;
    readonly path: (slug: string) => string;
    readonly argument?: string;
    readonly argumentDescription?: string;
  },
): void {
  parent
    .command('rm')
    .description(record.description)
    .argument(`<${record.argument ?? 'slug'}>`, record.argumentDescription ?? `the ${record.noun}`)
    .action(async (slug: string) => {
      const output = context.output();
      await context.admin().call('DELETE', record.path(slug));
      if (output.json) printJson(output, { slug, deleted: true });
      else line(output, `deleted ${record.noun} ${slug}`);
    });
}
