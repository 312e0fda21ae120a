import { parseModelReference } from '../provider-id.js';
import { type CustomHostOptions, checkCustomHost } from '../schema/custom-host.js';
import type { Config } from '../schema/target.js';
import type { PathSegment } from './config-path.js';
import type { ConfigIssue } from './config-result.js';
import { type ConfigNode, type NodePlace, walkConfig } from './config-walk.js';
import { IssueReporter } from './issue-reporter.js';

/** True when a leaf names its provider itself: `provider`, `virtual_key`, or a model `@slug/model`. */
function namesProvider(node: ConfigNode): boolean {
  if (node.provider !== undefined || node.virtual_key !== undefined) return true;
  const model = node.override_params?.model;
  return typeof model === 'string' && parseModelReference(model) !== undefined;
}

function checkGroupShape(node: ConfigNode, at: readonly PathSegment[], report: IssueReporter): void {
  if (node.targets !== undefined && node.strategy === undefined) {
    report.text(
      [...at, 'strategy'],
      'expected a strategy ({"mode": "fallback" | "loadbalance" | "conditional" | "single"}) because targets is set',
      'nothing',
    );
  }
  if (node.strategy !== undefined && node.targets === undefined) {
    report.text(
      [...at, 'targets'],
      'expected a non-empty array of targets because strategy is set',
      'nothing',
    );
  }
}

function checkNames(
  node: ConfigNode,
  at: readonly PathSegment[],
  report: IssueReporter,
): ReadonlySet<string> {
  const firstUse = new Map<string, number>();
  node.targets?.forEach((child, index) => {
    if (child.name === undefined) return;
    const earlier = firstUse.get(child.name);
    if (earlier === undefined) {
      firstUse.set(child.name, index);
      return;
    }
    report.text(
      [...at, 'targets', index, 'name'],
      'expected a name unique among sibling targets',
      `${JSON.stringify(child.name)}, already used by targets[${earlier}]`,
    );
  });
  return new Set(firstUse.keys());
}

function checkConditional(
  node: ConfigNode,
  at: readonly PathSegment[],
  names: ReadonlySet<string>,
  report: IssueReporter,
): void {
  const strategy = node.strategy;
  if (strategy === undefined) return;
  const known =
    names.size === 0 ? 'none of them has a name' : [...names].map((name) => JSON.stringify(name)).join(', ');
  const expectation = `expected the name of a target of this group (${known})`;
  // Portkey's router refuses a conditional group without `conditions`; an empty list falls through
  // to `default`, so it is only refused when there is no default either.
  if (strategy.conditions === undefined) {
    report.at(
      [...at, 'strategy', 'conditions'],
      'expected a non-empty array of { query, then } in conditional mode',
      strategy.conditions,
    );
  } else if (strategy.conditions.length === 0 && strategy.default === undefined) {
    report.at(
      [...at, 'strategy', 'conditions'],
      'expected a non-empty array of { query, then } in conditional mode, or a default',
      strategy.conditions,
    );
  }
  strategy.conditions?.forEach((condition, index) => {
    if (!names.has(condition.then))
      report.at([...at, 'strategy', 'conditions', index, 'then'], expectation, condition.then);
  });
  if (strategy.default !== undefined && !names.has(strategy.default)) {
    report.at([...at, 'strategy', 'default'], expectation, strategy.default);
  }
}

function checkStrategy(node: ConfigNode, at: readonly PathSegment[], report: IssueReporter): void {
  const { strategy, targets } = node;
  if (strategy === undefined || targets === undefined) return;
  const names = checkNames(node, at, report);
  if (strategy.mode === 'loadbalance' && targets.every((target) => (target.weight ?? 1) === 0)) {
    report.text(
      [...at, 'targets'],
      'expected at least one target with a weight above 0 in a loadbalance group',
      'only weights of 0',
    );
  }
  if (strategy.mode === 'conditional') checkConditional(node, at, names, report);
}

function checkLeaf(node: ConfigNode, place: NodePlace, report: IssueReporter): void {
  if (node.targets !== undefined || node.strategy !== undefined || place.depth === 0) return;
  if (namesProvider(node)) return;
  report.text(
    place.segments,
    'expected "provider", "virtual_key" or an override_params.model "@provider-slug/model" on this target ' +
      '(targets do not inherit a provider, and header credentials only apply to a config without targets)',
    'none of them',
  );
}

/** Options of the checks that depend on the operator's settings. */
export interface ConfigCheckOptions {
  /** Hosts that skip the custom-host checks (default: Portkey's default trusted hosts). */
  readonly trustedCustomHosts?: readonly string[] | undefined;
  /** Key spellings the user wrote, to show paths as written (from key normalisation). */
  readonly spellings?: ReadonlyMap<string, string> | undefined;
}

/**
 * Cross-field rules of a structurally valid config, so the engine never meets an invalid plan:
 * `targets` ⇔ `strategy`, unique sibling names, conditional `conditions` present and `then` /
 * `default` naming a sibling, a loadbalance group with some weight above 0, every target below the
 * root naming its provider, and `custom_host` passing Portkey's host checks.
 */
export function checkConfig(config: Config, options: ConfigCheckOptions = {}): ConfigIssue[] {
  const report = new IssueReporter(options.spellings);
  const hostOptions: CustomHostOptions = { trustedHosts: options.trustedCustomHosts };
  walkConfig(config, (node, place) => {
    checkGroupShape(node, place.segments, report);
    checkStrategy(node, place.segments, report);
    checkLeaf(node, place, report);
    if (node.custom_host !== undefined) {
      const problem = checkCustomHost(node.custom_host, hostOptions);
      // Shown without its query string or fragment: a `?token=` there is a credential.
      if (problem !== undefined)
        report.at([...place.segments, 'custom_host'], problem, node.custom_host.replace(/[?#][\s\S]*$/, '…'));
    }
  });
  return report.issues;
}
