import { PkError } from '@pk/config';
import type { Store } from '@pk/store';
import {
  loadPartials,
  MAX_PARTIAL_DEPTH,
  MAX_PARTIALS,
  type PartialsProblem,
} from '../prompts/load-partials.js';
import { type TemplateText, templateTexts } from '../prompts/render-prompt.js';

/** A problem found by the walk, carried out of it to be told in the admin API's words. */
class PartialsRefused extends Error {
  constructor(readonly problem: PartialsProblem) {
    super(problem.kind);
  }
}

/** The partial whose version is being saved (or published), as templates name it. */
export interface SavedPartial {
  /** Its slug; undefined for a new partial whose slug the store makes (no template names it yet). */
  readonly slug: string | undefined;
  /** Its id, once it has one (templates may name a partial by id). */
  readonly id?: string;
  /** The number of the version. */
  readonly version: number;
  /** Whether the version is the latest (`@latest` names it). */
  readonly latest: boolean;
  /** The version's template. */
  readonly template: string;
}

/** How a partial with no slug yet appears in a chain: no template can name it (not a slug). */
const UNNAMED_PARTIAL = '(new partial)';

/**
 * Whether `name` (`slug`, `slug@2`, `id@latest` …) names `partial`'s version as though it were
 * published: a bare slug or id, its number, or `@latest` when it is the latest.
 */
function namesSavedVersion(name: string, partial: SavedPartial): boolean {
  const [base, suffix, ...rest] = name.split('@');
  if (rest.length > 0 || (base !== partial.slug && base !== partial.id)) return false;
  return (
    suffix === undefined || suffix === String(partial.version) || (suffix === 'latest' && partial.latest)
  );
}

/**
 * What keeps `texts` from running, walked as a run walks them ({@link loadPartials}: the published
 * version for a bare slug, `@2`, a label): a partial that does not exist, partials that include each
 * other, too deep or too many; `undefined` when nothing does. When `partial` is given, `texts` are its
 * template: the walk starts at it, as a prompt including it would, and reads it as published, so a
 * version that would close a cycle once published is found now. A template Mustache cannot parse is
 * left to the run (and to the store) to refuse.
 */
export async function partialsProblem(
  store: Store,
  texts: readonly TemplateText[],
  partial?: SavedPartial,
): Promise<PartialsProblem | undefined> {
  try {
    await loadPartials({
      texts,
      resolve: async (name) =>
        partial !== undefined && namesSavedVersion(name, partial)
          ? partial.template
          : (await store.promptPartials.resolve(name))?.version.template,
      refuse: (problem) => new PartialsRefused(problem),
      ...(partial === undefined ? {} : { includedBy: partial.slug ?? UNNAMED_PARTIAL }),
    });
    return undefined;
  } catch (error) {
    if (error instanceof PartialsRefused) return error.problem;
    return undefined;
  }
}

/** `the partial "a", which includes the partial "b", which does not exist`. */
function missingChain(chain: readonly string[]): string {
  const through = chain
    .slice(0, -1)
    .map((name) => `the partial "${name}", which includes `)
    .join('');
  return `includes ${through}the partial "${chain.at(-1)}", which does not exist`;
}

/** What is wrong with a prompt's template, or with a partial's (`asPartial`), in the admin API's words. */
export function describePartialsProblem({ kind, chain }: PartialsProblem, asPartial: boolean): string {
  const arrows = chain.join(' → ');
  switch (kind) {
    case 'missing':
      // A partial's own name heads its chain; the message starts from its template.
      return missingChain(asPartial ? chain.slice(1) : chain);
    case 'cycle':
      return asPartial
        ? `would make partials include each other (${arrows}): no prompt including them could run`
        : `includes partials that include each other (${arrows}): no run could render them`;
    case 'too-deep':
      return asPartial
        ? `a prompt including it would nest partials deeper than ${MAX_PARTIAL_DEPTH} levels (${arrows} → …)`
        : `nests partials deeper than ${MAX_PARTIAL_DEPTH} levels (${arrows} → …)`;
    case 'too-many':
      return asPartial
        ? `a prompt including it would include more than ${MAX_PARTIALS} partials`
        : `includes more than ${MAX_PARTIALS} partials`;
  }
}

/** A 400 naming the template's `param` (`string` of a body, `version` of a publish). */
function refusal(what: string, param: string, problem: PartialsProblem, asPartial: boolean): PkError {
  return new PkError(
    'PK_ERR_INVALID_REQUEST',
    `invalid ${what}: ${describePartialsProblem(problem, asPartial)}`,
    { param },
  );
}

/**
 * Refuses a prompt body (a create or a new version) whose `string` could never run: it includes a
 * partial that does not exist, directly or through other partials, partials that include each other
 * (`a → b → a`), more than {@link MAX_PARTIAL_DEPTH} levels or {@link MAX_PARTIALS} partials. A 400
 * naming the chain of partials. The template is read as runs read it (each message's text for a chat
 * template).
 */
export async function checkPromptPartials(
  store: Store,
  body: Readonly<Record<string, unknown>>,
): Promise<void> {
  const template = body.string;
  // Anything but a string is the store's to refuse (or, on an update, keeps the template).
  if (typeof template !== 'string') return;
  const problem = await partialsProblem(store, templateTexts(template));
  if (problem !== undefined) throw refusal('prompt: string', 'string', problem, false);
}

/**
 * Refuses a partial body (a create, or with `reference` an update: a new version) whose `string`
 * could never run in a prompt, read as one text and as though the new version were published: what
 * {@link checkPromptPartials} refuses, and a partial that would include itself, directly or through
 * others (`b → a → b`, for a `b` that includes `a` while `a` includes `b`), counting the partial
 * itself as a level and as one of the partials.
 */
export async function checkPartialPartials(
  store: Store,
  body: Readonly<Record<string, unknown>>,
  reference?: string,
): Promise<void> {
  const template = body.string;
  if (typeof template !== 'string') return;
  let partial: SavedPartial;
  if (reference === undefined) {
    partial = {
      slug: typeof body.slug === 'string' ? body.slug : undefined,
      version: 1,
      latest: true,
      template,
    };
  } else {
    const record = await store.promptPartials.get(reference);
    // An unknown partial is the store's to answer (404).
    if (record === undefined) return;
    const version = record.latestVersion + 1;
    partial = { slug: record.slug, id: record.id, version, latest: true, template };
  }
  const problem = await partialsProblem(store, [{ text: template, where: 'string' }], partial);
  if (problem !== undefined) throw refusal('prompt partial: string', 'string', problem, true);
}

/**
 * Refuses publishing a version of a partial that would make partials include each other (or nest
 * too deep, or too many) once requests get it: each version was checked when it was saved, but the
 * partials it includes may have changed since (`a` published including `b` after `b`'s version
 * including `a` was saved).
 */
export async function checkPartialPublish(store: Store, reference: string, version: number): Promise<void> {
  const record = await store.promptPartials.get(reference);
  const saved = record && (await store.promptPartials.version(record.id, version));
  // An unknown partial or version is the store's to answer (404).
  if (record === undefined || saved === undefined) return;
  const partial: SavedPartial = {
    slug: record.slug,
    id: record.id,
    version,
    latest: version === record.latestVersion,
    template: saved.template,
  };
  const problem = await partialsProblem(store, [{ text: saved.template, where: 'string' }], partial);
  if (problem !== undefined) {
    throw refusal(`prompt partial version: version ${version}`, 'version', problem, true);
  }
}
