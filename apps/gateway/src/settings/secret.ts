import { inspect } from 'node:util';

/**
 * A credential read from the settings (an API key, an AWS secret …). Its value is only reachable
 * through `reveal()`; printing, logging or serialising it gives `[redacted]`, so a secret cannot reach
 * a log line or an error message by accident.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself: call only where it goes to its provider. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
