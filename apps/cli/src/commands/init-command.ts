import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { line, printJson } from '../output.js';

/**
 * `pk init`: the first admin key, written to the data store directly (no gateway call: without an
 * admin key there is nothing to call the admin API with). Refused when an admin key exists.
 */
export function registerInit(program: Command, context: CommandContext): void {
  program
    .command('init')
    .description(
      'create the first admin key, offline, in the data store (PK_DATABASE_URL or PK_DATA_DIR, PK_MASTER_KEY); prints it once',
    )
    .option('--name <name>', 'a name for the key', 'admin')
    .action(async (options: { name: string }) => {
      const output = context.output();
      // Loaded here: the store (database drivers) is not needed by the other commands or --help.
      const { openStoreFromEnvironment, storeLocationOf } = await import('../open-store-from-environment.js');
      output.stderr.write(`opening ${storeLocationOf(context.env)} (migrating it if needed)…\n`);
      const store = await openStoreFromEnvironment(context.env, (message) =>
        output.stderr.write(`pk: ${message}\n`),
      );
      try {
        if (await store.gatewayKeys.hasAdmin()) {
          throw new CliError(
            'an admin key already exists in this store: use it (PK_ADMIN_KEY) to create more with `pk keys create --admin`',
            EXIT.conflict,
          );
        }
        const { record, secret } = await store.gatewayKeys.create(
          { name: options.name, role: 'admin', attributes: { type: 'organisation-service' } },
          'cli',
        );
        if (output.json) {
          printJson(output, { id: record.id, name: record.name, role: record.role, key: secret });
          return;
        }
        output.stderr.write(
          `created admin key ${record.id} (${record.name}). It is shown once, below: store it now.\n` +
            'Use it with the CLI as PK_ADMIN_KEY, and with the SDK as the API key of admin scripts.\n',
        );
        line(output, secret);
      } finally {
        await store.close();
      }
    });
}
