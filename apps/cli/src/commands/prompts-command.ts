import type { Command } from 'commander';
import type { AdminClient } from '../admin-client.js';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { line, printJson, printTable } from '../output.js';
import { nonEmpty } from './collection-tree.js';
import { registerCollections } from './collections-command.js';
import { pushEachFile, recordExists, registerRmCommand } from './json-records.js';

/** A record as the admin API's `GET` answers it, read through its kind's {@link Kind.version}. */
type ApiRecord = Readonly<Record<string, unknown>> & { readonly name: string };

/**
 * What tells prompts and their partials apart on the admin API: where they live, what a file holds,
 * and the names of their version fields (`prompt_version` for prompts, `version` for partials).
 */
interface Kind {
  /** `prompt` or `prompt partial`, for messages. */
  readonly noun: string;
  readonly base: string;
  /** The version a record or an update's answer names. */
  readonly version: (record: Readonly<Record<string, unknown>>) => number;
  /** A version's description. */
  readonly description: (version: Readonly<Record<string, unknown>>) => unknown;
  /** The fields of a version a file holds (what `push` takes), besides `name`. */
  readonly fileFields: readonly string[];
  /** The command that publishes: `pk prompts publish` or `pk prompts partials publish`. */
  readonly command: string;
}

const PROMPTS: Kind = {
  noun: 'prompt',
  base: '/prompts',
  version: (record) => record.prompt_version as number,
  description: (version) => version.prompt_version_description,
  fileFields: [
    'string',
    'parameters',
    'model',
    'virtual_key',
    'functions',
    'tools',
    'tool_choice',
    'template_metadata',
  ],
  command: 'pk prompts',
};

const PARTIALS: Kind = {
  noun: 'prompt partial',
  base: '/prompts/partials',
  version: (record) => record.version as number,
  description: (version) => version.description,
  fileFields: ['string'],
  command: 'pk prompts partials',
};

/** A version as a file holds it (what `push` takes), without the fields left unset. */
function fileOf(
  kind: Kind,
  version: Readonly<Record<string, unknown>>,
  name: string,
): Record<string, unknown> {
  const file: Record<string, unknown> = { name };
  for (const field of kind.fileFields) {
    const value = version[field];
    if (value !== null && value !== undefined) file[field] = value;
  }
  return file;
}

/** A whole version number from the command line, else a usage error naming `what`. */
function versionNumber(text: string, what: string): number {
  const version = Number(text);
  if (!/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(version)) {
    throw new CliError(`${what}: expected a version number (1, 2 …), got "${text}"`, EXIT.usage);
  }
  return version;
}

/**
 * `push`, `list`, `get`, `history`, `publish` and `rm` of one kind under `group`: pushing to an
 * existing record saves a new version, which requests get once published (`--publish`, or `publish`).
 */
