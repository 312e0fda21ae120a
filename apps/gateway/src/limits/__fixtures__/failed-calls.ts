import { UpstreamError } from '@pk/providers';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

/** Provider calls that failed, as `@pk/providers`' transport reports them (`execute/abort-reason.ts`). */
export const failedCalls = {
  /** Cut by `request_timeout`: the engine aborts the call with a `PK_ERR_TIMEOUT`. */
  timeout: new UpstreamError({
    provider: 'openai',
    status: 408,
    message: 'request_timeout of 500 ms reached',
    type: 'timeout_error',
    code: 'PK_ERR_TIMEOUT',
    retryable: true,
  }),
  /** The client hung up while the call ran. */
  hangUp: new UpstreamError({
    provider: 'openai',
    status: 499,
    message: 'the client closed the request',
    type: 'client_closed_request',
    retryable: false,
  }),
  /** The provider accepted the connection and closed it before answering. */
  reset: new UpstreamError({
    provider: 'openai',
    status: 502,
    message: 'the provider closed the connection before answering (UND_ERR_SOCKET)',
    type: 'api_error',
    code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
    connectionError: true,
    cause: withCode('other side closed', 'UND_ERR_SOCKET'),
  }),
  /** The provider refused the connection: nothing was sent. */
  unreachable: new UpstreamError({
    provider: 'openai',
    status: 502,
    message: 'the provider could not be reached (ECONNREFUSED)',
    type: 'api_error',
    code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
    connectionError: true,
    cause: withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
  }),
  /** The provider answered with an error: it bills nothing. */
  refused: new UpstreamError({ provider: 'openai', status: 429, message: 'Rate limit reached' }),
} as const;
