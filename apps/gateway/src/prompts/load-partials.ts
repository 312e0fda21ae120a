import { PkError } from '@pk/config';
import { type PartialTemplates, partialNamesIn, type TemplateText } from './render-prompt.js';

/** How deep partials may include partials. */
export const MAX_PARTIAL_DEPTH = 8;
/** How many distinct partials one prompt may include, all levels together. */
export const MAX_PARTIALS = 64;

const refused = (message: string) => new PkError('PK_ERR_INVALID_REQUEST', message);

/**
 * The partials a template's texts include (`{{> slug}}`, `{{> slug@2}}`), and the partials those
 * include, each read once through `resolve` (the published version for a bare slug). Refused with a
 * 400 before anything is rendered: a partial that does not exist, partials that include each other
 * (Mustache would recurse without end), more than {@link MAX_PARTIAL_DEPTH} levels or
 * {@link MAX_PARTIALS} partials.
 */
export async function loadPartials(
  texts: readonly TemplateText[],
  resolve: (name: string) => Promise<string | undefined>,
  /** The error for a partial that does not exist, given the chain of partials to it (itself last). */
  missing: (chain: readonly string[], where: string) => Error = (chain, where) =>
    refused(`the prompt template (${where}) includes the partial "${chain.at(-1)}", which does not exist`),
): Promise<PartialTemplates> {
  const partials: Record<string, string> = {};
  const visit = async (text: string, where: string, path: readonly string[]): Promise<void> => {
    for (const name of partialNamesIn(text, where)) {
      if (path.includes(name)) {
        throw refused(`the prompt's partials include each other: ${[...path, name].join(' → ')}`);
      }
      if (Object.hasOwn(partials, name)) continue;
      if (path.length >= MAX_PARTIAL_DEPTH) {
        throw refused(
          `the prompt's partials nest deeper than ${MAX_PARTIAL_DEPTH} levels (${path.join(' → ')})`,
        );
      }
      if (Object.keys(partials).length >= MAX_PARTIALS) {
        throw refused(`the prompt includes more than ${MAX_PARTIALS} partials`);
      }
      const template = await resolve(name);
      if (template === undefined) throw missing([...path, name], where);
      partials[name] = template;
      await visit(template, `partial ${name}`, [...path, name]);
    }
  };
  for (const { text, where } of texts) await visit(text, where, []);
  return partials;
}
