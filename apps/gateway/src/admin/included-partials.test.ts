import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PkError } from '@pk/config';
import { openStore, type Store } from '@pk/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PARTIAL_DEPTH } from '../prompts/load-partials.js';
import { checkPartialPartials, checkPartialPublish, checkPromptPartials } from './included-partials.js';

/** What a check refused with (status, code, param, message), or `undefined` when it let it through. */
async function refusal(check: Promise<void>) {
  try {
    await check;
    return undefined;
  } catch (error) {
    if (!(error instanceof PkError)) throw error;
    return { status: error.status, code: error.code, param: error.param, message: error.message };
  }
}

describe('the admin API’s check of the partials a saved template includes', () => {
  let dataDir: string;
  let store: Store;
  /** Saves a partial straight into the store, as one saved before the admin API checked it was. */
  const partial = async (slug: string, string: string) =>
    store.promptPartials.create({ name: slug, slug, string }, 'test');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pk-included-partials-'));
    store = await openStore({ dataDir, serve: false, onWarning: () => undefined });
    await partial('leaf', 'Leaf.');
    await partial('middle', '{{> leaf}}');
    // A ring saved before the check existed.
    await partial('ring-a', '{{> ring-b}}');
    await partial('ring-b', '{{> ring-a}}');
  });

  afterAll(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a new partial that includes itself: a 400 naming the ring, param string', async () => {
    expect(
      await refusal(checkPartialPartials(store, { name: 'Self', slug: 'self', string: 'Me {{> self}}' })),
    ).toEqual({
      status: 400,
      code: 'PK_ERR_INVALID_REQUEST',
      param: 'string',
      message:
        'invalid prompt partial: string: would make partials include each other (self → self): no prompt including them could run',
    });
  });

  it('a new version of `leaf` including `middle`, which includes `leaf`: refused by slug, id, @latest and the new number', async () => {
    const middle = await store.promptPartials.get('middle');
    const leaf = await store.promptPartials.get('leaf');
    const ring = /would make partials include each other \(leaf → middle → leaf\)/;
    expect(
      (await refusal(checkPartialPartials(store, { string: 'L {{> middle}}' }, 'leaf')))?.message,
    ).toMatch(ring);
    // Named by the id of the partial the update names by id.
    expect(
      (await refusal(checkPartialPartials(store, { string: `{{> ${middle?.id}}}` }, leaf?.id ?? '')))
        ?.message,
    ).toMatch(`(leaf → ${middle?.id} → leaf)`);
    // Itself by its id, `@latest` or the number the new version will have (2): each reads the new version.
    for (const self of [leaf?.id, 'leaf@latest', 'leaf@2']) {
      expect(
        (await refusal(checkPartialPartials(store, { string: `{{> ${self}}}` }, 'leaf')))?.message,
      ).toMatch(`(leaf → ${self} → ${self})`);
    }
    // Its version 1 (which includes nothing) is not the new one: no ring.
    expect(await refusal(checkPartialPartials(store, { string: '{{> leaf@1}}' }, 'leaf'))).toBeUndefined();
    expect(await refusal(checkPartialPartials(store, { string: 'Plain.' }, 'leaf'))).toBeUndefined();
    // A body without a template keeps the latest one: nothing to check.
    expect(await refusal(checkPartialPartials(store, { name: 'Leaf' }, 'leaf'))).toBeUndefined();
  });

  it('a prompt including partials that include each other (saved before the check) is refused naming them', async () => {
    const template = JSON.stringify([{ role: 'user', content: '{{q}} {{> ring-a}}' }]);
    expect(await refusal(checkPromptPartials(store, { string: template }))).toEqual({
      status: 400,
      code: 'PK_ERR_INVALID_REQUEST',
      param: 'string',
      message:
        'invalid prompt: string: includes partials that include each other (ring-a → ring-b → ring-a): no run could render them',
    });
    expect(await refusal(checkPromptPartials(store, { string: '{{> middle}}' }))).toBeUndefined();
  });

  it(`nesting: ${MAX_PARTIAL_DEPTH} levels below a prompt; a partial counts as one`, async () => {
    // deep-1 includes deep-2 … includes deep-7 (7 levels).
    for (let level = 7; level >= 1; level -= 1) {
      await partial(`deep-${level}`, level === 7 ? 'end' : `{{> deep-${level + 1}}}`);
    }
    // A new partial including deep-1: a prompt including it nests 8 levels.
    expect(
      await refusal(checkPartialPartials(store, { name: 'Top', slug: 'top', string: '{{> deep-1}}' })),
    ).toBe(undefined);
    await partial('top', '{{> deep-1}}');
    expect(
      (await refusal(checkPartialPartials(store, { name: 'Over', slug: 'over', string: '{{> top}}' })))
        ?.message,
    ).toBe(
      'invalid prompt partial: string: a prompt including it would nest partials deeper than 8 levels (over → top → deep-1 → deep-2 → deep-3 → deep-4 → deep-5 → deep-6 → …)',
    );
    // A new partial with no slug yet is a level too.
    expect(
      (await refusal(checkPartialPartials(store, { name: 'Over', string: '{{> top}}' })))?.message,
    ).toContain('((new partial) → top → deep-1');
    expect(await refusal(checkPromptPartials(store, { string: '{{> top}}' }))).toBeUndefined();
    // Nested one level more (saved before the check): a prompt including it is refused.
    await partial('over', '{{> top}}');
    expect((await refusal(checkPromptPartials(store, { string: '{{> over}}' })))?.message).toBe(
      'invalid prompt: string: nests partials deeper than 8 levels (over → top → deep-1 → deep-2 → deep-3 → deep-4 → deep-5 → deep-6 → …)',
    );
  });

  it('a missing partial is named as before, from the template down', async () => {
    await partial('outer', '{{> inner}}');
    // `inner` never existed: saved straight into the store.
    expect((await refusal(checkPartialPartials(store, { string: 'x {{> outer}}' }, 'leaf')))?.message).toBe(
      'invalid prompt partial: string: includes the partial "outer", which includes the partial "inner", which does not exist',
    );
    expect((await refusal(checkPromptPartials(store, { string: '{{> outer}}' })))?.message).toBe(
      'invalid prompt: string: includes the partial "outer", which includes the partial "inner", which does not exist',
    );
  });

  it('publishing a version that would close a ring (saved while the other partial did not include it) is refused', async () => {
    await partial('pub-a', 'A');
    await partial('pub-b', 'B');
    // b v2 includes a, whose published version includes nothing: no ring when saved.
    expect(await refusal(checkPartialPartials(store, { string: '{{> pub-a}}' }, 'pub-b'))).toBeUndefined();
    await store.promptPartials.update('pub-b', { string: '{{> pub-a}}' }, 'test');
    // a v2 includes b, whose published version (1) includes nothing: saved and published.
    expect(await refusal(checkPartialPartials(store, { string: '{{> pub-b}}' }, 'pub-a'))).toBeUndefined();
    await store.promptPartials.update('pub-a', { string: '{{> pub-b}}' }, 'test');
    expect(await refusal(checkPartialPublish(store, 'pub-a', 2))).toBeUndefined();
    await store.promptPartials.publish('pub-a', 2, 'test');
    // Now publishing b v2 would make them include each other.
    expect(await refusal(checkPartialPublish(store, 'pub-b', 2))).toEqual({
      status: 400,
      code: 'PK_ERR_INVALID_REQUEST',
      param: 'version',
      message:
        'invalid prompt partial version: version 2: would make partials include each other (pub-b → pub-a → pub-b): no prompt including them could run',
    });
    expect(await refusal(checkPartialPublish(store, 'pub-b', 1))).toBeUndefined();
    // An unknown partial or version is the store's to answer.
    expect(await refusal(checkPartialPublish(store, 'pub-b', 9))).toBeUndefined();
    expect(await refusal(checkPartialPublish(store, 'no-such', 1))).toBeUndefined();
  });
});
