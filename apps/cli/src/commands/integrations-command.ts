import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { line, printJson, printTable } from '../output.js';
import { readSecret, SECRET_SOURCES } from '../secret-source.js';
import { type BudgetOptions, budgetOptions, usageLimitsOfOptions } from './budget.js';
import { registerRmCommand } from './json-records.js';
import { providerOptionsOf } from './provider-options.js';
import { type RateLimitOptions, rateLimitOptions, rateLimitsOfOptions } from './rate-limits.js';

interface Integration {
  readonly slug: string;
  readonly name: string;
  readonly ai_provider_id: string;
  readonly masked_key: string | null;
  readonly providers: readonly string[];
}

interface AddOptions {
  readonly provider: string;
  readonly name?: string;
  readonly key?: string;
  readonly option?: string[];
  readonly description?: string;
  /** commander's `--no-default-provider`. */
  readonly defaultProvider: boolean;
  readonly providerSlug?: string;
}

interface AddProviderOptions extends BudgetOptions, RateLimitOptions {
  readonly name?: string;
  readonly note?: string;
}

/**
 * `pk integrations add|list|replace-key|add-provider|rm`: Portkey's model catalog through the admin
 * API. An integration holds a provider key once; its providers (virtual keys, listed by `pk vk list`)
 * each have a slug and limits of their own. Secrets from env:, file: or stdin only.
 */
export function registerIntegrations(program: Command, context: CommandContext): void {
  const integrations = program
    .command('integrations')
    .description(
      "integrations: a provider key held once, and the providers made from it (Portkey's model catalog)",
    );

  integrations
    .command('add')
    .description(
      `store a provider key once, with a provider of the same slug (requests name it as @slug/model); the secret comes from ${SECRET_SOURCES}`,
    )
    .argument('<slug>', "the integration's slug (and its first provider's)")
    .requiredOption('--provider <id>', "Portkey's provider id (openai, anthropic, azure-openai, bedrock …)")
    .option('--name <name>', 'a name shown in lists (default: the slug)')
    .option('--key <source>', `the provider API key: ${SECRET_SOURCES}`)
    .option(
      '--option <name=value...>',
      'provider options (custom_host=…, resource_name=…); credential options take env:/file:/- like --key',
    )
    .option('--description <text>', 'free text')
    .option('--provider-slug <slug>', "the first provider's slug (default: the integration's)")
    .option('--no-default-provider', 'make no provider now (add them with add-provider)')
    .action(async (slug: string, options: AddOptions) => {
      const output = context.output();
      // Before a secret is asked for at the terminal, not after it was typed.
      context.admin().checkKey();
      const key = options.key === undefined ? undefined : await readSecret(options.key, '--key', context);
      const configurations = await providerOptionsOf(options.option ?? [], context);
      const created = await context.admin().call<{ id: string; slug: string }>('POST', '/integrations', {
        slug,
        name: options.name ?? slug,
        ai_provider_id: options.provider,
        ...(key === undefined ? {} : { key }),
        ...(Object.keys(configurations).length === 0 ? {} : { configurations }),
        ...(options.description === undefined ? {} : { description: options.description }),
        create_default_provider: options.defaultProvider,
        ...(options.providerSlug === undefined ? {} : { default_provider_slug: options.providerSlug }),
      });
      if (output.json) printJson(output, created);
      else if (!options.defaultProvider)
        line(output, `added integration ${created.slug} (${options.provider}), no provider yet`);
      else {
        const provider = options.providerSlug ?? created.slug;
        line(
          output,
          `added integration ${created.slug} (${options.provider}) and its provider ${provider}: name it as @${provider}/<model>`,
        );
      }
    });

  integrations
    .command('list')
    .description('list integrations (keys only masked) and the providers made from each')
    .action(async () => {
      const output = context.output();
      const list = await context.admin().call<{ data: Integration[] }>('GET', '/integrations');
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      printTable(
        output,
        ['slug', 'provider', 'name', 'key', 'providers'],
        list.data.map((integration) => [
          integration.slug,
          integration.ai_provider_id,
          integration.name,
          integration.masked_key,
          integration.providers.join(', '),
        ]),
      );
    });

  integrations
    .command('replace-key')
    .description(
      `replace an integration's provider key: every provider made from it uses the new one at once; from ${SECRET_SOURCES}`,
    )
    .argument('<slug>', 'the integration')
    .requiredOption('--key <source>', `the new provider API key: ${SECRET_SOURCES}`)
    .action(async (slug: string, options: { key: string }) => {
      const output = context.output();
      // Before a secret is asked for at the terminal, not after it was typed.
      context.admin().checkKey();
      const key = await readSecret(options.key, '--key', context);
      await context.admin().call('PUT', `/integrations/${encodeURIComponent(slug)}`, { key });
      if (output.json) printJson(output, { slug, key_replaced: true });
      else line(output, `replaced the provider key of integration ${slug} (and of its providers)`);
    });

  const [budget, budgetType, budgetReset] = budgetOptions();
  const [rateLimit, tokenLimit] = rateLimitOptions();
  integrations
    .command('add-provider')
    .description('make a provider from an integration: its key, a slug and limits of its own')
    .argument('<integration>', 'the integration')
    .argument('<slug>', 'the new provider (requests name it as @slug/model)')
    .option('--name <name>', 'a name shown in lists (default: the slug)')
    .option('--note <text>', 'free text')
    .addOption(budget)
    .addOption(budgetType)
    .addOption(budgetReset)
    .addOption(rateLimit)
    .addOption(tokenLimit)
    .action(async (integration: string, slug: string, options: AddProviderOptions) => {
      const output = context.output();
      const usageLimits = usageLimitsOfOptions(options);
      const rateLimits = rateLimitsOfOptions(options);
      const created = await context.admin().call<{ id: string; slug: string }>('POST', '/providers', {
        integration_id: integration,
        slug,
        name: options.name ?? slug,
        ...(options.note === undefined ? {} : { note: options.note }),
        ...(usageLimits === undefined ? {} : { usage_limits: usageLimits }),
        ...(rateLimits === undefined ? {} : { rate_limits: rateLimits }),
      });
      if (output.json) printJson(output, created);
      else
        line(
          output,
          `added provider ${created.slug} to integration ${integration}: name it as @${created.slug}/<model>`,
        );
    });

  registerRmCommand(integrations, context, {
    noun: 'integration',
    description: 'delete an integration (refused while providers made from it remain: pk vk rm them first)',
    path: (slug) => `/integrations/${encodeURIComponent(slug)}`,
  });
}
