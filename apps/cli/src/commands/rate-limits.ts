import type { RateLimit } from '@pk/store';
import { type Command, Option } from 'commander';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { line, printJson } from '../output.js';

/** A period as written on the command line, its Portkey unit, and how it reads. */
const PERIODS: readonly (readonly [string, RateLimit['unit'], string])[] = [
  ['second', 'rps', 'a second'],
  ['minute', 'rpm', 'a minute'],
  ['hour', 'rph', 'an hour'],
  ['day', 'rpd', 'a day'],
  ['week', 'rpw', 'a week'],
];
const PERIOD_HELP = 'N/second, N/minute, N/hour, N/day or N/week';

/** What a command's rate-limit options give (`--rate-limit`, `--token-limit`, each repeatable). */
export interface RateLimitOptions {
  readonly rateLimit?: string[];
  readonly tokenLimit?: string[];
}

/** `--rate-limit` and `--token-limit` (new ones for each command). */
export function rateLimitOptions(): readonly [Option, Option] {
  return [
    new Option(
      '--rate-limit <N/period...>',
      `at most N requests a period (${PERIOD_HELP}; 600/minute); more than one all apply; over it, 429`,
    ),
    new Option('--token-limit <N/period...>', `at most N tokens a period (${PERIOD_HELP}; 100000/day)`),
  ];
}

/** One `N/period` as Portkey's rate limit of `type`; a usage error naming the flag otherwise. */
export function rateLimitOf(text: string, type: RateLimit['type'], flag: string): RateLimit {
  const match = /^(\d{1,12})\/([a-z]+)$/.exec(text.trim());
  const period = PERIODS.find(([name]) => name === match?.[2]);
  if (!match || !period) {
    throw new CliError(
      `${flag}: expected ${PERIOD_HELP} (N a whole number), got ${JSON.stringify(text)}`,
      EXIT.usage,
    );
  }
  return { type, unit: period[1], value: Number(match[1]) };
}

/** The `rate_limits` of a command's options (undefined when neither option is given). */
export function rateLimitsOfOptions(options: RateLimitOptions): RateLimit[] | undefined {
  if (options.rateLimit === undefined && options.tokenLimit === undefined) return undefined;
  return [
    ...(options.rateLimit ?? []).map((text) => rateLimitOf(text, 'requests', '--rate-limit')),
    ...(options.tokenLimit ?? []).map((text) => rateLimitOf(text, 'tokens', '--token-limit')),
  ];
}

const count = new Intl.NumberFormat('en-US');

/** "600 requests a minute, 100,000 tokens a day", or "none". */
export function rateLimitsText(limits: readonly RateLimit[] | null | undefined): string {
  if (!limits || limits.length === 0) return 'none';
  return limits
    .map((limit) => {
      const per = PERIODS.find(([, unit]) => unit === limit.unit)?.[2] ?? limit.unit;
      return `${count.format(limit.value)} ${limit.type} ${per}`;
    })
    .join(', ');
}

/**
 * `pk <vk|keys> rate-limits <id> [none]`: prints a key's rate limits, or replaces them all with the
 * `--rate-limit` and `--token-limit` given (a limit of the same type and period keeps its other
 * fields, such as `on_store_failure`), or removes them (`none`).
 */
export function registerRateLimitsCommand(
  parent: Command,
  context: CommandContext,
  key: { readonly noun: string; readonly argument: string; readonly path: (id: string) => string },
): void {
  const [requests, tokens] = rateLimitOptions();
  parent
    .command('rate-limits')
    .description(
      `show a ${key.noun}'s rate limits, or replace them (--rate-limit, --token-limit) or remove them (none)`,
    )
    .argument(key.argument, `the ${key.noun}`)
    .argument('[none]', 'none removes every rate limit')
    .addOption(requests)
    .addOption(tokens)
    .action(async (id: string, none: string | undefined, options: RateLimitOptions) => {
      const output = context.output();
      const admin = context.admin();
      const path = key.path(id);
      const given = rateLimitsOfOptions(options);
      if (none !== undefined) {
        if (none !== 'none')
          throw new CliError(`expected none or nothing, got ${JSON.stringify(none)}`, EXIT.usage);
        if (given !== undefined)
          throw new CliError(
            'none removes the rate limits: --rate-limit and --token-limit do not go with it',
            EXIT.usage,
          );
        await admin.call('PUT', path, { rate_limits: null });
        if (output.json) printJson(output, { id, rate_limits: null });
        else line(output, `removed the rate limits of ${key.noun} ${id}`);
        return;
      }
      if (given === undefined) {
        const record = await admin.call<{ rate_limits: RateLimit[] | null }>('GET', path);
        if (output.json) printJson(output, { id, rate_limits: record.rate_limits });
        else line(output, `rate limits  ${rateLimitsText(record.rate_limits)}`);
        return;
      }
      // A limit of the same type and period keeps the fields the CLI does not set (on_store_failure).
      const current = (await admin.call<{ rate_limits: RateLimit[] | null }>('GET', path)).rate_limits ?? [];
      const limits = given.map((limit) => {
        const before = current.find((old) => old.type === limit.type && old.unit === limit.unit);
        return before ? { ...before, value: limit.value } : limit;
      });
      await admin.call('PUT', path, { rate_limits: limits });
      if (output.json) printJson(output, { id, rate_limits: limits });
      else line(output, `the rate limits of ${key.noun} ${id} are now ${rateLimitsText(limits)}`);
    });
}
