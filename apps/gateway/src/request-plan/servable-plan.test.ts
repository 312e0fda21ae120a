import type { PlanLeaf, PlanNode } from '@pk/config';
import { group, leaf, planOf } from '@pk/config/testing';
import { describe, expect, it } from 'vitest';
import { servablePlanOf } from './servable-plan.js';

const anthropicOnly = (node: PlanLeaf): boolean => node.target.provider === 'anthropic';
const paths = (node: PlanNode): unknown =>
  node.kind === 'leaf' ? node.path : { [node.path]: node.targets.map(paths) };
const rootOf = (node: PlanNode): PlanNode => planOf(node).root;

describe('servablePlanOf', () => {
  it('leaves the targets that cannot serve out of a load balance and a fallback, nested groups too', () => {
    const root = rootOf(
      group({
        mode: 'fallback',
        targets: [
          leaf({ provider: 'openai' }),
          group({
            mode: 'loadbalance',
            targets: [leaf({ provider: 'openai' }), leaf({ provider: 'anthropic' })],
          }),
          group({ mode: 'loadbalance', targets: [leaf({ provider: 'groq' })] }),
          leaf({ provider: 'anthropic' }),
        ],
      }),
    );
    const narrowed = servablePlanOf(root, anthropicOnly);
    expect(narrowed && paths(narrowed.root)).toEqual({
      config: [{ 'config.targets[1]': ['config.targets[1].targets[1]'] }, 'config.targets[3]'],
    });
    expect(narrowed?.leftOut.map((left) => left.path)).toEqual([
      'config.targets[0]',
      'config.targets[1].targets[0]',
      'config.targets[2].targets[0]',
    ]);
  });

  it('gives the plan itself when every target serves, and undefined when none does', () => {
    const all = rootOf(
      group({
        mode: 'loadbalance',
        targets: [leaf({ provider: 'anthropic' }), leaf({ provider: 'anthropic' })],
      }),
    );
    expect(servablePlanOf(all, anthropicOnly)).toEqual({ root: all, leftOut: [] });
    expect(servablePlanOf(all, anthropicOnly)?.root).toBe(all);
    const none = rootOf(
      group({ mode: 'fallback', targets: [leaf({ provider: 'openai' }), leaf({ provider: 'groq' })] }),
    );
    expect(servablePlanOf(none, anthropicOnly)).toBeUndefined();
    expect(servablePlanOf(rootOf(leaf({ provider: 'openai' })), anthropicOnly)).toBeUndefined();
  });

  it('counts a load balance’s weight-0 target as never drawn: servable only there is none', () => {
    const root = rootOf(
      group({
        mode: 'loadbalance',
        targets: [leaf({ provider: 'openai', weight: 1 }), leaf({ provider: 'anthropic', weight: 0 })],
      }),
    );
    expect(servablePlanOf(root, anthropicOnly)).toBeUndefined();
  });

  it('keeps a conditional group’s targets (conditions name them), narrowing inside them', () => {
    const root = rootOf(
      group({
        mode: 'conditional',
        conditions: [],
        default: 'first',
        targets: [
          leaf({ provider: 'openai', name: 'first' }),
          group({
            mode: 'fallback',
            targets: [leaf({ provider: 'openai' }), leaf({ provider: 'anthropic' })],
          }),
        ],
      }),
    );
    const narrowed = servablePlanOf(root, anthropicOnly);
    expect(narrowed && paths(narrowed.root)).toEqual({
      config: ['config.targets[0]', { 'config.targets[1]': ['config.targets[1].targets[1]'] }],
    });
    expect(narrowed?.leftOut.map((left) => left.path)).toEqual(['config.targets[1].targets[0]']);
  });
});
