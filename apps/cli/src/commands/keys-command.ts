import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { line, printJson, printTable } from '../output.js';
import { type BudgetOptions, budgetOptions, registerBudgetCommand, usageLimitsOfOptions } from './budget.js';
import {
  type RateLimitOptions,
  rateLimitOptions,
  rateLimitsOfOptions,
  registerRateLimitsCommand,
} from './rate-limits.js';

interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly tenant: string;
  readonly status: string;
  readonly key: string | null;
  readonly last_used_at: string | null;
  readonly managed_by: string | null;
  /** When the key stops working (ISO 8601), or null: never. */
  readonly expires_at?: string | null;
}

interface CreateOptions extends BudgetOptions, RateLimitOptions {
  readonly name?: string;
  readonly admin?: boolean;
  readonly tenant?: string;
  readonly description?: string;
  readonly scope?: string[];
  readonly virtualKey?: string[];
  readonly config?: string[];
  readonly expiresAt?: string;
}

/** `pk keys create|list|revoke|budget|rate-limits|reset-usage`: gateway keys through the admin API (`/v1/api-keys`). */
export function registerKeys(program: Command, context: CommandContext): void {
  const keys = program.command('keys').description('gateway keys: who may call the gateway');

  const [budget, budgetType, budgetReset] = budgetOptions();
  const [rateLimit, tokenLimit] = rateLimitOptions();
  keys
    .command('create')
    .description('create a gateway key (a user key unless --admin); prints its secret once, alone on stdout')
    .option('--name <name>', 'a name shown in lists')
    .option('--admin', 'an admin key: may use the admin API (Portkey organisation/service key)')
    .option(
      '--tenant <tenant>',
      'the tenant (default: the key id); keys of one tenant share cache entries and limits',
    )
    .option('--description <text>', 'free text shown in lists')
    .option(
      '--scope <scope...>',
      "scopes: metrics (may read GET /metrics, any role), or an admin key's admin API scopes, e.g. configs.read (none: all)",
    )
    .option('--virtual-key <slug...>', 'the only virtual keys this key may use (default: all)')
    .option('--config <slug...>', 'the only saved configs this key may use (default: all)')
    .option('--expires-at <time>', 'when the key stops working (ISO 8601)')
    .addOption(budget)
    .addOption(budgetType)
    .addOption(budgetReset)
    .addOption(rateLimit)
    .addOption(tokenLimit)
    .action(async (options: CreateOptions) => {
      const output = context.output();
      const usageLimits = usageLimitsOfOptions(options);
      const rateLimits = rateLimitsOfOptions(options);
      const type = options.admin ? 'organisation/service' : 'workspace/service';
      const created = await context.admin().call<{ id: string; key: string }>('POST', `/api-keys/${type}`, {
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.description === undefined ? {} : { description: options.description }),
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        ...(options.scope === undefined ? {} : { scopes: options.scope }),
        ...(options.virtualKey === undefined ? {} : { virtual_keys: options.virtualKey }),
        ...(options.config === undefined ? {} : { configs: options.config }),
        ...(options.expiresAt === undefined ? {} : { expires_at: options.expiresAt }),
        ...(usageLimits === undefined ? {} : { usage_limits: usageLimits }),
        ...(rateLimits === undefined ? {} : { rate_limits: rateLimits }),
      });
      if (output.json) {
        printJson(output, { id: created.id, role: options.admin ? 'admin' : 'user', key: created.key });
        return;
      }
      output.stderr.write(
        `created ${options.admin ? 'admin' : 'user'} key ${created.id}. It is shown once, below: store it now.\n`,
      );
      line(output, created.key);
    });

  keys
    .command('list')
    .description('list gateway keys (never their secrets)')
    .option('--all', 'include revoked keys')
    .action(async (options: { all?: boolean }) => {
      const output = context.output();
      const list = await context
        .admin()
        .call<{ data: ApiKey[] }>('GET', `/api-keys${options.all ? '?include_revoked=true' : ''}`);
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      printTable(
        output,
        ['id', 'name', 'role', 'tenant', 'status', 'expires', 'key', 'last used', 'managed by'],
        list.data.map((key) => [
          key.id,
          key.name,
          key.role,
          key.tenant,
          key.status,
          key.expires_at ?? 'never',
          key.key,
          key.last_used_at,
          key.managed_by,
        ]),
      );
    });

  keys
    .command('revoke')
    .description(
      'revoke a gateway key: refused by every replica within a second (it stays listed with --all)',
    )
    .argument('<id>', 'the key id (see pk keys list)')
    .action(async (id: string) => {
      const output = context.output();
      await context.admin().call('DELETE', `/api-keys/${encodeURIComponent(id)}`);
      if (output.json) printJson(output, { id, status: 'revoked' });
      else line(output, `revoked key ${id}`);
    });

  keys
    .command('reset-usage')
    .description(
      "start a key's budget period again: spend, tokens and requests back to 0, an exhausted key active (audited)",
    )
    .argument('<id>', 'the key id (see pk keys list)')
    .action(async (id: string) => {
      const output = context.output();
      await context.admin().call('PUT', `/api-keys/${encodeURIComponent(id)}`, { reset_usage: true });
      if (output.json) printJson(output, { id, usage_reset: true });
      else line(output, `reset the usage of key ${id}`);
    });

  const gatewayKey = {
    noun: 'gateway key',
    argument: '<id>',
    path: (id: string) => `/api-keys/${encodeURIComponent(id)}`,
  };
  registerBudgetCommand(keys, context, gatewayKey);
  registerRateLimitsCommand(keys, context, gatewayKey);
}
