import type { Config, ConfigTarget } from '../schema/target.js';
import type { PathSegment } from './config-path.js';

/** A node of a config: the root or any target below it. */
export type ConfigNode = Config | ConfigTarget;

/** Where a node sits: its path segments (`['targets', 1]`), nesting level (root 0) and parent group. */
export interface NodePlace {
  readonly segments: readonly PathSegment[];
  readonly depth: number;
  readonly parent?: ConfigNode | undefined;
}

/** Visits every node of a config, parents before children, in config order. */
export function walkConfig(config: Config, visit: (node: ConfigNode, place: NodePlace) => void): void {
  const walk = (node: ConfigNode, place: NodePlace): void => {
    visit(node, place);
    node.targets?.forEach((child, index) => {
      walk(child, { segments: [...place.segments, 'targets', index], depth: place.depth + 1, parent: node });
    });
  };
  walk(config, { segments: [], depth: 0 });
}
