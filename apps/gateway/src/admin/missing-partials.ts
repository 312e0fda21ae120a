import { PkError } from '@pk/config';
import type { Store } from '@pk/store';
import { MAX_PARTIALS } from '../prompts/load-partials.js';
import { partialNamesIn, type TemplateText, templateTexts } from '../prompts/render-prompt.js';

/** The partials a text includes; none for one Mustache cannot parse (its runs say why). */
function namesIn({ text, where }: TemplateText): string[] {
  try {
    return partialNamesIn(text, where);
  } catch {
    return [];
  }
}

/**
 * The chain of partials (`["outer", "missing"]`) from `texts` to the first partial that does not exist,
 * following each partial as a run would (its published version for a bare slug, `@2`, a label), or
 * `undefined` when every partial they reach exists. Each partial is read once; at most
 * {@link MAX_PARTIALS} are followed. Cycles and depth are left to the run, which refuses them.
 */
async function missingPartialChain(
  store: Store,
  texts: readonly TemplateText[],
): Promise<string[] | undefined> {
  const seen = new Set<string>();
  const queue: { readonly name: string; readonly chain: readonly string[] }[] = texts.flatMap((text) =>
    namesIn(text).map((name) => ({ name, chain: [name] })),
  );
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (seen.has(next.name) || seen.size >= MAX_PARTIALS) continue;
    seen.add(next.name);
    const template = (await store.promptPartials.resolve(next.name))?.version.template;
    if (template === undefined) return [...next.chain];
    for (const name of namesIn({ text: template, where: `partial ${next.name}` })) {
      queue.push({ name, chain: [...next.chain, name] });
    }
  }
  return undefined;
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
