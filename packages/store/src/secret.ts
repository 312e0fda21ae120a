import { inspect } from 'node:util';

/**
 * A credential (a provider API key, an AWS secret …). Its value is only reachable through
 * `reveal()`; printing, logging or serialising it gives `[redacted]`, so a secret cannot reach a log
 * line, an error message or the audit log by accident.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself: call only where it goes to its provider (or into the vault). */
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

/**
 * Option names that hold credentials (`aws_secret_access_key`, `vertex_service_account_json`,
 * `api_key` …): their values are encrypted in the vault and read back as {@link Secret}s.
 */
export const CREDENTIAL_OPTION_PATTERN = /(key|secret|token|password|credential|service_account)/i;

/** True when a provider option of this name holds a credential. */
export function isCredentialOption(name: string): boolean {
  return CREDENTIAL_OPTION_PATTERN.test(name);
}

/**
 * The masked form of a secret that reads return: its first 3 characters and last 4
 * (`sk-…abcd`) when it is long enough for that to reveal little, else `…` alone.
 */
export function maskSecret(value: string): string {
  return value.length >= 16 ? `${value.slice(0, 3)}…${value.slice(-4)}` : '…';
}
