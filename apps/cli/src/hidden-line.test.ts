import { describe, expect, it } from 'vitest';
import { HiddenLine } from './hidden-line.js';

describe('a line typed at a hidden prompt', () => {
  it('ends at Enter or Ctrl-D, and leaves out what a paste had after it', () => {
    const typed = new HiddenLine();
    expect(typed.feed('sk-')).toBe('typing');
    expect(typed.feed('abc\rsecond line')).toBe('entered');
    expect(typed.value).toBe('sk-abc');
    const ended = new HiddenLine();
    expect(ended.feed('sk-xyz\u0004')).toBe('entered');
    expect(ended.value).toBe('sk-xyz');
  });

  it('takes Backspace (a character, not a UTF-16 half) and Ctrl-U, and ignores other control keys and arrow keys', () => {
    const typed = new HiddenLine();
    typed.feed('sk-a😀\u007f\u007fb\u0001c\u001b[Dd\u001bOAe\b');
    expect(typed.value).toBe('sk-bcd');
    typed.feed('wrong\u0015right\n');
    expect(typed.value).toBe('right');
  });

  it('is interrupted by Ctrl-C', () => {
    const typed = new HiddenLine();
    expect(typed.feed('sk-\u0003more')).toBe('interrupted');
    expect(typed.value).toBe('sk-');
  });
});
