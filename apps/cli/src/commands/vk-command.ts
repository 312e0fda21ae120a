import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { line, printJson, printTable } from '../output.js';
import { readSecret, SECRET_SOURCES } from '../secret-source.js';
import { type BudgetOptions, budgetOptions, registerBudgetCommand, usageLimitsOfOptions } from './budget.js';
import { registerRmCommand } from './json-records.js';
import { providerOptionsOf } from './provider-options.js';
import {
  type RateLimitOptions,
  rateLimitOptions,
  rateLimitsOfOptions,
  registerRateLimitsCommand,
} from './rate-limits.js';

interface VirtualKey {
  readonly slug: string;
  readonly name: string;
  readonly provider: string;
  readonly masked_api_key: string | null;
  readonly status: string;
  readonly managed_by: string | null;
  /** The integration a provider was made from (its key is replaced there). */
  readonly integration_id?: string | null;
  /** When the key stops working (ISO 8601), or null: never. */
  readonly expires_at?: string | null;
}

interface AddOptions extends BudgetOptions, RateLimitOptions {
  readonly provider: string;
  readonly name?: string;
  readonly key?: string;
  readonly option?: string[];
  readonly model?: string[];
  readonly allowedHost?: string[];
  readonly note?: string;
  readonly expiresAt?: string;
}

/** `pk vk add|list|replace-key|rm|disable|enable|budget|rate-limits|reset-usage`: virtual keys through the admin API; secrets from env:, file: or stdin only. */
export function registerVirtualKeys(program: Command, context: CommandContext): void {
  const vk = program
    .command('vk')
    .description('virtual keys: provider credentials stored encrypted, named by slug');

  const [budget, budgetType, budgetReset] = budgetOptions();
  const [rateLimit, tokenLimit] = rateLimitOptions();
  vk.command('add')
    .description(
      `store a provider credential under a slug; the secret comes from ${SECRET_SOURCES}, never the command line`,
    )
    .argument('<slug>', 'what requests name: x-portkey-virtual-key, @slug, virtual_key in a config')
    .requiredOption('--provider <id>', "Portkey's provider id (openai, anthropic, azure-openai, bedrock …)")
    .option('--name <name>', 'a name shown in lists (default: the slug)')
    .option('--key <source>', `the provider API key: ${SECRET_SOURCES}`)
    .option(
      '--option <name=value...>',
      'provider options (resource_name=…, aws_region=…); credential options take env:/file:/- like --key',
    )
    .option('--model <id...>', 'model ids GET /v1/models lists for this key')
    .option('--allowed-host <host...>', 'custom hosts (besides the provider) this credential may be sent to')
    .option('--note <text>', 'free text')
    .option('--expires-at <time>', 'when the key stops working (ISO 8601); requests then get 401')
    .addOption(budget)
    .addOption(budgetType)
    .addOption(budgetReset)
    .addOption(rateLimit)
    .addOption(tokenLimit)
    .action(async (slug: string, options: AddOptions) => {
      const output = context.output();
      const usageLimits = usageLimitsOfOptions(options);
      const rateLimits = rateLimitsOfOptions(options);
      // Before a secret is asked for at the terminal, not after it was typed.
      context.admin().checkKey();
      const key = options.key === undefined ? undefined : await readSecret(options.key, '--key', context);
      const providerOptions = await providerOptionsOf(options.option ?? [], context);
      const created = await context.admin().call<{ id: string; slug: string }>('POST', '/virtual-keys', {
        slug,
        name: options.name ?? slug,
        provider: options.provider,
        ...(key === undefined ? {} : { key }),
        ...(Object.keys(providerOptions).length === 0 ? {} : { options: providerOptions }),
        ...(options.model === undefined ? {} : { models: options.model }),
        ...(options.allowedHost === undefined ? {} : { allowed_hosts: options.allowedHost }),
        ...(options.note === undefined ? {} : { note: options.note }),
        ...(options.expiresAt === undefined ? {} : { expires_at: options.expiresAt }),
        ...(usageLimits === undefined ? {} : { usage_limits: usageLimits }),
        ...(rateLimits === undefined ? {} : { rate_limits: rateLimits }),
      });
      if (output.json) printJson(output, created);
      else line(output, `added virtual key ${created.slug} (${options.provider})`);
    });

  vk.command('list')
    .description('list virtual keys (secrets only masked)')
    .action(async () => {
      const output = context.output();
      const list = await context.admin().call<{ data: VirtualKey[] }>('GET', '/virtual-keys');
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      printTable(
        output,
        ['slug', 'provider', 'name', 'key', 'status', 'expires', 'integration', 'managed by'],
        list.data.map((key) => [
          key.slug,
          key.provider,
          key.name,
          key.masked_api_key,
          key.status,
          key.expires_at ?? 'never',
          key.integration_id ?? null,
          key.managed_by,
        ]),
      );
    });

  vk.command('replace-key')
    .description(
      `replace the provider API key a virtual key holds (rotation; requests use the new one at once); from ${SECRET_SOURCES}`,
    )
    .argument('<slug>', 'the virtual key')
    .requiredOption('--key <source>', `the new provider API key: ${SECRET_SOURCES}`)
    .action(async (slug: string, options: { key: string }) => {
      const output = context.output();
      // Before a secret is asked for at the terminal, not after it was typed.
      context.admin().checkKey();
      const key = await readSecret(options.key, '--key', context);
      await context.admin().call('PUT', `/virtual-keys/${encodeURIComponent(slug)}`, { key });
      if (output.json) printJson(output, { slug, key_replaced: true });
      else line(output, `replaced the provider key of virtual key ${slug}`);
    });

  registerRmCommand(vk, context, {
    noun: 'virtual key',
    description: 'delete a virtual key (refused while a saved config uses it)',
    path: (slug) => `/virtual-keys/${encodeURIComponent(slug)}`,
  });

  vk.command('reset-usage')
    .description(
      "start a virtual key's budget period again: spend, tokens and requests back to 0, an exhausted key active (audited)",
    )
    .argument('<slug>', 'the virtual key')
    .action(async (slug: string) => {
      const output = context.output();
      await context.admin().call('PUT', `/virtual-keys/${encodeURIComponent(slug)}`, { reset_usage: true });
      if (output.json) printJson(output, { slug, usage_reset: true });
      else line(output, `reset the usage of virtual key ${slug}`);
    });

  for (const [command, status, done, description] of [
    [
      'disable',
      'disabled',
      'disabled',
      'stop a virtual key without deleting it: requests naming it get 401 until it is enabled (audited)',
    ],
    ['enable', 'active', 'enabled', 'serve a disabled virtual key again (audited)'],
  ] as const) {
    vk.command(command)
      .description(description)
      .argument('<slug>', 'the virtual key')
      .action(async (slug: string) => {
        const output = context.output();
        await context.admin().call('PUT', `/virtual-keys/${encodeURIComponent(slug)}`, { status });
        if (output.json) printJson(output, { slug, status });
        else line(output, `${done} virtual key ${slug}`);
      });
  }

  const virtualKey = {
    noun: 'virtual key',
    argument: '<slug>',
    path: (slug: string) => `/virtual-keys/${encodeURIComponent(slug)}`,
  };
  registerBudgetCommand(vk, context, virtualKey);
  registerRateLimitsCommand(vk, context, virtualKey);
}
