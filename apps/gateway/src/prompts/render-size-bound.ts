import { PkError } from '@pk/config';
import Mustache from 'mustache';

/** The most text a rendering may make, in characters (16 Mi). */
export const MAX_RENDERED_CHARS = 16 * 1024 * 1024;

/** The most tags a rendering may fill in, each repetition of a section counted again (1 Mi). */
export const MAX_RENDERED_TAGS = 1024 * 1024;

/** The most a rendering can make: characters, and tags filled in (its work, even when they are empty). */
export interface RenderSizeBound {
  readonly chars: number;
  readonly tags: number;
}

/** The longest text and list each variable name can resolve to, anywhere in the variables. */
interface VariableBounds {
  readonly textByName: Map<string, number>;
  readonly listByName: Map<string, number>;
  /** What `.` can be in a section over each name: an element of its list, else its value. */
  readonly dotTextByName: Map<string, number>;
  readonly dotListByName: Map<string, number>;
  /** Values of array elements (names `0`, `1` … after a dot). */
  indexText: number;
  indexList: number;
  /** Any value at all (`{{.}}`, `{{#.}}`). */
  anyText: number;
  anyList: number;
}

/** `[object Object]`: what Mustache writes for an object. */
const OBJECT_TEXT_LENGTH = 15;
/** The longest a number's text can be (`length`, or a number variable). */
const NUMBER_TEXT_LENGTH = 24;
const INDEX_NAME = /^\d+$/;

const raise = (map: Map<string, number>, key: string, value: number) => {
  if (value > (map.get(key) ?? 0)) map.set(key, value);
};

/**
 * Records what `value` (found under `key`, or an array element when `key` is `null`) gives a name,
 * and everything it holds; answers the length of its text as Mustache writes it (`String(value)`;
 * null writes nothing, and is nothing in an array's comma-joined text).
 */
function measure(value: unknown, key: string | null, bounds: VariableBounds): number {
  let text = 0;
  let list = 0;
  let dotText = 0;
  let dotList = 0;
  if (Array.isArray(value)) {
    list = value.length;
    text = Math.max(0, value.length - 1);
    for (const item of value) {
      const itemText = measure(item, null, bounds);
      text += itemText;
      dotText = Math.max(dotText, itemText);
      if (Array.isArray(item)) dotList = Math.max(dotList, item.length);
    }
  } else if (typeof value === 'object' && value !== null) {
    text = OBJECT_TEXT_LENGTH;
    for (const name in value) measure((value as Record<string, unknown>)[name], name, bounds);
  } else if (value !== null && value !== undefined) {
    text = String(value).length;
  }
  if (key === null) {
    bounds.indexText = Math.max(bounds.indexText, text);
    bounds.indexList = Math.max(bounds.indexList, list);
  } else {
    raise(bounds.textByName, key, text);
    raise(bounds.listByName, key, list);
    raise(bounds.dotTextByName, key, Array.isArray(value) ? dotText : text);
    raise(bounds.dotListByName, key, dotList);
  }
  bounds.anyText = Math.max(bounds.anyText, text);
  bounds.anyList = Math.max(bounds.anyList, list);
  return text;
}

/** The name a lookup ends on: `c` of `a.b.c` (the value is found under it, wherever it is). */
function lastName(name: string): string {
  return name.indexOf('.') > 0 ? name.slice(name.lastIndexOf('.') + 1) : name;
}

/** What `.` can be where a tag is: the longest text and list it can be. */
interface Dot {
  readonly text: number;
  readonly list: number;
}

/** What `.` can be inside a section over `name`: an element of a list under that name, else the value. */
function dotIn(name: string, dot: Dot, bounds: VariableBounds): Dot {
  // A section over `.`, a path or an element: any value (coarse, and rare).
  if (name === '.' || name.indexOf('.') > 0 || INDEX_NAME.test(name)) {
    return { text: bounds.anyText, list: bounds.anyList };
  }
  if (!bounds.textByName.has(name)) return dot; // never found: the section does not render
  return { text: bounds.dotTextByName.get(name) ?? 0, list: bounds.dotListByName.get(name) ?? 0 };
}

/** The longest text a variable tag can write (see `OwnDataContext`: only the variables' own data). */
function textBound(name: string, dot: Dot, bounds: VariableBounds): number {
  if (name === '.') return dot.text;
  const key = lastName(name);
  let text = bounds.textByName.get(key) ?? 0;
  if (key === 'length') text = Math.max(text, NUMBER_TEXT_LENGTH);
  if (INDEX_NAME.test(key)) text = Math.max(text, bounds.indexText, 1); // an element, or a string's character
  return text;
}

/** How many times a section can repeat: the longest list its name can resolve to, else once. */
function repeatBound(name: string, dot: Dot, bounds: VariableBounds): number {
  if (name === '.') return Math.max(1, dot.list);
  const key = lastName(name);
  let list = bounds.listByName.get(key) ?? 0;
  if (INDEX_NAME.test(key)) list = Math.max(list, bounds.indexList);
  return Math.max(1, list);
}

