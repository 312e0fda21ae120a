import { describe, expect, it } from 'vitest';
import { ToolCallSequencer } from './tool-call-sequencer.js';

function recorder() {
  const trail: string[] = [];
  const sequencer = new ToolCallSequencer<string>(
    {
      open: (call) => {
        trail.push(`open ${call.id} ${call.name}`);
        return call.id;
      },
      args: (id, fragment) => trail.push(`args ${id} ${fragment}`),
      close: (id) => trail.push(`close ${id}`),
    },
    () => 'generated',
  );
  return { trail, sequencer };
}

describe('ToolCallSequencer', () => {
  it('streams calls that come one after the other live: each closes when the next begins', () => {
    const { trail, sequencer } = recorder();
    sequencer.push({ index: 0, id: 'a', function: { name: 'f', arguments: '' } });
    sequencer.push({ index: 0, function: { arguments: '{"x":1}' } });
    sequencer.push({ index: 1, id: 'b', function: { name: 'g', arguments: '{}' } });
    expect(trail).toEqual(['open a f', 'args a {"x":1}', 'close a', 'open b g', 'args b {}']);
    sequencer.finish();
    expect(trail.at(-1)).toBe('close b');
  });

  it('holds a call announced before the live one is complete, and streams it whole after it', () => {
    const { trail, sequencer } = recorder();
    sequencer.push({ index: 0, id: 'a', function: { name: 'f', arguments: '' } });
    sequencer.push({ index: 1, id: 'b', function: { name: 'g', arguments: '' } });
    sequencer.push({ index: 1, function: { arguments: '{"y":' } });
    sequencer.push({ index: 0, function: { arguments: '{"x":1}' } });
    sequencer.push({ index: 1, function: { arguments: '2}' } });
    // A third call after a held one waits behind it, in the order announced.
    sequencer.push({ index: 2, function: { name: 'h', arguments: '{}' } });
    expect(sequencer.active).toBe(true);
    sequencer.finish();
    expect(trail).toEqual([
      'open a f',
      'args a {"x":1}',
      'close a',
      'open b g',
      'args b {"y":2}',
      'close b',
      'open generated h',
      'args generated {}',
      'close generated',
    ]);
    expect(sequencer.active).toBe(false);
    // A late fragment of a closed call has nowhere to go.
    sequencer.push({ index: 1, function: { arguments: 'late' } });
    expect(trail).toHaveLength(9);
  });
});
