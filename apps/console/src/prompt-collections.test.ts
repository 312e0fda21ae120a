import { describe, expect, it } from 'vitest';
import {
  type Collection,
  collectionLabel,
  collectionOf,
  collectionTree,
  contentsText,
  flattenTree,
} from './prompt-collections.js';

const collection = (id: string, name: string, parent: string | null = null, prompts = 0, children = 0) =>
  ({
    id,
    name,
    slug: `${name.toLowerCase()}-1a2b3c`,
    parent_collection_id: parent,
    collection_details: { prompts_count: prompts, child_collections_count: children },
  }) satisfies Collection;

/** The tree as `name(child, …)` text, to compare at a glance. */
const shape = (nodes: ReturnType<typeof collectionTree>): string =>
  nodes
    .map((node) =>
      node.children.length === 0 ? node.collection.name : `${node.collection.name}(${shape(node.children)})`,
    )
    .join(', ');

describe('collectionTree', () => {
  it('puts each collection under its parent, keeping the list’s order (by name)', () => {
    const list = [
      collection('b', 'Billing', 's'),
      collection('m', 'Marketing'),
      collection('r', 'Refunds', 'b'),
      collection('s', 'Support'),
      collection('t', 'Tone', 's'),
    ];
    expect(shape(collectionTree(list))).toBe('Marketing, Support(Billing(Refunds), Tone)');
  });

  it('keeps at the top a collection whose parent is not listed, or that would sit inside itself', () => {
    const list = [
      collection('a', 'Alone', 'gone'),
      collection('x', 'Loop one', 'y'),
      collection('y', 'Loop two', 'x'),
      collection('z', 'Self', 'z'),
    ];
    expect(shape(collectionTree(list))).toBe('Alone, Loop one, Loop two, Self');
    expect(collectionTree([])).toEqual([]);
  });
});

describe('flattenTree', () => {
  it('lists the tree in reading order with each one’s depth and path', () => {
    const list = [
      collection('b', 'Billing', 's'),
      collection('m', 'Marketing'),
      collection('r', 'Refunds', 'b'),
      collection('s', 'Support'),
    ];
    expect(
      flattenTree(collectionTree(list)).map((entry) => [entry.collection.id, entry.depth, entry.path]),
    ).toEqual([
      ['m', 0, 'Marketing'],
      ['s', 0, 'Support'],
      ['b', 1, 'Support / Billing'],
      ['r', 2, 'Support / Billing / Refunds'],
    ]);
  });
});

describe('collectionOf and collectionLabel', () => {
  const list = [collection('id-1', 'Support'), collection('id-2', 'Billing', 'id-1')];
  it('finds a prompt’s collection by id or slug, and names it', () => {
    expect(collectionOf('id-2', list)?.name).toBe('Billing');
    expect(collectionOf('support-1a2b3c', list)?.id).toBe('id-1');
    expect(collectionLabel('id-1', list)).toBe('Support');
    expect(collectionLabel('billing-1a2b3c', list)).toBe('Billing');
  });

  it('shows a collection_id that names no collection as given, and none as null', () => {
    expect(collectionOf('elsewhere', list)).toBeUndefined();
    expect(collectionLabel('elsewhere', list)).toBe('elsewhere');
    expect(collectionLabel(null, list)).toBeNull();
    expect(collectionLabel(undefined, list)).toBeNull();
    expect(collectionLabel('', list)).toBeNull();
  });
});

describe('contentsText', () => {
  it('says how many prompts and child collections a collection holds', () => {
    expect(contentsText(collection('a', 'A', null, 0, 0))).toBe('0 prompts, 0 child collections');
    expect(contentsText(collection('a', 'A', null, 1, 1))).toBe('1 prompt, 1 child collection');
    expect(contentsText(collection('a', 'A', null, 3, 2))).toBe('3 prompts, 2 child collections');
  });
});
