import { describe, expect, it } from 'vitest';
import { errorMessageOf, MAX_ERROR_MESSAGE_CHARS } from './error-answer.js';

describe('the message of an error answer a log record keeps', () => {
  it('reads the OpenAI envelope, as sent (text) or as a stream ended with it (object)', () => {
    // OpenAI's documented server error, as the provider sent it and pk passed it on.
    const serverError =
      '{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}';
    expect(errorMessageOf(serverError)).toBe(
      'The server had an error while processing your request. Sorry about that!',
    );
    expect(
      errorMessageOf({
        error: { message: 'the stream broke', type: 'api_error', code: 'PK_ERR_STREAM_INTERRUPTED' },
      }),
    ).toBe('the stream broke');
  });

  it('reads a top-level message, or an error that is a string', () => {
    expect(errorMessageOf('{"message":"no such config"}')).toBe('no such config');
    expect(errorMessageOf('{"error":"invalid_grant"}')).toBe('invalid_grant');
  });

  it('has none for text that is not JSON or holds no message, and cuts a long one', () => {
    expect(errorMessageOf('<html>Bad gateway</html>')).toBeUndefined();
    expect(errorMessageOf('{"error":{"code":500}}')).toBeUndefined();
    expect(errorMessageOf('{"error":{"message":""}}')).toBeUndefined();
    const long = errorMessageOf(
      JSON.stringify({ error: { message: 'x'.repeat(MAX_ERROR_MESSAGE_CHARS + 10) } }),
    );
    expect(long).toHaveLength(MAX_ERROR_MESSAGE_CHARS);
  });
});
