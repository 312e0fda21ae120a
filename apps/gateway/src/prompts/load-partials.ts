import { PkError } from '@pk/config';
import { type PartialTemplates, partialNamesIn, type TemplateText } from './render-prompt.js';

/** How deep partials may include partials. */
export const MAX_PARTIAL_DEPTH = 8;
/** How many distinct partials one prompt may include, all levels together. */
export const MAX_PARTIALS = 64;

/**
 * Why a template's partials cannot be rendered. `chain` is the partials from the template down, each
 * included by the one before it (the `includedBy` given first):
 * - `missing`: the last one does not exist (`where` is the text of the template that starts the chain);
 * - `cycle`: the last one is already in the chain before it (`a → b → a`), so Mustache would recurse
 *   without end;
 * - `too-deep`: the chain is {@link MAX_PARTIAL_DEPTH} partials long and its last one includes another;
 * - `too-many`: more than {@link MAX_PARTIALS} distinct partials (`chain` is the one that was one too many).
 */
export interface PartialsProblem {
  readonly kind: 'missing' | 'cycle' | 'too-deep' | 'too-many';
  readonly chain: readonly string[];
  readonly where: string;
}

/** The 400 a run answers for each {@link PartialsProblem}. */
export function partialsRunError({ kind, chain, where }: PartialsProblem): PkError {
  const message = {
    missing: `the prompt template (${where}) includes the partial "${chain.at(-1)}", which does not exist`,
    cycle: `the prompt's partials include each other: ${chain.join(' → ')}`,
    'too-deep': `the prompt's partials nest deeper than ${MAX_PARTIAL_DEPTH} levels (${chain.join(' → ')})`,
    'too-many': `the prompt includes more than ${MAX_PARTIALS} partials`,
  }[kind];
  return new PkError('PK_ERR_INVALID_REQUEST', message);
}

/** What {@link loadPartials} walks, and how it answers what it cannot load. */
export interface LoadPartialsOptions {
  /** The texts of a template (a prompt's, or a partial's as one text). */
  readonly texts: readonly TemplateText[];
  /** A partial's template by the name a template gives it (`slug`, `slug@2`), or `undefined` when none. */
  readonly resolve: (name: string) => Promise<string | undefined>;
  /** The error thrown for a problem; {@link partialsRunError} (a run's 400) by default. */
  readonly refuse?: (problem: PartialsProblem) => Error;
  /**
   * The partial whose template `texts` are, when they are one (by the name templates give it): the
   * walk starts one level down, as in a prompt that includes it, so a partial that includes itself,
   * directly or through others, is a `cycle`. Absent for a prompt's template.
   */
  readonly includedBy?: string;
}

/**
 * The partials a template's texts include (`{{> slug}}`, `{{> slug@2}}`), and the partials those
 * include, each read once through `resolve` (the published version for a bare slug). Refused before
 * anything is rendered: a partial that does not exist, partials that include each other (Mustache
 * would recurse without end), more than {@link MAX_PARTIAL_DEPTH} levels or {@link MAX_PARTIALS}
 * partials (see {@link PartialsProblem}). Runs and the admin API's checks of what is saved walk the
 * same way, so a template saved is one a run can load.
 */
export async function loadPartials(options: LoadPartialsOptions): Promise<PartialTemplates> {
  const { resolve, refuse = partialsRunError, includedBy } = options;
  const partials: Record<string, string> = {};
  // The partial the texts are counts as one of those a prompt including it includes.
  const root = includedBy === undefined ? [] : [includedBy];
  const visit = async (text: string, where: string, path: readonly string[]): Promise<void> => {
    for (const name of partialNamesIn(text, where)) {
      if (path.includes(name)) throw refuse({ kind: 'cycle', chain: [...path, name], where });
      if (Object.hasOwn(partials, name)) continue;
      if (path.length >= MAX_PARTIAL_DEPTH) throw refuse({ kind: 'too-deep', chain: path, where });
      if (Object.keys(partials).length + root.length >= MAX_PARTIALS) {
        throw refuse({ kind: 'too-many', chain: [...path, name], where });
      }
      const template = await resolve(name);
      if (template === undefined) throw refuse({ kind: 'missing', chain: [...path, name], where });
      partials[name] = template;
      await visit(template, `partial ${name}`, [...path, name]);
    }
  };
  for (const { text, where } of options.texts) await visit(text, where, root);
  return partials;
}
