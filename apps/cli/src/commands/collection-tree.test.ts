import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../exit-codes.js';
import { type ApiCollection, collectionTree, collectionTreeRows, nonEmpty } from './collection-tree.js';

const collection = (id: string, parent: string | null, prompts = 0, children = 0): ApiCollection => ({
  id,
  name: id.charAt(0).toUpperCase() + id.slice(1),
  slug: `${id}-1a2b3c`,
  parent_collection_id: parent,
  collection_details: { prompts_count: prompts, child_collections_count: children },
});

describe('collectionTree', () => {
  it('puts each collection under its parent, depth first, siblings in the order given', () => {
    const tree = collectionTree([
      collection('billing', 'support', 2),
      collection('sales', null),
      collection('refunds', 'billing', 1),
      collection('support', null, 0, 2),
      collection('accounts', 'support'),
    ]);
    expect(tree.map(({ collection, depth }) => [collection.id, depth])).toEqual([
      ['sales', 0],
      ['support', 0],
      ['billing', 1],
      ['refunds', 2],
      ['accounts', 1],
    ]);
  });

  it('shows a collection whose parent is not listed (a search matched it alone) at the top', () => {
    const tree = collectionTree([collection('refunds', 'billing'), collection('returns', null)]);
    expect(tree.map(({ collection, depth }) => [collection.id, depth])).toEqual([
      ['refunds', 0],
      ['returns', 0],
    ]);
  });

  it('shows every collection once, even one in a cycle or its own parent', () => {
    const tree = collectionTree([collection('a', 'b'), collection('b', 'a'), collection('c', 'c')]);
    expect(tree.map(({ collection, depth }) => [collection.id, depth])).toEqual([
      ['c', 0],
      ['a', 0],
      ['b', 1],
    ]);
    expect(collectionTree([])).toEqual([]);
  });
});

describe('collectionTreeRows', () => {
  it('indents the name two spaces a level, then slug, prompts and child collections', () => {
    expect(
      collectionTreeRows([
        collection('support', null, 0, 1),
        collection('billing', 'support', 2, 1),
        collection('refunds', 'billing', 1),
      ]),
    ).toEqual([
      ['Support', 'support-1a2b3c', 0, 1],
      ['  Billing', 'billing-1a2b3c', 2, 1],
      ['    Refunds', 'refunds-1a2b3c', 1, 0],
    ]);
  });

  it('counts 0 when the gateway gives no collection_details', () => {
    expect(collectionTreeRows([{ id: 'x', name: 'X', slug: 'x-1' }])).toEqual([['X', 'x-1', 0, 0]]);
  });
});

describe('nonEmpty', () => {
  it('keeps text as given and refuses an empty or blank value as a usage error', () => {
    expect(nonEmpty(' Support ', 'name')).toBe(' Support ');
    for (const blank of ['', '   ']) {
      expect(() => nonEmpty(blank, '--parent')).toThrow(CliError);
      try {
        nonEmpty(blank, '--parent');
      } catch (error) {
        expect(error).toMatchObject({ exitCode: EXIT.usage, message: expect.stringContaining('--parent') });
      }
    }
  });
});
