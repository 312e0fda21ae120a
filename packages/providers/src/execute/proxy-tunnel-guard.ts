import type { buildConnector, Dispatcher } from 'undici';

// undici 7's ProxyAgent opens each upstream connection with a CONNECT to the proxy. When the proxy
// accepts TCP and closes the socket, that fails with `UND_ERR_SOCKET`, which undici's client treats as
// a recoverable socket error: the queued request stays queued and the client connects again at once,
// hundreds of CONNECTs a second, while the request ignores its signal (a queued request only listens
// once it has a connection). A proxy that never answers the CONNECT holds it for undici's 300 s
// headers timeout. Fixed in undici 8 (nodejs/undici#3897), which needs Node >= 22.19. The guard
// wraps the tunnel connector: every failure becomes a `ProxyTunnelError` (not a socket error, so the
// client fails its queued requests instead of looping), and a tunnel not open within the connect
// timeout, or still opening when the transport closes, fails the same way.

/** The code undici's client sees: not `UND_ERR_SOCKET`, so its queued requests fail instead of waiting. */
export const PROXY_TUNNEL_FAILED = 'PK_PROXY_TUNNEL_FAILED';

/** A tunnel through the proxy that could not be opened (the proxy is named without its credentials). */
export class ProxyTunnelError extends Error {
  readonly code = PROXY_TUNNEL_FAILED;
  /** The proxy's scheme, host and port. */
  readonly proxy: string;
  /** What went wrong: the cause's code, or `timeout` / `closed`. */
  readonly reason: string;

  constructor(proxy: string, reason: string, cause?: unknown) {
    super(`no tunnel through the proxy ${proxy} (${reason})`, cause === undefined ? {} : { cause });
    this.name = 'ProxyTunnelError';
    this.proxy = proxy;
    this.reason = reason;
  }
}

/** The proxy's scheme, host and port, never its user name or password. */
export function proxyDisplayName(proxyUrl: string): string {
  const url = new URL(proxyUrl);
  return `${url.protocol}//${url.host}`;
}

/** Options of {@link createProxyTunnelFactory}. */
export interface ProxyTunnelGuardOptions {
  /** The connector of direct connections: left as it is. */
  readonly direct: buildConnector.connector;
  /** Milliseconds a tunnel may take to open (TCP to the proxy, CONNECT, TLS to the upstream). */
  readonly timeoutMs: number;
  /** Aborted when the transport closes: tunnels still opening fail at once. */
  readonly closing: AbortSignal;
  /** The proxy (display name) an upstream origin goes through. */
  readonly proxyFor: (origin: string) => string;
  /** undici's `Pool` and `Client` (loaded lazily by the transport). */
  readonly undici: Pick<typeof import('undici'), 'Pool' | 'Client'>;
}

type ConnectOptions = buildConnector.Options & { signal?: AbortSignal };

/** The tunnel connector, bounded and with failures that undici's client does not retry in a loop. */
function guardTunnel(
  tunnel: buildConnector.connector,
  proxy: string,
  options: ProxyTunnelGuardOptions,
): buildConnector.connector {
  return (connectOptions, callback) => {
    let settled = false;
    const controller = new AbortController();
    const settle = (error: Error | null, socket?: Parameters<buildConnector.Callback>[1]) => {
      if (settled) {
        socket?.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      options.closing.removeEventListener('abort', onClosing);
      if (error) {
        controller.abort(error);
        callback(error, null);
      } else callback(null, socket as NonNullable<typeof socket>);
    };
    const onClosing = () => settle(new ProxyTunnelError(proxy, 'the transport closed'));
    const timer = setTimeout(
      () => settle(new ProxyTunnelError(proxy, `not open within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    timer.unref?.();
    if (options.closing.aborted) return onClosing();
    options.closing.addEventListener('abort', onClosing, { once: true });
    try {
      // undici's tunnel passes `signal` on to its CONNECT request: aborting it ends that request.
      tunnel({ ...connectOptions, signal: controller.signal } as ConnectOptions, (error, socket) => {
        if (error) settle(new ProxyTunnelError(proxy, codeOf(error), error));
        else settle(null, socket);
      });
    } catch (error) {
      settle(new ProxyTunnelError(proxy, codeOf(error), error));
    }
  };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * An undici `factory` for the transport's dispatcher: the pools of proxied origins get the guarded
 * tunnel connector; pools whose connector is `direct` (origins in `NO_PROXY`) are made as undici would.
 */
export function createProxyTunnelFactory(
  options: ProxyTunnelGuardOptions,
): (origin: URL | string, factoryOptions: object) => Dispatcher {
  return (origin, factoryOptions) => {
    const { connect } = factoryOptions as { connect?: unknown };
    const guarded =
      typeof connect === 'function' && connect !== options.direct
        ? {
            ...factoryOptions,
            connect: guardTunnel(
              connect as buildConnector.connector,
              options.proxyFor(String(origin)),
              options,
            ),
          }
        : factoryOptions;
    const { Client, Pool } = options.undici;
    return (guarded as { connections?: unknown }).connections === 1
      ? new Client(origin, guarded)
      : new Pool(origin, guarded);
  };
}

/**
 * The response of a proxied request, or a rejection as soon as `signal` aborts: a request still
 * waiting for its tunnel does not listen to its signal. What the abandoned request gives later is
 * released (its body destroyed, its error ignored).
 */
export function settleOnAbort(
  pending: Promise<Dispatcher.ResponseData>,
  signal: AbortSignal | undefined,
): Promise<Dispatcher.ResponseData> {
  if (signal === undefined) return pending;
  return new Promise((resolve, reject) => {
    let abandoned = false;
    const onAbort = () => {
      abandoned = true;
      reject(signal.reason);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (response) => {
        signal.removeEventListener('abort', onAbort);
        if (abandoned) response.body.destroy();
        else resolve(response);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!abandoned) reject(error);
      },
    );
  });
}
