import type { SendOptions, Transport } from '../execute/transport.js';
import type { UpstreamRequest, UpstreamResponse } from '../spec/upstream-request.js';

/** A transport that sends every request to one local origin and remembers where it was meant to go. */
export interface RedirectingTransport extends Transport {
  /** The URLs the adapters built (the vendors' real ones), in order. */
  readonly intendedUrls: string[];
}

/**
 * Wraps a real transport so that a request built for `https://api.vendor.com/v1/chat/completions`
 * reaches `<origin>/v1/chat/completions` (path and query kept) on a mock upstream. Tests assert the
 * vendor's whole documented URL without any traffic leaving 127.0.0.1.
 */
export function createRedirectingTransport(inner: Transport, origin: string): RedirectingTransport {
  const intendedUrls: string[] = [];
  return {
    intendedUrls,
    send(request: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse> {
      intendedUrls.push(request.url);
      const url = new URL(request.url);
      return inner.send({ ...request, url: `${origin}${url.pathname}${url.search}` }, options);
    },
    close: () => inner.close(),
  };
}