function registerKind(group: Command, context: CommandContext, kind: Kind): void {
  const path = (slug: string) => `${kind.base}/${encodeURIComponent(slug)}`;
  const publish = (admin: AdminClient, slug: string, version: number) =>
    admin.call('PUT', `${path(slug)}/makeDefault`, { version });

  group
    .command('push')
    .description(
      `save ${kind.noun} files (JSON: ${kind.fileFields.slice(0, 4).join(', ')}${kind.fileFields.length > 4 ? ' …' : ''}; name, version_description): a new ${kind.noun}, or a new version of one; the slug is the file name unless --slug`,
    )
    .argument('<file...>', `${kind.noun} files (- for stdin, with --slug)`)
    .option('--slug <slug>', 'the slug (with one file)')
    .option('--publish', `publish the new version at once (a new ${kind.noun} is published anyway)`)
    .action(async (files: string[], options: { slug?: string; publish?: boolean }) => {
      const admin = context.admin();
      await pushEachFile({
        files,
        slug: options.slug,
        what: kind.noun,
        output: context.output(),
        context,
        check: (slug, content) => {
          if (typeof content !== 'object' || content === null || Array.isArray(content)) {
            throw new CliError(
              `the ${kind.noun} file for ${slug} must be a JSON object ({ "string": … })`,
              EXIT.usage,
            );
          }
        },
        save: async (slug, content) => {
          const body = content as Record<string, unknown>;
          if (!(await recordExists(admin, path(slug)))) {
            await admin.call('POST', kind.base, { ...body, slug, name: body.name ?? slug });
            return {
              result: { slug, version: 1, published: 1 },
              said: `${slug}: created (version 1, published)`,
            };
          }
          const version = kind.version(await admin.call<ApiRecord>('PUT', path(slug), body));
          if (options.publish) await publish(admin, slug, version);
          const current = options.publish
            ? version
            : kind.version(await admin.call<ApiRecord>('GET', path(slug)));
          return {
            result: { slug, version, published: current },
            said:
              current === version
                ? `${slug}: version ${version} (published)`
                : `${slug}: version ${version}; requests get version ${current} until: ${kind.command} publish ${slug} ${version}`,
          };
        },
      });
    });

  const listCommand = group
    .command('list')
    .description(`list ${kind.noun}s with their published and latest versions`);
  if (kind === PROMPTS)
    listCommand.option('--collection <collection>', 'only the prompts in this collection: its id or slug');
  listCommand.action(async (options: { collection?: string }) => {
    const output = context.output();
    const collection =
      options.collection === undefined ? undefined : nonEmpty(options.collection, '--collection');
    const query = collection === undefined ? '' : `?collection_id=${encodeURIComponent(collection)}`;
    const list = await context.admin().call<{ data: ApiRecord[] }>('GET', `${kind.base}${query}`);
    if (output.json) {
      printJson(output, list.data);
      return;
    }
    const withModel = kind === PROMPTS;
    printTable(
      output,
      ['slug', 'name', ...(withModel ? ['model'] : []), 'published', 'latest', 'updated'],
      list.data.map((record) => [
        record.slug,
        record.name,
        ...(withModel ? [record.model] : []),
        kind.version(record),
        record.latest_version,
        record.last_updated_at,
      ]),
    );
  });

  group
    .command('get')
    .description(`print a ${kind.noun} version as a file (what push takes); the published one by default`)
    .argument('<slug>', `the ${kind.noun}`)
    .option('--at <version>', 'another version: its number (see history)')
    .action(async (slug: string, options: { at?: string }) => {
      const output = context.output();
      const admin = context.admin();
      const record = await admin.call<ApiRecord>('GET', path(slug));
      const number = options.at === undefined ? kind.version(record) : versionNumber(options.at, '--at');
      const versions = await admin.call<{ data: Readonly<Record<string, unknown>>[] }>(
        'GET',
        `${path(slug)}/versions`,
      );
      const found = versions.data.find((version) => kind.version(version) === number);
      if (!found) throw new CliError(`the ${kind.noun} "${slug}" has no version ${number}`, EXIT.notFound);
      printJson(output, output.json ? found : fileOf(kind, found, record.name));
    });

  group
    .command('history')
    .description(`list the versions of a ${kind.noun}, newest first, and which one requests get`)
    .argument('<slug>', `the ${kind.noun}`)
    .action(async (slug: string) => {
      const output = context.output();
      const admin = context.admin();
      const published = kind.version(await admin.call<ApiRecord>('GET', path(slug)));
      const versions = await admin.call<{ data: Readonly<Record<string, unknown>>[] }>(
        'GET',
        `${path(slug)}/versions`,
      );
      if (output.json) {
        printJson(output, versions.data);
        return;
      }
      const labelled = kind === PROMPTS;
      printTable(
        output,
        ['version', 'description', 'created', 'by', 'published', ...(labelled ? ['labels'] : [])],
        versions.data.map((version) => [
          kind.version(version),
          kind.description(version),
          version.created_at,
          version.created_by,
          kind.version(version) === published ? 'yes' : '',
          ...(labelled ? [Array.isArray(version.labels) ? version.labels.join(', ') : ''] : []),
        ]),
      );
    });

  group
    .command('publish')
    .description(`make a version the one requests get`)
    .argument('<slug>', `the ${kind.noun}`)
    .argument('<version>', 'the version number')
    .action(async (slug: string, version: string) => {
      const output = context.output();
      const number = versionNumber(version, 'version');
      await publish(context.admin(), slug, number);
      if (output.json) printJson(output, { slug, published: number });
      else line(output, `${slug}: requests get version ${number}`);
    });

  registerRmCommand(group, context, {
    noun: kind.noun,
    description: `delete a ${kind.noun} and every version of it`,
    path,
  });
}

