import { inspect } from 'node:util';

/**
 * A webhook secret resolved from an `env:` / `file:` reference. It prints, logs and serialises as
 * `[redacted]`: compiled parameters may end up in an error message or a debug dump.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself: only the signing code calls this. */
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
    return 'SecretValue([redacted])';
  }
}
