/** The environment variables pk reads, at construction time, as the official SDK does. */
export interface PortkeyEnvironment {
  readonly PORTKEY_API_KEY?: string | undefined;
  readonly PORTKEY_BASE_URL?: string | undefined;
}

/** `PORTKEY_API_KEY` and `PORTKEY_BASE_URL` (blank counts as unset); nothing else, never `OPENAI_API_KEY`. */
export function readPortkeyEnvironment(): PortkeyEnvironment {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const read = (name: string): string | undefined => {
    const value = env?.[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return { PORTKEY_API_KEY: read('PORTKEY_API_KEY'), PORTKEY_BASE_URL: read('PORTKEY_BASE_URL') };
}
