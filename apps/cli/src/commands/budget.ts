import type { UsageLimits } from '@pk/store';
import { type Command, Option } from 'commander';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { line, printJson } from '../output.js';

/** A key's `current_usage` as the admin API answers it. */
interface CurrentUsage {
  readonly tracked: boolean;
  readonly period_start: string | null;
  readonly period_end: string | null;
  readonly cost_usd: number | null;
  readonly tokens: number | null;
  readonly requests: number | null;
}

/** What a create command's budget options give (`--budget`, `--budget-type`, `--budget-reset`). */
export interface BudgetOptions {
  readonly budget?: string;
  readonly budgetType?: string;
  readonly budgetReset?: string;
}

const RESET_HELP = 'monthly (the 1st, UTC), weekly (Monday, UTC), never, or Nd (every N days, 1-365)';

/** The create commands' `--budget`, `--budget-type` and `--budget-reset` (new ones for each command). */
export function budgetOptions(): readonly [Option, Option, Option] {
  return [
    new Option(
      '--budget <limit>',
      'a budget: requests are refused (412) once it is used up (USD unless --budget-type)',
    ),
    new Option('--budget-type <type>', 'what the budget counts: cost (USD, the default) or tokens'),
    new Option('--budget-reset <when>', `when the budget starts again: ${RESET_HELP}; default monthly`),
  ];
}

function limitOf(text: string, flag: string): number {
  const limit = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(limit) || limit <= 0) {
    throw new CliError(`${flag}: expected a number above 0, got ${JSON.stringify(text)}`, EXIT.usage);
  }
  return limit;
}

function typeOf(text: string, flag: string): 'cost' | 'tokens' {
  if (text === 'cost' || text === 'tokens') return text;
  throw new CliError(`${flag}: expected cost or tokens, got ${JSON.stringify(text)}`, EXIT.usage);
}

/** The reset fields of `--budget-reset` / `--reset`: exactly one of a calendar reset or a number of days. */
function resetOf(
  text: string,
  flag: string,
): Pick<UsageLimits, 'periodic_reset'> & { periodic_reset_days?: number } {
  if (text === 'monthly' || text === 'weekly') return { periodic_reset: text };
  if (text === 'never') return { periodic_reset: null };
  const days = /^(\d{1,3})d$/.exec(text);
  const count = days ? Number(days[1]) : 0;
  if (count >= 1 && count <= 365) return { periodic_reset: null, periodic_reset_days: count };
  throw new CliError(`${flag}: expected ${RESET_HELP}, got ${JSON.stringify(text)}`, EXIT.usage);
}

/** The `usage_limits` of a create command's options (undefined without `--budget`). */
export function usageLimitsOfOptions(options: BudgetOptions): UsageLimits | undefined {
  if (options.budget === undefined) {
    if (options.budgetType !== undefined || options.budgetReset !== undefined) {
      throw new CliError('--budget-type and --budget-reset go with --budget <limit>', EXIT.usage);
    }
    return undefined;
  }
  return {
    credit_limit: limitOf(options.budget, '--budget'),
    type: options.budgetType === undefined ? 'cost' : typeOf(options.budgetType, '--budget-type'),
    ...resetOf(options.budgetReset ?? 'monthly', '--budget-reset'),
  };
}

/**
 * A key's budget changed by `pk … budget <id> [limit] [--type] [--reset]`: what is not given stays as
 * it is (a new budget counts USD and starts again monthly), as do the fields the CLI does not set; an
 * `alert_threshold` is dropped when the unit changes (it counts in the old one), and
 * `next_usage_reset_at` is the gateway's to work out.
 */
export function changedUsageLimits(
  current: UsageLimits | null,
  change: { readonly limit?: string; readonly type?: string; readonly reset?: string },
): UsageLimits {
  if (change.limit === undefined && current === null) {
    throw new CliError('the key has no budget: give its limit', EXIT.usage);
  }
  const {
    next_usage_reset_at: _next,
    periodic_reset: calendar,
    periodic_reset_days: days,
    alert_threshold: alert,
    ...kept
  } = current ?? { credit_limit: 0 };
  const type = change.type === undefined ? (current?.type ?? 'cost') : typeOf(change.type, '--type');
  const reset =
    change.reset !== undefined
      ? resetOf(change.reset, '--reset')
      : current === null
        ? resetOf('monthly', '--reset')
        : days
          ? { periodic_reset: null, periodic_reset_days: days }
          : { periodic_reset: calendar ?? null };
  const sameUnit = (current?.type ?? 'cost') === type;
  return {
    ...kept,
    credit_limit: change.limit === undefined ? kept.credit_limit : limitOf(change.limit, 'limit'),
    type,
    ...reset,
    ...(alert !== undefined && sameUnit ? { alert_threshold: alert } : {}),
  };
}

