import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { line, printJson, printTable } from '../output.js';
import { pushEachFile, recordExists, registerRmCommand } from './json-records.js';

interface ConfigVersion {
  readonly version_id: string;
  readonly version: number;
  readonly is_latest: boolean;
  readonly config: unknown;
  readonly restored_from_version_id: string | null;
  readonly created_at: string;
  readonly created_by: string;
}

interface ConfigObject {
  readonly slug: string;
  readonly name: string;
  readonly version: number | null;
  readonly status: string;
  readonly last_updated_at: string | null;
  readonly managed_by: string | null;
}

/** `pk configs push|list|rm|get|history|rollback`: saved configs and their versions through the admin API. */
export function registerConfigs(program: Command, context: CommandContext): void {
  const configs = program
    .command('configs')
    .description('saved configs: routing configs named by slug, versioned');

  configs
    .command('push')
    .description(
      'save config files (JSON): a new config, or a new version of an existing one; the slug is the file name unless --slug',
    )
    .argument('<file...>', 'config files (- for stdin, with --slug)')
    .option('--slug <slug>', 'the slug (with one file)')
    .option('--name <name>', 'the name of a new config (default: the slug)')
    .action(async (files: string[], options: { slug?: string; name?: string }) => {
      const admin = context.admin();
      await pushEachFile({
        files,
        slug: options.slug,
        what: 'config',
        output: context.output(),
        context,
        save: async (slug, config) => {
          const path = `/configs/${encodeURIComponent(slug)}`;
          const answer = (await recordExists(admin, path))
            ? await admin.call<{ version: number; version_id: string }>('PUT', path, { config })
            : await admin.call<{ version_id: string }>('POST', '/configs', {
                slug,
                name: options.name ?? slug,
                config,
              });
          const version = 'version' in answer ? answer.version : 1;
          return {
            result: { slug, version, version_id: answer.version_id },
            said: `${slug}: version ${version} (${answer.version_id})`,
          };
        },
      });
    });

  configs
    .command('list')
    .description(
      'list saved configs: the served version, when it last changed, the settings file of a file-managed one',
    )
    .action(async () => {
      const output = context.output();
      const list = await context.admin().call<{ data: ConfigObject[] }>('GET', '/configs');
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      printTable(
        output,
        ['slug', 'name', 'version', 'status', 'updated', 'managed by'],
        list.data.map((config) => [
          config.slug,
          config.name,
          config.version,
          config.status,
          config.last_updated_at,
          config.managed_by,
        ]),
      );
    });

  registerRmCommand(configs, context, {
    noun: 'config',
    description: 'delete a saved config and its versions (requests that name it then get 404)',
    path: (slug) => `/configs/${encodeURIComponent(slug)}`,
  });

  configs
    .command('get')
    .description('print a saved config as JSON (the latest version, or the one --at names)')
    .argument('<slug>', 'the saved config')
    .option('--at <version>', 'an earlier version: its number (see pk configs history)')
    .action(async (slug: string, options: { at?: string }) => {
      const output = context.output();
      const admin = context.admin();
      if (options.at === undefined) {
        const config = await admin.call<{ config: unknown }>('GET', `/configs/${encodeURIComponent(slug)}`);
        printJson(output, output.json ? config : config.config);
        return;
      }
      const versions = await admin.call<{ data: ConfigVersion[] }>(
        'GET',
        `/configs/${encodeURIComponent(slug)}/versions`,
      );
      const found = versions.data.find((version) => String(version.version) === options.at);
      if (!found)
        throw new CliError(`the saved config "${slug}" has no version ${options.at}`, EXIT.notFound);
      printJson(output, output.json ? found : found.config);
    });

  configs
    .command('history')
    .description('list the versions of a saved config, newest first')
    .argument('<slug>', 'the saved config')
    .action(async (slug: string) => {
      const output = context.output();
      const versions = await context
        .admin()
        .call<{ data: ConfigVersion[] }>('GET', `/configs/${encodeURIComponent(slug)}/versions`);
      if (output.json) {
        printJson(output, versions.data);
        return;
      }
      const numbers = new Map(versions.data.map((version) => [version.version_id, version.version]));
      printTable(
        output,
        ['version', 'version id', 'created', 'by', 'restores', 'served'],
        versions.data.map((version) => [
          version.version,
          version.version_id,
          version.created_at,
          version.created_by,
          version.restored_from_version_id === null
            ? null
            : `v${numbers.get(version.restored_from_version_id) ?? '?'}`,
          version.is_latest ? 'yes' : '',
        ]),
      );
    });

  configs
    .command('rollback')
    .description(
      "serve an earlier version's content again (saved as a new version; the history keeps every step)",
    )
    .argument('<slug>', 'the saved config')
    .argument('<version>', 'the version number, or its version id')
    .action(async (slug: string, version: string) => {
      const output = context.output();
      const answer = await context
        .admin()
        .call<{ version: number; version_id: string }>(
          'POST',
          `/configs/${encodeURIComponent(slug)}/versions/${encodeURIComponent(version)}/restore`,
        );
      if (output.json) printJson(output, answer);
      else line(output, `${slug}: version ${answer.version} now serves the content of version ${version}`);
    });
}
