import { describe, expect, it } from 'vitest';
import { idWithThoughtSignature } from '../google/signed-tool-call-id.js';
import { mapChangedItems, withUnsignedToolCallId } from './unsigned-tool-call-ids.js';

const SIGNED = idWithThoughtSignature('call_1', 'CpcBAdHtim9+sig/A==');

describe('a tool call id freed of its thought signature', () => {
  it('is the call’s own id, in a copy of the record', () => {
    const record = { type: 'tool_use', id: SIGNED, name: 'f' };
    expect(withUnsignedToolCallId(record, 'id')).toEqual({ type: 'tool_use', id: 'call_1', name: 'f' });
    expect(record.id).toBe(SIGNED);
  });

  it('leaves the record itself when its id carries no signature or is no string', () => {
    const plain = { id: 'toolu_01' };
    expect(withUnsignedToolCallId(plain, 'id')).toBe(plain);
    const numbered = { id: 7 };
    expect(withUnsignedToolCallId(numbered, 'id')).toBe(numbered);
    const missing = { name: 'f' };
    expect(withUnsignedToolCallId(missing, 'id')).toBe(missing);
  });
});

describe('items mapped only where they change', () => {
  it('gives the array itself back when no item changed', () => {
    const items = [1, 2, 3];
    expect(mapChangedItems(items, (item) => item)).toBe(items);
  });

  it('copies the array, keeping the unchanged items, from the first changed one on', () => {
    const items = [1, 2, 3];
    expect(mapChangedItems(items, (item) => (item === 2 ? 20 : item))).toEqual([1, 20, 3]);
    expect(mapChangedItems(items, (item) => (item === 1 ? 10 : item))).toEqual([10, 2, 3]);
    expect(items).toEqual([1, 2, 3]);
  });
});
