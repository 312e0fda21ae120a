/** What a key typed at a hidden prompt did to the line. */
export type HiddenLineState = 'typing' | 'entered' | 'interrupted';

/**
 * A line typed with the terminal in raw mode (nothing echoed), as a pure accumulator: Enter (or
 * Ctrl-D) ends it, Ctrl-C interrupts, Backspace removes the last character, Ctrl-U the whole line;
 * other control keys and escape sequences (arrow keys: `ESC [ A`) are ignored. What follows Enter in
 * the same chunk (a pasted second line) is left out.
 */
export class HiddenLine {
  #value = '';
  #state: HiddenLineState = 'typing';
  /** Inside an escape sequence: just after ESC, or inside `ESC [` / `ESC O` until its final byte. */
  #escape: 'none' | 'started' | 'sequence' = 'none';

  /** Takes what the terminal sent (one key, or a paste); returns where the line is. */
  feed(text: string): HiddenLineState {
    for (const character of text) {
      if (this.#state !== 'typing') break;
      if (this.#escape === 'started') {
        this.#escape = character === '[' || character === 'O' ? 'sequence' : 'none';
        continue;
      }
      if (this.#escape === 'sequence') {
        if (character >= '@' && character <= '~') this.#escape = 'none';
        continue;
      }
      if (character === '\u001b') this.#escape = 'started';
      else if (character === '\r' || character === '\n' || character === '\u0004') this.#state = 'entered';
      else if (character === '\u0003') this.#state = 'interrupted';
      else if (character === '\u007f' || character === '\b')
        this.#value = [...this.#value].slice(0, -1).join('');
      else if (character === '\u0015') this.#value = '';
      else if (character >= ' ') this.#value += character;
    }
    return this.#state;
  }

  get value(): string {
    return this.#value;
  }
}
