import { describe, expect, it } from 'vitest';
import { SHOWN_PATH_LENGTH, shownPath } from './shown-value.js';

describe('shownPath', () => {
  it('drops the query string and the fragment', () => {
    expect(shownPath('/v1/prompts/x?api_key=sk-secret')).toBe('/v1/prompts/x');
    expect(shownPath('/v1/prompts/x#sk-secret')).toBe('/v1/prompts/x');
  });

  it('keeps a path up to the bound whole', () => {
    const path = `/${'a'.repeat(SHOWN_PATH_LENGTH - 1)}`;
    expect(shownPath(path)).toBe(path);
  });

  it('cuts a longer path and says how long it was', () => {
    const path = `/${'a'.repeat(5000)}`;
    expect(shownPath(`${path}?key=sk-secret`)).toBe(
      `/${'a'.repeat(SHOWN_PATH_LENGTH - 1)}… (5001 characters)`,
    );
  });
});
