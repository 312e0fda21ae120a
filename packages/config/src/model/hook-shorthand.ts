import type { GuardrailEntry, HookObject } from '../schema/hooks.js';
import { stableHash } from './stable-hash.js';

/** Keys of a shorthand entry that belong to the hook itself; every other key is a check. */
const HOOK_KEYS = [
  'deny',
  'on_fail',
  'on_success',
  'async',
  'id',
  'type',
  'guardrail_version_id',
  'sequential',
];

/** Which list a shorthand entry came from. */
export interface ShorthandSource {
  /** `input` (before the provider call) or `output` (after it). */
  readonly direction: 'input' | 'output';
  /** `guardrail` or `mutator`. */
  readonly type: 'guardrail' | 'mutator';
  /** JSON path of the list, e.g. `config.targets[0].input_guardrails`; seeds stable hook ids. */
  readonly path: string;
}

/**
 * Converts guardrail / mutator shorthand into raw hook objects as Portkey's `convertHooksShorthand`
 * does (behaviour reference §7.1): the hook keys (`deny`, `on_fail`, `async`, `id`, …) are lifted
 * out, every other key becomes a check (`contains` → `default.contains`) with its value as
 * `parameters`, kept as written. Differences: the default id is `input_guardrail_<hash of the path>`
 * (stable, where Portkey uses a random suffix) and keys stay snake_case. A string entry names a
 * saved guardrail: it becomes `{ type, id }` without checks.
 */
export function convertHookShorthand(
  entries: readonly GuardrailEntry[],
  source: ShorthandSource,
): HookObject[] {
  return entries.map((entry, index) => {
    const defaultId = `${source.direction}_${source.type}_${stableHash(`${source.path}[${index}]`).slice(0, 8)}`;
    if (typeof entry === 'string') return { type: source.type, id: entry };
    const hook: Record<string, unknown> = { type: source.type, id: defaultId };
    const checks: Record<string, unknown>[] = [];
    for (const [key, value] of Object.entries(entry)) {
      if (HOOK_KEYS.includes(key)) {
        hook[key] = value;
        continue;
      }
      const check: Record<string, unknown> = {
        id: key.includes('.') ? key : `default.${key}`,
        parameters: value,
      };
      if (value !== null && typeof value === 'object' && 'is_enabled' in value)
        check.is_enabled = value.is_enabled;
      checks.push(check);
    }
    hook.checks = checks;
    return hook;
  });
}