const tokenCount = new Intl.NumberFormat('en-US');
const dollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
});
const spend = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});

/** "2,000 tokens a week", "$10.00 a month", "$5.00 every 30 days", "$5.00, never reset", "none". */
export function budgetText(limits: UsageLimits | null): string {
  if (!limits) return 'none';
  const amount =
    limits.type === 'tokens'
      ? `${tokenCount.format(limits.credit_limit)} tokens`
      : dollars.format(limits.credit_limit);
  if (limits.periodic_reset === 'monthly') return `${amount} a month`;
  if (limits.periodic_reset === 'weekly') return `${amount} a week`;
  if (limits.periodic_reset_days) return `${amount} every ${limits.periodic_reset_days} days`;
  return `${amount}, never reset`;
}

function counted(count: number | null, noun: string): string {
  return `${tokenCount.format(count ?? 0)} ${noun}${count === 1 ? '' : 's'}`;
}

function usageText(usage: CurrentUsage | undefined): string {
  if (!usage?.tracked) return 'not tracked (the limits store cannot be read)';
  const since = usage.period_start ? ` since ${usage.period_start}` : '';
  return `${spend.format(usage.cost_usd ?? 0)}, ${counted(usage.tokens, 'token')}, ${counted(usage.requests, 'request')}${since}`;
}

/**
 * `pk <vk|keys> budget <id> [limit]`: prints a key's budget and what it used of it in the current
 * period, or sets it (`limit`, `--type`, `--reset`: what is not given stays), or removes it (`none`).
 */
export function registerBudgetCommand(
  parent: Command,
  context: CommandContext,
  key: { readonly noun: string; readonly argument: string; readonly path: (id: string) => string },
): void {
  parent
    .command('budget')
    .description(
      `show a ${key.noun}'s budget and its use this period, or change it (limit, --type, --reset) or remove it (none)`,
    )
    .argument(key.argument, `the ${key.noun}`)
    .argument('[limit]', 'the new limit (USD, or tokens with --type tokens), or none to remove the budget')
    .option('--type <type>', 'what the budget counts: cost (USD) or tokens')
    .option('--reset <when>', `when it starts again: ${RESET_HELP}`)
    .action(async (id: string, limit: string | undefined, options: { type?: string; reset?: string }) => {
      const output = context.output();
      const admin = context.admin();
      const path = key.path(id);
      if (limit === 'none') {
        if (options.type !== undefined || options.reset !== undefined) {
          throw new CliError('none removes the budget: --type and --reset do not go with it', EXIT.usage);
        }
        await admin.call('PUT', path, { usage_limits: null });
        if (output.json) printJson(output, { id, usage_limits: null });
        else line(output, `removed the budget of ${key.noun} ${id}`);
        return;
      }
      const record = await admin.call<{
        usage_limits: UsageLimits | null;
        current_usage?: CurrentUsage;
        status: string;
      }>('GET', path);
      if (limit === undefined && options.type === undefined && options.reset === undefined) {
        if (output.json) {
          printJson(output, {
            id,
            status: record.status,
            usage_limits: record.usage_limits,
            current_usage: record.current_usage ?? null,
          });
          return;
        }
        line(output, `budget      ${budgetText(record.usage_limits)}`);
        if (record.usage_limits) line(output, `used        ${usageText(record.current_usage)}`);
        line(output, `status      ${record.status}`);
        if (record.current_usage?.period_end) line(output, `next reset  ${record.current_usage.period_end}`);
        return;
      }
      const changed = changedUsageLimits(record.usage_limits ?? null, {
        ...(limit === undefined ? {} : { limit }),
        ...(options.type === undefined ? {} : { type: options.type }),
        ...(options.reset === undefined ? {} : { reset: options.reset }),
      });
      await admin.call('PUT', path, { usage_limits: changed });
      if (output.json) printJson(output, { id, usage_limits: changed });
      else line(output, `the budget of ${key.noun} ${id} is now ${budgetText(changed)}`);
    });
}
