import { Command } from 'commander';
import { createAdminClient } from './admin-client.js';
import type { CommandContext } from './command-context.js';
import { registerBreakers } from './commands/breakers-command.js';
import { registerConfigs } from './commands/configs-command.js';
import { registerGuardrails } from './commands/guardrails-command.js';
import { registerInit } from './commands/init-command.js';
import { registerIntegrations } from './commands/integrations-command.js';
import { registerKeys } from './commands/keys-command.js';
import { registerLogs } from './commands/logs-command.js';
import { registerPrompts } from './commands/prompts-command.js';
import { registerVault } from './commands/vault-command.js';
import { registerVirtualKeys } from './commands/vk-command.js';
import type { Output } from './output.js';
import { VERSION } from './version.js';

/** What the program needs from the process. */
export interface ProgramIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Output['stdout'];
  readonly stderr: Output['stderr'];
  readonly readStdin: (purpose?: 'secret') => Promise<string>;
  /** Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. */
  readonly onInterrupt: (handler: () => void) => () => void;
}

const ENVIRONMENT_HELP = `
Environment:
  PK_URL           the gateway (default http://127.0.0.1:8787; a trailing /v1 is fine)
  PK_ADMIN_KEY     an admin key (from pk init or pk keys create --admin), sent as x-portkey-api-key
  PK_DATABASE_URL, PK_DATA_DIR, PK_MASTER_KEY
                   the data store, as the gateway reads them (pk init and pk vault rotate only)

Exit codes: 0 done, 1 the gateway or store failed or is unreachable, 2 wrong command line,
  3 no admin key or refused (401/403), 4 not found, 5 conflict (exists, settings-file record),
  6 input refused by the gateway (400), 130 interrupted (Ctrl-C; a running log export is cancelled).`;

/**
 * The `pk` command line (commander 14): every command with its own `--help`; results on stdout
 * (`--json` for scripts), progress and errors on stderr.
 */
export function createProgram(io: ProgramIo): Command {
  const program = new Command('pk');
  const context: CommandContext = {
    env: io.env,
    readStdin: io.readStdin,
    onInterrupt: io.onInterrupt,
    output: () => ({
      stdout: io.stdout,
      stderr: io.stderr,
      json: program.opts<{ json?: boolean }>().json === true,
    }),
    admin: () => createAdminClient(io.env),
  };
  program
    .description(
      "pk's admin command: gateway keys, virtual keys, integrations, saved configs, guardrails, prompts, circuit breakers, log exports and the vault",
    )
    .version(VERSION, '-v, --version')
    .option('--json', 'print results as JSON')
    .addHelpText('after', ENVIRONMENT_HELP)
    .showHelpAfterError('(pk <command> --help shows how to use it)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();
  registerInit(program, context);
  registerKeys(program, context);
  registerVirtualKeys(program, context);
  registerIntegrations(program, context);
  registerConfigs(program, context);
  registerBreakers(program, context);
  registerGuardrails(program, context);
  registerPrompts(program, context);
  registerLogs(program, context);
  registerVault(program, context);
  // Subcommands, at every level, parse like the program: usage errors are thrown, not exited.
  const throwOnUsageErrors = (commands: readonly Command[]): void => {
    for (const command of commands) {
      command.exitOverride();
      throwOnUsageErrors(command.commands);
    }
  };
  throwOnUsageErrors(program.commands);
  return program;
}
