import { Portkey as GatewayPortkey } from '../portkey-client.js';
import type { PortkeyClientOptions } from '../portkey-options.js';
import { createInProcessRuntime } from './create-runtime.js';
import type { InProcessRuntime, InProcessSetup } from './in-process-setup.js';

/** The URL in-process clients use: never resolved, every request goes to the runtime's `fetch`. */
export const IN_PROCESS_BASE_URL = 'http://pk.in-process/v1';

/** Options of the in-process `Portkey`: the usual options, plus what replaces a gateway. */
export interface InProcessClientOptions extends PortkeyClientOptions {
  /**
   * Virtual keys, saved configs and cache settings given in code, or a runtime made with
   * `createInProcessRuntime` to share one cache and connection pool among several clients.
   */
  readonly inProcess?: InProcessSetup | InProcessRuntime | undefined;
}

function isRuntime(value: InProcessSetup | InProcessRuntime): value is InProcessRuntime {
  return typeof (value as Partial<InProcessRuntime>).fetch === 'function';
}

/**
 * The same client as `@pk/sdk`'s `Portkey`, without a gateway: routing (fallback, load balancing,
 * conditional), retries, timeouts, circuit breakers and a simple in-memory cache run inside this
 * process, through the `fetch` the openai client is given (openai's own retries are off: routing
 * retries). Everything else (options, per-call options, `withOptions`, `getHeaders()`) is unchanged.
 */
export class Portkey extends GatewayPortkey {
  /** The runtime this client and its `withOptions` siblings share. */
  readonly runtime: InProcessRuntime;

  static {
    // The ESM build holds both clients in one scope, where the bundler names this one `Portkey2`:
    // the name `console.log(client)` and `client.constructor.name` show is the exported one.
    // biome-ignore lint/complexity/noThisInStatic: `this` is this class; naming it would make the bundler rename it
    Object.defineProperty(this, 'name', { value: 'Portkey' });
  }

  constructor(options: InProcessClientOptions = {}) {
    const { inProcess = {}, ...rest } = options;
    const runtime = isRuntime(inProcess) ? inProcess : createInProcessRuntime(inProcess);
    super({ ...rest, baseURL: rest.baseURL ?? IN_PROCESS_BASE_URL, fetch: runtime.fetch, maxRetries: 0 });
    this.runtime = runtime;
  }

  /**
   * `withOptions` keeps this client's runtime (its cache, breakers and connections). The class is
   * `this.constructor`, never named here: a class that names itself in its body is renamed by the
   * bundler (`_Portkey`, what `console.log(client)` would show), and a subclass keeps its class.
   */
  protected override createSibling(options: PortkeyClientOptions): this {
    const inProcess: InProcessClientOptions = { ...options, inProcess: this.runtime };
    return super.createSibling(inProcess);
  }
}
