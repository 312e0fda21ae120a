import type { PlanLeaf } from '@pk/config';
import { type TokenBound, tokenBoundOf } from './estimate.js';

/**
 * The body a leaf sends: the client's with the leaf's `override_params` over it, as the provider call
 * merges them (`prepareRequest` of `@pk/providers`). The client's body itself when the leaf has none.
 */
export function sentBodyOf(
  leaf: Pick<PlanLeaf, 'override_params'>,
  body: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const overrides = leaf.override_params;
  return Object.keys(overrides).length === 0 ? body : { ...body, ...overrides };
}

/**
 * The model a leaf calls: its `override_params.model`, else the body's, undefined when neither names
 * one. Both come resolved: an `@slug/` prefix is left out by the plan (the body's and the config's).
 */
export function sentModelOf(
  leaf: Pick<PlanLeaf, 'override_params'>,
  body: Readonly<Record<string, unknown>>,
): string | undefined {
  const model = sentBodyOf(leaf, body).model;
  return typeof model === 'string' ? model : undefined;
}

/** The token bounds of a request's attempts, each of the body its leaf sends. */
export interface LeafBounds {
  /**
   * The bound of the client's body as sent (no `override_params`): its `inject` says whether some
   * attempt may need a completion cap added (an override can set a cap, never remove the client's).
   */
  readonly base: TokenBound;
  /**
   * The bound of what `leaf` sends: its model decides what an image costs (`mediaTopUpOf`), its
   * `max_tokens` the completion, its text the prompt.
   */
  of(leaf: Pick<PlanLeaf, 'path' | 'override_params'>): TokenBound;
}

/**
 * The bounds of a request's attempts ({@link tokenBoundOf} of each leaf's sent body), computed once per
 * leaf; a leaf without `override_params` shares the client body's bound. `bodyBytes` is the client's
 * body size (what other endpoints than chat are bounded by); a leaf's overrides count by their JSON.
 */
export function leafBoundsOf(
  endpoint: string,
  body: Readonly<Record<string, unknown>>,
  bodyBytes: number,
  defaultCap: number,
): LeafBounds {
  const base = tokenBoundOf(endpoint, body, bodyBytes, defaultCap);
  let byPath: Map<string, TokenBound> | undefined;
  return {
    base,
    of(leaf) {
      if (Object.keys(leaf.override_params).length === 0) return base;
      byPath ??= new Map();
      const known = byPath.get(leaf.path);
      if (known) return known;
      const sent = sentBodyOf(leaf, body);
      const sentBytes = Math.max(bodyBytes, Buffer.byteLength(JSON.stringify(sent)));
      const bound = tokenBoundOf(endpoint, sent, sentBytes, defaultCap);
      byPath.set(leaf.path, bound);
      return bound;
    },
  };
}