/** Mustache's indentation of a standalone partial tag's lines (`Writer.indentPartial`). */
function indentPartial(partial: string, indentation: string, lineHasNonSpace: boolean): string {
  const spaces = indentation.replace(/[^ \t]/g, '');
  return partial
    .split('\n')
    .map((line, index) => (line.length > 0 && (index > 0 || !lineHasNonSpace) ? spaces + line : line))
    .join('\n');
}

interface BoundWalk {
  readonly bounds: VariableBounds;
  readonly partials: Readonly<Record<string, string>>;
  readonly partialBounds: Map<string, RenderSizeBound | 'open'>;
  readonly parse: (text: string, where: string) => unknown[];
}

function tokensBound(tokens: readonly unknown[], dot: Dot, walk: BoundWalk): RenderSizeBound {
  let chars = 0;
  let tags = 0;
  for (const token of tokens) {
    if (!Array.isArray(token)) continue;
    const [symbol, value] = token as [string, string];
    tags += 1;
    if (symbol === 'text') chars += value.length;
    else if (symbol === 'name' || symbol === '&') chars += textBound(value, dot, walk.bounds);
    else if (symbol === '#' || symbol === '^') {
      // An inverted section renders at most once, as it is; a section once per element of its list.
      const inner = symbol === '^' ? dot : dotIn(value, dot, walk.bounds);
      const body = tokensBound(token[4] as unknown[], inner, walk);
      const times = symbol === '^' ? 1 : repeatBound(value, dot, walk.bounds);
      chars += times * body.chars;
      // Each repetition is work even when its body writes nothing.
      tags += times * (1 + body.tags);
    } else if (symbol === '>') {
      const body = partialBound(token, dot, walk);
      chars += body.chars;
      tags += body.tags;
    }
  }
  return { chars, tags };
}

function partialBound(token: readonly unknown[], dot: Dot, walk: BoundWalk): RenderSizeBound {
  const name = token[1] as string;
  // Only a partial given: a name such as `constructor` must not find Object.prototype's.
  const partial = Object.hasOwn(walk.partials, name) ? walk.partials[name] : undefined;
  if (partial === undefined) return { chars: 0, tags: 0 }; // refused when rendering
  const indentation = token[4];
  const text =
    token[5] === 0 && typeof indentation === 'string' && indentation !== ''
      ? indentPartial(partial, indentation, token[6] === true)
      : partial;
  const key = `${dot.text},${dot.list}\n${text}`;
  const known = walk.partialBounds.get(key);
  // Partials that include each other are refused before this; were they not, they never end.
  if (known === 'open') return { chars: Number.POSITIVE_INFINITY, tags: Number.POSITIVE_INFINITY };
  if (known !== undefined) return known;
  walk.partialBounds.set(key, 'open');
  const bound = tokensBound(walk.parse(text, `partial ${name}`), dot, walk);
  walk.partialBounds.set(key, bound);
  return bound;
}

/**
 * The most a rendering of `texts` with `variables` can make, computed from the parsed templates
 * without rendering: a text is its length, a variable tag the longest value its name can resolve to
 * anywhere in the variables, a section its body times the longest list its name can resolve to
 * (sections in sections multiply), a partial its own bound. Sound because names resolve only to
 * the variables' own data (`OwnDataContext`).
 */
export function renderSizeBound(
  variables: Readonly<Record<string, unknown>>,
  texts: readonly { readonly text: string; readonly where: string }[],
  partials: Readonly<Record<string, string>>,
  parse: (text: string, where: string) => unknown[] = (text) => Mustache.parse(text) as unknown[],
): RenderSizeBound {
  const bounds: VariableBounds = {
    textByName: new Map(),
    listByName: new Map(),
    dotTextByName: new Map(),
    dotListByName: new Map(),
    indexText: 0,
    indexList: 0,
    anyText: 0,
    anyList: 0,
  };
  const rootText = measure(variables, null, bounds);
  const root: Dot = { text: rootText, list: 0 };
  const walk: BoundWalk = { bounds, partials, partialBounds: new Map(), parse };
  let chars = 0;
  let tags = 0;
  for (const { text, where } of texts) {
    const bound = tokensBound(parse(text, where), root, walk);
    chars += bound.chars;
    tags += bound.tags;
  }
  return { chars, tags };
}

/**
 * Refuses, before rendering, variables with which the template could render more than
 * {@link MAX_RENDERED_CHARS} characters or fill in more than {@link MAX_RENDERED_TAGS} tags (see
 * {@link renderSizeBound}). A 400 naming `variables`.
 */
export function checkRenderSize(bound: RenderSizeBound): void {
  if (bound.chars > MAX_RENDERED_CHARS || bound.tags > MAX_RENDERED_TAGS) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      bound.chars > MAX_RENDERED_CHARS
        ? `variables: this prompt could render ${bound.chars} characters with them, more than ${MAX_RENDERED_CHARS}`
        : `variables: this prompt could fill in ${bound.tags} tags with them (sections repeat per list element), more than ${MAX_RENDERED_TAGS}`,
      { param: 'variables' },
    );
  }
}
