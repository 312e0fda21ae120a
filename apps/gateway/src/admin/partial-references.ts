import type { PromptRepository, Store } from '@pk/store';
import { MAX_PARTIALS } from '../prompts/load-partials.js';
import { partialNamesIn, templateTexts } from '../prompts/render-prompt.js';

/** A record as templates may name it: by its slug or its id, with or without `@version`. */
interface Named {
  readonly id: string;
  readonly slug: string;
}

/** The partials a template includes (`{{> slug}}`); none for one Mustache cannot parse, which cannot run. */
function includedPartials(template: string): string[] {
  try {
    return templateTexts(template).flatMap(({ text, where }) => partialNamesIn(text, where));
  } catch {
    return [];
  }
}

/** `repository`'s records whose published, latest or labelled version includes `partial`, by slug. */
async function directIncluders(repository: PromptRepository, partial: Named): Promise<Named[]> {
  const names = new Set([partial.slug, partial.id]);
  const found = new Map<string, Named>();
  for (const text of names) {
    for (const { id, slug, template } of await repository.templatesContaining(text)) {
      if (id === partial.id || found.has(slug)) continue;
      if (includedPartials(template).some((name) => names.has(name.split('@')[0] ?? name)))
        found.set(slug, { id, slug });
    }
  }
  return [...found.values()];
}

/** What deleting a partial would break: the prompts that run it, and the partials they run it through. */
export interface PartialIncluders {
  /** Prompts whose published, latest or labelled version includes it, directly or through partials. */
  readonly prompts: string[];
  /** The partials between those prompts and it (each includes it, directly or through another). */
  readonly through: string[];
}

/**
 * The prompts whose published, latest or labelled version includes `partial` (`{{> slug}}`,
 * `{{> slug@2}}`, or by its id), directly or through other partials, and those partials: deleting it
 * would make each of those prompts' runs a 400, so the admin API refuses that (409) naming them.
 * Partials that only include each other (no prompt runs them) hold nothing. At most
 * {@link MAX_PARTIALS} partials are followed, as many as one prompt may include.
 */
export async function partialIncluders(store: Store, partial: Named): Promise<PartialIncluders> {
  // The partials including it, level by level, with who includes whom (includer → included).
  const partials = new Map<string, Named>([[partial.slug, partial]]);
  const includes = new Map<string, string[]>();
  const queue: Named[] = [partial];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const includer of await directIncluders(store.promptPartials, next)) {
      includes.set(includer.slug, [...(includes.get(includer.slug) ?? []), next.slug]);
      if (partials.has(includer.slug) || partials.size > MAX_PARTIALS) continue;
      partials.set(includer.slug, includer);
      queue.push(includer);
    }
  }
  const prompts = new Set<string>();
  // The partials some prompt includes directly, then those they include, down to `partial`.
  const reached = new Set<string>();
  for (const named of partials.values()) {
    const users = await directIncluders(store.prompts, named);
    for (const user of users) prompts.add(user.slug);
    if (users.length > 0) reached.add(named.slug);
  }
  for (let grown = true; grown; ) {
    grown = false;
    for (const slug of reached) {
      for (const included of includes.get(slug) ?? []) {
        if (reached.has(included)) continue;
        reached.add(included);
        grown = true;
      }
    }
  }
  reached.delete(partial.slug);
  return { prompts: [...prompts].sort(), through: [...reached].sort() };
}
