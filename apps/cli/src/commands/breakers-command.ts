import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { line, printJson, printTable } from '../output.js';

/** A breaker as `GET /v1/breakers` lists it. */
interface Breaker {
  readonly id: string;
  readonly state: 'open' | 'half_open' | 'counting';
  readonly open_until: string | null;
  /** Half-open with a probe request under way: when that probe expires. */
  readonly probe_until: string | null;
  readonly failures: number;
  readonly successes: number;
  readonly window_ends_at: string | null;
  readonly target_path: string | null;
  readonly target: Readonly<Record<string, unknown>> | null;
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * The config a breaker belongs to, in a few words: a saved config's slug with the tenant whose
 * requests it counts (each tenant has its own), or whose inline config.
 */
export function breakerConfigText(config: Breaker['config']): string {
  if (config.type === 'saved') {
    return config.tenant === undefined || config.tenant === null
      ? String(config.slug)
      : `${String(config.slug)} (tenant ${String(config.tenant)})`;
  }
  if (config.type === 'inline')
    return `inline (key ${String(config.gateway_key_name ?? config.gateway_key_id)})`;
  return 'unknown';
}

/** The target a breaker watches: its name, virtual key or provider, and model. */
export function breakerTargetText(breaker: Pick<Breaker, 'target' | 'target_path'>): string {
  const target = breaker.target ?? {};
  const parts = [
    target.name,
    target.virtual_key ? `@${String(target.virtual_key)}` : target.provider,
    target.model,
  ]
    .filter((part) => typeof part === 'string' && part !== '')
    .map(String);
  return [breaker.target_path, ...parts].filter(Boolean).join(' ');
}

/**
 * `pk breakers list|close`: the circuit breakers open now or counting failures (pk's
 * `GET /v1/breakers`), and closing one so the next request tries its target again.
 */
export function registerBreakers(program: Command, context: CommandContext): void {
  const breakers = program
    .command('breakers')
    .description("circuit breakers: the targets a config's cb_config is skipping now, and closing one");

  breakers
    .command('list')
    .description('list the breakers open now, and those counting failures in their window')
    .option('--open', 'only the open ones')
    .action(async (options: { open?: boolean }) => {
      const output = context.output();
      const list = await context
        .admin()
        .call<{ breaker_store: string; data: Breaker[] }>(
          'GET',
          `/breakers${options.open ? '?state=open' : ''}`,
        );
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      if (list.data.length === 0) {
        line(output, options.open ? 'no breaker is open' : 'no breaker is open or counting failures');
      } else {
        printTable(
          output,
          ['id', 'config', 'target', 'state', 'until', 'failures'],
          list.data.map((breaker) => [
            breaker.id,
            breakerConfigText(breaker.config),
            breakerTargetText(breaker),
            breaker.state,
            breaker.state === 'open'
              ? breaker.open_until
              : breaker.state === 'half_open'
                ? (breaker.probe_until ?? '')
                : breaker.window_ends_at,
            `${breaker.failures} of ${breaker.failures + breaker.successes}`,
          ]),
        );
      }
      if (list.breaker_store === 'memory') {
        output.stderr.write("(this gateway process's breakers: PK_BREAKER_STORE=memory)\n");
      }
    });

  breakers
    .command('close')
    .description('close a breaker now: the next request tries its target again')
    .argument('<id>', 'the breaker (the id pk breakers list prints)')
    .action(async (id: string) => {
      const output = context.output();
      const answer = await context
        .admin()
        .call<{ id: string; was_open: boolean }>('DELETE', `/breakers/${encodeURIComponent(id)}`);
      if (output.json) printJson(output, answer);
      else line(output, `${answer.id}: closed${answer.was_open ? '' : ' (it was not open)'}`);
    });
}
