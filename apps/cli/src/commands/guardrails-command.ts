import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { printJson, printTable } from '../output.js';
import { pushEachFile, recordExists, registerRmCommand } from './json-records.js';

interface Guardrail {
  readonly slug: string;
  readonly name: string;
  readonly type: string;
  readonly checks: readonly { readonly id: string }[];
  readonly actions: { readonly deny: boolean };
  readonly definition: unknown;
  readonly managed_by: string | null;
  readonly last_updated_at: string | null;
}

/**
 * `pk guardrails push|list|get|rm`: guardrails defined once in the store and named by slug from
 * configs, through the admin API. A file holds a guardrail's raw definition (`type`, `checks`,
 * `deny`, `async`, `sequential`, `on_fail`, `on_success`), pushed whole: a field left out of the file
 * is gone from the guardrail.
 */
export function registerGuardrails(program: Command, context: CommandContext): void {
  const guardrails = program
    .command('guardrails')
    .description('guardrails: checks defined once, named by slug from configs (input_guardrails: [slug])');

  guardrails
    .command('push')
    .description(
      'save guardrail files (JSON definitions): new guardrails, or the whole definition of existing ones; the slug is the file name unless --slug',
    )
    .argument('<file...>', 'definition files (- for stdin, with --slug)')
    .option('--slug <slug>', 'the slug (with one file)')
    .option('--name <name>', 'the name of a new guardrail (default: the slug)')
    .action(async (files: string[], options: { slug?: string; name?: string }) => {
      const admin = context.admin();
      await pushEachFile({
        files,
        slug: options.slug,
        what: 'guardrail',
        output: context.output(),
        context,
        save: async (slug, definition) => {
          const path = `/guardrails/${encodeURIComponent(slug)}`;
          const created = !(await recordExists(admin, path));
          const answer = created
            ? await admin.call<{ version_id: string }>('POST', '/guardrails', {
                slug,
                name: options.name ?? slug,
                definition,
              })
            : await admin.call<{ version_id: string }>('PUT', path, { definition });
          return {
            result: { slug, created, version_id: answer.version_id },
            said: `${slug}: ${created ? 'created' : 'replaced'} (${answer.version_id})`,
          };
        },
      });
    });

  guardrails
    .command('list')
    .description("list guardrails: the store's and the settings file's, with their checks")
    .action(async () => {
      const output = context.output();
      const list = await context.admin().call<{ data: Guardrail[] }>('GET', '/guardrails');
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      printTable(
        output,
        ['slug', 'name', 'checks', 'a failed check', 'updated', 'managed by'],
        list.data.map((guardrail) => [
          guardrail.slug,
          guardrail.name,
          guardrail.checks.map((check) => check.id),
          guardrail.type === 'mutator' ? 'mutates' : guardrail.actions.deny ? 'deny (446)' : 'flag (246)',
          guardrail.last_updated_at,
          guardrail.managed_by,
        ]),
      );
    });

  guardrails
    .command('get')
    .description("print a guardrail's definition as JSON (what push takes)")
    .argument('<slug>', 'the guardrail')
    .action(async (slug: string) => {
      const output = context.output();
      const guardrail = await context
        .admin()
        .call<Guardrail>('GET', `/guardrails/${encodeURIComponent(slug)}`);
      printJson(output, output.json ? guardrail : guardrail.definition);
    });

  registerRmCommand(guardrails, context, {
    noun: 'guardrail',
    description: 'delete a guardrail (refused while a saved config names it)',
    path: (slug) => `/guardrails/${encodeURIComponent(slug)}`,
  });
}
