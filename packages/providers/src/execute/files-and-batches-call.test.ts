import { describe, expect, it } from 'vitest';
import { requestTokenOf } from './files-and-batches-call.js';

describe('the request token of files and batches calls', () => {
  it('is one per client request: the same for each attempt of it, another for another request', () => {
    const request = { endpoint: 'passthrough', path: '/batches', method: 'POST' };
    const token = requestTokenOf(request);
    expect(requestTokenOf(request)).toBe(token);
    expect(requestTokenOf({ ...request })).not.toBe(token);
    // Bedrock's clientRequestToken pattern.
    expect(token).toMatch(/^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$/);
  });
});