/** A label as `GET /v1/labels` lists it. */
type ApiLabel = Readonly<Record<string, unknown>> & { readonly name: string };

/**
 * `pk prompts label <slug> <version> <label>` (point a label at a version: requests naming
 * `slug@label` get it) and `pk prompts labels [add|rm]` (Portkey's `/v1/labels`).
 */
function registerLabels(prompts: Command, context: CommandContext): void {
  prompts
    .command('label')
    .description('point a label at a version of a prompt: requests naming slug@label get that version')
    .argument('<slug>', 'the prompt')
    .argument('<version>', 'the version number')
    .argument('<label>', 'the label (production, staging, development, or one of your own)')
    .action(async (slug: string, version: string, label: string) => {
      const output = context.output();
      const number = versionNumber(version, 'version');
      await context
        .admin()
        .call('PUT', `/prompts/${encodeURIComponent(slug)}/versions/${number}`, { label_id: label });
      if (output.json) printJson(output, { slug, label, version: number });
      else line(output, `${slug}@${label}: requests get version ${number}`);
    });
  const labels = prompts
    .command('labels')
    .description('list the labels (production, staging, development and your own)')
    .action(async () => {
      const output = context.output();
      const list = await context.admin().call<{ data: ApiLabel[] }>('GET', '/labels');
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      printTable(
        output,
        ['name', 'universal', 'description'],
        list.data.map((label) => [label.name, label.is_universal === true ? 'yes' : '', label.description]),
      );
    });
  labels
    .command('add')
    .description('make a label of your own')
    .argument('<name>', 'letters, digits, _ or -; not latest, default or a number')
    .option('--description <text>', 'what the label is for')
    .option('--color <code>', 'a colour for the console (#FF5733)')
    .action(async (name: string, options: { description?: string; color?: string }) => {
      const output = context.output();
      const created = await context.admin().call<{ id: string }>('POST', '/labels', {
        name,
        ...(options.description === undefined ? {} : { description: options.description }),
        ...(options.color === undefined ? {} : { color_code: options.color }),
      });
      if (output.json) printJson(output, { id: created.id, name });
      else line(output, `created label ${name}`);
    });
  registerRmCommand(labels, context, {
    noun: 'label',
    description: 'delete a label of your own (requests naming slug@label then get a 404)',
    path: (name) => `/labels/${encodeURIComponent(name)}`,
    argument: 'name',
    argumentDescription: 'the label',
  });
}

/**
 * `pk prompts push|list|get|history|publish|rm`, `label`, `labels …`, `collections …`, `move` and
 * `pk prompts partials …`: Portkey's prompt library through the admin API. A prompt file is
 * Portkey's prompt body (`string`, the Mustache template; `parameters`, `model`, `virtual_key`,
 * `tools` …, optionally `name` and `version_description`); a partial file names the template other
 * templates include (`{{> slug}}`). Collections are Portkey's folders of prompts.
 */
export function registerPrompts(program: Command, context: CommandContext): void {
  const prompts = program
    .command('prompts')
    .description('prompts: Mustache templates with their model and parameters, versioned, run by slug');
  registerKind(prompts, context, PROMPTS);
  registerLabels(prompts, context);
  registerCollections(prompts, context);
  const partials = prompts
    .command('partials')
    .description('prompt partials: templates prompts include as {{> slug}}, versioned like prompts');
  registerKind(partials, context, PARTIALS);
}
