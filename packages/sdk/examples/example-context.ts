import type { Portkey, PortkeyClientOptions } from '@pk/sdk';

/**
 * What an example is given, so the same code runs through a gateway and in-process:
 * in your program, `Portkey` is `import { Portkey } from '@pk/sdk'` (or `'@pk/sdk/in-process'`)
 * and `env` is `process.env`.
 */
export interface ExampleContext {
  /** The client class: `@pk/sdk`'s (through a pk gateway) or `@pk/sdk/in-process`'s (no gateway). */
  readonly Portkey: new (
    options?: PortkeyClientOptions,
  ) => Portkey;
  /** Where keys and ids come from: `process.env` in a real program. */
  readonly env: Readonly<Record<string, string | undefined>>;
}
