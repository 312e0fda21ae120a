import type { Command } from 'commander';
import type { AdminClient } from '../admin-client.js';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { line, printJson, printTable } from '../output.js';
import { pushEachFile, recordExists, registerRmCommand } from './json-records.js';

interface PromptListItem {
  readonly slug: string;
  readonly name: string;
  readonly model: string | null;
  readonly prompt_version: number;
  readonly latest_version: number;
  readonly last_updated_at: string | null;
}

interface PromptVersion {
  readonly prompt_version: number;
  readonly prompt_version_description: string | null;
  readonly created_at: string;
  readonly created_by: string;
  readonly string: string;
  readonly parameters: unknown;
  readonly model: string | null;
  readonly virtual_key: string | null;
  readonly functions: unknown;
  readonly tools: unknown;
  readonly tool_choice: unknown;
  readonly template_metadata: unknown;
}

/** A version's content as a prompt file holds it (what `push` takes), without the fields left unset. */
function promptFileOf(version: PromptVersion, name: string): Record<string, unknown> {
  const file: Record<string, unknown> = { name, string: version.string, parameters: version.parameters };
  const optional: [string, unknown][] = [
    ['model', version.model],
    ['virtual_key', version.virtual_key],
    ['functions', version.functions],
    ['tools', version.tools],
    ['tool_choice', version.tool_choice],
    ['template_metadata', version.template_metadata],
  ];
  for (const [field, value] of optional) if (value !== null && value !== undefined) file[field] = value;
  return file;
}

const promptPath = (slug: string) => `/prompts/${encodeURIComponent(slug)}`;

async function publish(admin: AdminClient, slug: string, version: number): Promise<void> {
  await admin.call('PUT', `${promptPath(slug)}/makeDefault`, { version });
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
 * `pk prompts push|list|get|history|publish|rm`: Portkey's prompt library through the admin API. A
 * prompt file is Portkey's prompt body (`string`, the Mustache template; `parameters`, `model`,
 * `virtual_key`, `tools` …, optionally `name` and `version_description`); pushing it to an existing
 * prompt saves a new version, which requests get once published (`--publish`, or `pk prompts publish`).
 */
export function registerPrompts(program: Command, context: CommandContext): void {
  const prompts = program
    .command('prompts')
    .description('prompts: Mustache templates with their model and parameters, versioned, run by slug');

  prompts
    .command('push')
    .description(
      'save prompt files (JSON: string, parameters, model, virtual_key …): a new prompt, or a new version of an existing one; the slug is the file name unless --slug',
    )
    .argument('<file...>', 'prompt files (- for stdin, with --slug)')
    .option('--slug <slug>', 'the slug (with one file)')
    .option('--publish', 'publish the new version at once (a new prompt is published anyway)')
    .action(async (files: string[], options: { slug?: string; publish?: boolean }) => {
      const admin = context.admin();
      await pushEachFile({
        files,
        slug: options.slug,
        what: 'prompt',
        output: context.output(),
        context,
        save: async (slug, content) => {
          if (typeof content !== 'object' || content === null || Array.isArray(content)) {
            throw new CliError(
              `the prompt file for ${slug} must be a JSON object ({ "string": …, "parameters": … })`,
              EXIT.usage,
            );
          }
          const body = content as Record<string, unknown>;
          if (!(await recordExists(admin, promptPath(slug)))) {
            await admin.call('POST', '/prompts', { ...body, slug, name: body.name ?? slug });
            return {
              result: { slug, version: 1, published: 1 },
              said: `${slug}: created (version 1, published)`,
            };
          }
          const answer = await admin.call<{ prompt_version: number }>('PUT', promptPath(slug), body);
          const version = answer.prompt_version;
          if (options.publish) await publish(admin, slug, version);
          const current = options.publish
            ? version
            : (await admin.call<{ prompt_version: number }>('GET', promptPath(slug))).prompt_version;
          return {
            result: { slug, version, published: current },
            said:
              current === version
                ? `${slug}: version ${version} (published)`
                : `${slug}: version ${version}; requests get version ${current} until: pk prompts publish ${slug} ${version}`,
          };
        },
      });
    });

  prompts
    .command('list')
    .description('list prompts with their model and their published and latest versions')
    .action(async () => {
      const output = context.output();
      const list = await context.admin().call<{ data: PromptListItem[] }>('GET', '/prompts');
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      printTable(
        output,
        ['slug', 'name', 'model', 'published', 'latest', 'updated'],
        list.data.map((prompt) => [
          prompt.slug,
          prompt.name,
          prompt.model,
          prompt.prompt_version,
          prompt.latest_version,
          prompt.last_updated_at,
        ]),
      );
    });

  prompts
    .command('get')
    .description('print a prompt version as a prompt file (what push takes); the published one by default')
    .argument('<slug>', 'the prompt')
    .option('--at <version>', 'another version: its number (see pk prompts history)')
    .action(async (slug: string, options: { at?: string }) => {
      const output = context.output();
      const admin = context.admin();
      const prompt = await admin.call<{ name: string; prompt_version: number }>('GET', promptPath(slug));
      const number = options.at === undefined ? prompt.prompt_version : versionNumber(options.at, '--at');
      const version = await admin.call<PromptVersion>('GET', `${promptPath(slug)}/versions/${number}`);
      printJson(output, output.json ? version : promptFileOf(version, prompt.name));
    });

  prompts
    .command('history')
    .description('list the versions of a prompt, newest first, and which one requests get')
    .argument('<slug>', 'the prompt')
    .action(async (slug: string) => {
      const output = context.output();
      const admin = context.admin();
      const prompt = await admin.call<{ prompt_version: number }>('GET', promptPath(slug));
      const versions = await admin.call<{ data: PromptVersion[] }>('GET', `${promptPath(slug)}/versions`);
      if (output.json) {
        printJson(output, versions.data);
        return;
      }
      printTable(
        output,
        ['version', 'description', 'created', 'by', 'published'],
        versions.data.map((version) => [
          version.prompt_version,
          version.prompt_version_description,
          version.created_at,
          version.created_by,
          version.prompt_version === prompt.prompt_version ? 'yes' : '',
        ]),
      );
    });

  prompts
    .command('publish')
    .description('make a version the one requests get (prompts.completions.create with the slug alone)')
    .argument('<slug>', 'the prompt')
    .argument('<version>', 'the version number')
    .action(async (slug: string, version: string) => {
      const output = context.output();
      const number = versionNumber(version, 'version');
      await publish(context.admin(), slug, number);
      if (output.json) printJson(output, { slug, published: number });
      else line(output, `${slug}: requests get version ${number}`);
    });

  registerRmCommand(prompts, context, {
    noun: 'prompt',
    description: 'delete a prompt and every version of it',
    path: promptPath,
  });
}
