import { describe, expect, it } from 'vitest';
import { upstreamUnavailableError } from './abort-reason.js';

const failure = (code: string, message = code) => Object.assign(new Error(message), { code });
/** The message of the envelope the client gets. */
const told = (error: ReturnType<typeof upstreamUnavailableError>) => error.toEnvelope().error.message;

describe('what the client is told of a connection failure', () => {
  it('a provider nothing reached is unreachable', () => {
    const error = upstreamUnavailableError('openai', failure('ECONNREFUSED', 'connect ECONNREFUSED'));
    expect(error).toMatchObject({ status: 502, code: 'PK_ERR_UPSTREAM_UNAVAILABLE', retryable: true });
    expect(told(error)).toBe('the provider could not be reached (ECONNREFUSED)');
    expect(told(upstreamUnavailableError('openai', 'not an error'))).toBe(
      'the provider could not be reached (unknown error)',
    );
  });

  it('a connection closed or reset before any byte of the answer is the provider closing it, not unreachable', () => {
    // undici's SocketError when the provider closed the connection after reading the request.
    const closed = upstreamUnavailableError('openai', failure('UND_ERR_SOCKET', 'other side closed'));
    expect(told(closed)).toBe('the provider closed the connection before answering (UND_ERR_SOCKET)');
    expect(closed).toMatchObject({ code: 'PK_ERR_UPSTREAM_UNAVAILABLE', connectionError: true });
    expect(told(upstreamUnavailableError('openai', failure('ECONNRESET')))).toBe(
      'the provider closed the connection before answering (ECONNRESET)',
    );
  });

  it('a body that broke after its status and headers came is an answer that broke off', () => {
    const error = upstreamUnavailableError('openai', failure('UND_ERR_SOCKET', 'other side closed'), {
      answerBegan: true,
    });
    expect(told(error)).toBe("the provider's answer broke off before its end (UND_ERR_SOCKET)");
  });
});
