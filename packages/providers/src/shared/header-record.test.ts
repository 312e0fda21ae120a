import { describe, expect, it } from 'vitest';
import { headersWith } from './header-record.js';

describe('headersWith', () => {
  it('copies the headers and sets the one named, last wins', () => {
    const headers = { authorization: 'Bearer sk-1', 'content-type': 'text/plain' };
    const copy = headersWith(headers, 'content-type', 'application/json');
    expect(copy).toEqual({ authorization: 'Bearer sk-1', 'content-type': 'application/json' });
    expect(headers['content-type']).toBe('text/plain');
  });

  it('adds the header to an empty set', () => {
    expect(headersWith({}, 'content-type', 'application/json')).toEqual({
      'content-type': 'application/json',
    });
  });
});
