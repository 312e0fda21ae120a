import { PkError } from '@pk/config';
import type { Store } from '@pk/store';
import { loadPartials } from '../prompts/load-partials.js';
import { type TemplateText, templateTexts } from '../prompts/render-prompt.js';

/** A partial that does not exist, with the chain of partials to it (itself last). */
class MissingPartial extends Error {
  constructor(readonly chain: readonly string[]) {
    super('missing partial');
  }
}

/**
 * The chain of partials (`["outer", "missing"]`) from `texts` to the first partial that does not exist,
 * walked as a run walks them ({@link loadPartials}: the published version for a bare slug, `@2`, a
 * label), or `undefined` when every partial they reach exists. What else a run refuses (partials that
 * include each other, too deep, too many, a template Mustache cannot parse) is left to the run.
 */
async function missingPartialChain(
  store: Store,
  texts: readonly TemplateText[],
): Promise<readonly string[] | undefined> {
  try {
    await loadPartials({
      texts,
      resolve: async (name) => (await store.promptPartials.resolve(name))?.version.template,
      refuse: (problem) => (problem.kind === 'missing' ? new MissingPartial(problem.chain) : new Error()),
    });
    return undefined;
  } catch (error) {
    if (error instanceof MissingPartial) return error.chain;
    return undefined;
  }
}

/**
 * Refuses a prompt or partial body whose `string` includes a partial that does not exist, directly or
 * through other partials (a 400 naming it): every run of it would be a 400. A prompt's template is
 * read as runs read it (each message's text for a chat template); a partial's as one text.
 */
export async function checkIncludedPartials(
  store: Store,
  body: Readonly<Record<string, unknown>>,
  kind: 'prompt' | 'prompt partial',
): Promise<void> {
  const template = body.string;
  // Anything but a string is the store's to refuse (or, on an update, keeps the template).
  if (typeof template !== 'string') return;
  const texts = kind === 'prompt' ? templateTexts(template) : [{ text: template, where: 'string' }];
  const chain = await missingPartialChain(store, texts);
  if (chain === undefined) return;
  const through = chain
    .slice(0, -1)
    .map((name) => `the partial "${name}", which includes `)
    .join('');
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    `invalid ${kind}: string: includes ${through}the partial "${chain.at(-1)}", which does not exist`,
    { param: 'string' },
  );
}
