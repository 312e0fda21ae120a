import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, vi } from 'vitest';

/**
 * For component tests: a fresh element in the document for each test (call at a test file's top
 * level), its components unmounted and the element removed after the test, and globals a test stubbed
 * (`fetch`) restored. Returns the current test's element.
 */
export function testRoot(): () => HTMLElement {
  let root: HTMLElement | undefined;
  beforeEach(() => {
    root = document.createElement('div');
    document.body.append(root);
  });
  afterEach(() => {
    if (root !== undefined) {
      render(null, root);
      root.remove();
    }
    vi.unstubAllGlobals();
  });
  return () => {
    if (root === undefined) throw new Error('testRoot(): no test is running');
    return root;
  };
}

/** Lets `rounds` turns of timers run inside `act`, with the renders and effects they cause. */
export async function flushRenders(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
}
