import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import type { AdminClient } from '../admin-client.js';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { line, printJson, printTable } from '../output.js';
import { countOn, progressOn } from '../progress.js';

/** The fields each line of an export has without `--fields`, in this order. */
export const DEFAULT_EXPORT_FIELDS = [
  'id',
  'trace_id',
  'created_at',
  'ai_org',
  'ai_model',
  'req_units',
  'res_units',
  'total_units',
  'cost',
  'cost_currency',
  'response_time',
  'response_status_code',
  'metadata',
] as const;

/** How often a running export is asked how far it got. */
const POLL_MS = 500;
/** Records an export has at most (the gateway's `page_size` maximum). */
const MAX_RECORDS = 50_000;
/** Metadata keys a filter has at most (the gateway's). */
const MAX_METADATA = 8;

/** An export as the gateway answers it (Portkey's fields and pk's progress). */
interface LogExport {
  readonly id: string;
  readonly status: 'draft' | 'in_progress' | 'success' | 'failed' | 'stopped';
  readonly description: string | null;
  readonly created_at: string;
  readonly total: number | null;
  readonly exported: number;
  readonly error: string | null;
}

interface ExportOptions {
  readonly from?: string;
  readonly to?: string;
  readonly trace?: string;
  readonly model?: string;
  readonly provider?: string;
  readonly virtualKey?: string;
  readonly config?: string;
  readonly prompt?: string;
  readonly status?: string;
  readonly failed?: boolean;
  readonly errorCode?: string;
  readonly metadata?: string[];
  readonly fields: string;
  readonly limit?: string;
  readonly description?: string;
  readonly out?: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const AGO = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--from` / `--to`: an ISO date or time as given, or `30m`, `24h`, `7d` (that long ago). */
function timeOf(text: string, flag: string, now: number): string {
  const ago = AGO.exec(text);
  if (ago) return new Date(now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]).toISOString();
  if (ISO_TIME.test(text) && Number.isFinite(Date.parse(text))) return text;
  throw new CliError(
    `${flag}: expected an ISO date or time (2026-01-31, 2026-01-31T12:00:00Z) or a time ago (30m, 24h, 7d), got ${JSON.stringify(text)}`,
    EXIT.usage,
  );
}

function wholeOf(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new CliError(
      `${flag}: expected a whole number from ${min} to ${max.toLocaleString('en')}, got ${JSON.stringify(text)}`,
      EXIT.usage,
    );
  return value;
}

function metadataOf(pairs: readonly string[]): Record<string, string> {
  // A Map: keys such as `toString` or `__proto__` are metadata keys like any other.
  const metadata = new Map<string, string>();
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new CliError(`--metadata ${JSON.stringify(pair)}: expected key=value`, EXIT.usage);
    const key = pair.slice(0, equals);
    if (metadata.has(key)) throw new CliError(`--metadata: ${key} is given twice`, EXIT.usage);
    metadata.set(key, pair.slice(equals + 1));
  }
  if (metadata.size > MAX_METADATA)
    throw new CliError(`--metadata: at most ${MAX_METADATA} keys`, EXIT.usage);
  return Object.fromEntries(metadata);
}

function fieldsOf(text: string): string[] {
  const fields = text
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '');
  if (fields.length === 0) throw new CliError('--fields: expected field names, a,b,c', EXIT.usage);
  const twice = fields.find((field, index) => fields.indexOf(field) !== index);
  if (twice !== undefined) throw new CliError(`--fields: ${twice} is given twice`, EXIT.usage);
  return fields;
}

/** The create body of the options (Portkey's filter and field names); usage errors before any call. */
export function exportBodyOf(options: ExportOptions, now = Date.now()): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  if (options.from !== undefined) filters.time_of_generation_min = timeOf(options.from, '--from', now);
  if (options.to !== undefined) filters.time_of_generation_max = timeOf(options.to, '--to', now);
  const texts = {
    trace_id: options.trace,
    ai_model: options.model,
    ai_org: options.provider,
    virtual_keys: options.virtualKey,
    configs: options.config,
    prompt_slug: options.prompt,
    error_code: options.errorCode,
  };
  for (const [name, value] of Object.entries(texts)) if (value !== undefined) filters[name] = value;
  if (options.status !== undefined) filters.status_code = wholeOf(options.status, '--status', 100, 599);
  if (options.failed === true) filters.failed = true;
  const metadata = metadataOf(options.metadata ?? []);
  if (Object.keys(metadata).length > 0) filters.metadata = metadata;
  if (options.limit !== undefined) filters.page_size = wholeOf(options.limit, '--limit', 1, MAX_RECORDS);
  return {
    filters,
    requested_data: fieldsOf(options.fields),
    ...(options.description === undefined ? {} : { description: options.description }),
  };
}

/** `--out`'s absolute path, once its directory exists (a usage error otherwise: nothing is created). */
async function outPathOf(out: string): Promise<string> {
  const path = resolve(out);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new CliError(`--out: ${out} is a directory`, EXIT.usage);
  const directory = await stat(dirname(path)).catch(() => undefined);
  if (!directory?.isDirectory())
    throw new CliError(`--out: the directory ${dirname(path)} does not exist`, EXIT.usage);
  return path;
}

/**
 * The file's body to `out`, through a temporary file next to it renamed once complete (an
 * interrupted download leaves nothing under the final name), or to `stdout` (left open).
 */
async function saveBody(
  response: Response,
  out: string | undefined,
  stdout: Writable,
  signal: AbortSignal,
): Promise<void> {
  const body =
    response.body === null
      ? Readable.from([])
      : Readable.fromWeb(response.body as unknown as ReadableStream<Uint8Array>);
  if (out === undefined) {
    try {
      await pipeline(body, stdout, { end: false, signal });
    } catch (error) {
      // The reader went away (`| head`): it has what it wanted.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      body.destroy();
    }
    return;
  }
  const temporary = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}.part`);
  try {
    await pipeline(body, createWriteStream(temporary, { flags: 'wx' }), { signal });
    await rename(temporary, out);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Where `pk logs export` is: what Ctrl-C has to undo. */
type Phase = 'creating' | 'draft' | 'running' | 'downloading';

/** Undoes what the interrupted export left (a draft deleted, a run cancelled); says what it did. */
async function undo(admin: AdminClient, id: string | undefined, phase: Phase): Promise<string> {
  if (id === undefined || phase === 'creating') return 'interrupted';
  const path = `/logs/exports/${encodeURIComponent(id)}`;
  if (phase === 'draft') {
    await admin.call('DELETE', path).catch(() => undefined);
    return `interrupted: export ${id} was not started and is deleted`;
  }
  if (phase === 'downloading')
    return `interrupted: export ${id} finished, its download did not (pk logs exports rm ${id} deletes it)`;
  try {
    await admin.call('POST', `${path}/cancel`);
    return `interrupted: export ${id} is cancelled (pk logs exports rm ${id} deletes it)`;
  } catch (error) {
    // Not running any more: it finished (or failed) meanwhile.
    if (error instanceof CliError && error.exitCode === EXIT.conflict)
      return `interrupted: export ${id} had finished; it was not downloaded (pk logs exports rm ${id} deletes it)`;
    throw error;
  }
}

/**
 * Creates the export, starts it, follows it (progress on stderr), then downloads its file through
 * `PK_URL` (the link's path and token on the CLI's own base URL: the gateway may be behind a proxy
 * that names it differently) to `--out` or stdout. Ctrl-C cancels the export on the gateway.
 */
async function runExport(options: ExportOptions, context: CommandContext): Promise<void> {
  const output = context.output();
  const body = exportBodyOf(options);
  const out = options.out === undefined ? undefined : await outPathOf(options.out);
  const admin = context.admin();
  const stop = new AbortController();
  const release = context.onInterrupt(() => stop.abort());
  const checkpoint = () => stop.signal.throwIfAborted();
  const counter = countOn(output.stderr, 'exporting');
  let id: string | undefined;
  let phase: Phase = 'creating';
  try {
    id = (await admin.call<{ id: string }>('POST', '/logs/exports', body)).id;
    const path = `/logs/exports/${encodeURIComponent(id)}`;
    phase = 'draft';
    checkpoint();
    try {
      await admin.call('POST', `${path}/start`);
    } catch (error) {
      // Nothing ran: the draft would only be clutter in the list.
      await admin.call('DELETE', path).catch(() => undefined);
      phase = 'creating';
      throw error;
    }
    phase = 'running';
    output.stderr.write(`export ${id} started\n`);
    let total: number;
    for (;;) {
      const current = await admin.call<LogExport>('GET', path);
      checkpoint();
      if (current.status === 'success') {
        total = current.total ?? current.exported;
        break;
      }
      if (current.status === 'failed')
        throw new CliError(
          `export ${id} failed: ${current.error ?? 'the gateway gave no reason'}`,
          EXIT.failure,
        );
      if (current.status !== 'in_progress')
        throw new CliError(
          `export ${id} is ${current.status === 'stopped' ? 'stopped (cancelled elsewhere)' : 'a draft again (changed elsewhere)'}: it did not finish`,
          EXIT.failure,
        );
      counter(current.exported);
      await delay(POLL_MS, undefined, { signal: stop.signal });
    }
    phase = 'downloading';
    progressOn(output.stderr, 'exporting')(total, total);
    const link = await admin.call<{ signed_url: string }>('GET', `${path}/download`);
    checkpoint();
    const url = new URL(link.signed_url);
    await saveBody(
      await admin.open(`${url.pathname}${url.search}`, stop.signal),
      out,
      output.stdout,
      stop.signal,
    );
    if (out === undefined) return;
    if (output.json) printJson(output, { id, status: 'success', total, out });
    output.stderr.write(`wrote ${total} record${total === 1 ? '' : 's'} to ${out}\n`);
  } catch (error) {
    // (Once finished, the total's line has ended the count's.)
    if (phase !== 'downloading') counter.stop();
    if (stop.signal.aborted) throw new CliError(await undo(admin, id, phase), EXIT.interrupted);
    throw error;
  } finally {
    release();
  }
}

/**
 * `pk logs export` (an export of the request logs as JSONL, Portkey's log exports API, followed to
 * its end and downloaded), `pk logs exports` (the exports) and `pk logs exports rm <id>`.
 */
export function registerLogs(program: Command, context: CommandContext): void {
  const logs = program.command('logs').description('the request logs: export them as JSONL');

  logs
    .command('export')
    .description(
      'export the request logs that match as JSONL (newest first, one record a line): created, run and followed on the gateway, then downloaded; Ctrl-C cancels it',
    )
    .option('--from <time>', 'records from this time: an ISO date or time, or a time ago (30m, 24h, 7d)')
    .option('--to <time>', 'records up to this time (a date alone: to the end of that day, UTC)')
    .option('--trace <id>', 'one trace id')
    .option('--model <model>', 'one model (gpt-4o-mini)')
    .option('--provider <provider>', 'one provider (openai)')
    .option('--virtual-key <slug>', 'one virtual key')
    .option('--config <slug>', 'one saved config')
    .option('--prompt <slug>', 'one prompt')
    .option('--status <code>', "one HTTP status of the gateway's answer (200, 429 …)")
    .option(
      '--failed',
      'only the failed requests: an error status, or a stream that ended with an error after its 200',
    )
    .option('--error-code <code>', 'one error code (PK_ERR_STREAM_INTERRUPTED, server_error …)')
    .option('--metadata <key=value...>', `metadata the records have (all of them, at most ${MAX_METADATA})`)
    .option(
      '--fields <a,b,c>',
      'the fields of each line, in this order (the gateway README lists them)',
      DEFAULT_EXPORT_FIELDS.join(','),
    )
    .option('--limit <n>', `records at most (default and maximum ${MAX_RECORDS.toLocaleString('en')})`)
    .option('--description <text>', 'free text shown in pk logs exports')
    .option('--out <file>', 'write the JSONL to this file (complete, or not at all) instead of stdout')
    .action(async (options: ExportOptions) => {
      await runExport(options, context);
    });

  const exports = logs
    .command('exports')
    .description('list the log exports: status, records exported of the total, description')
    .action(async () => {
      const output = context.output();
      const list = await context.admin().call<{ data: LogExport[] }>('GET', '/logs/exports');
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      printTable(
        output,
        ['id', 'status', 'exported', 'created', 'description'],
        list.data.map((item) => [
          item.id,
          item.status,
          item.total === null ? item.exported : `${item.exported}/${item.total}`,
          item.created_at,
          item.description,
        ]),
      );
    });

  exports
    .command('rm')
    .description('delete a log export and its file (a running one stops)')
    .argument('<id>', 'the export (see pk logs exports)')
    .action(async (id: string) => {
      const output = context.output();
      await context.admin().call('DELETE', `/logs/exports/${encodeURIComponent(id)}`);
      if (output.json) printJson(output, { id, deleted: true });
      else line(output, `deleted log export ${id}`);
    });
}
