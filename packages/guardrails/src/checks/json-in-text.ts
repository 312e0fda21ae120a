/**
 * JSON found in a model's text, as Portkey's `jsonSchema` / `jsonKeys` look for it: fenced code
 * blocks, then every `{…}` span up to the first `}` after its `{`. Written with `indexOf` rather
 * than Portkey's lazy regexes, which take quadratic time on text full of unclosed `{` or fences.
 */
export function jsonCandidates(text: string, which: 'prefer-code-blocks' | 'both'): string[] {
  const found = fencedBlocks(text);
  if (which === 'prefer-code-blocks' && found.length > 0) return found;
  let position = 0;
  for (;;) {
    const open = text.indexOf('{', position);
    if (open === -1) break;
    const close = text.indexOf('}', open + 1);
    if (close === -1) break;
    found.push(text.slice(open, close + 1));
    position = close + 1;
  }
  return found;
}

/** The contents of ```-fenced blocks (an optional `json` tag dropped), trimmed. */
function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  let position = 0;
  for (;;) {
    const open = text.indexOf('```', position);
    if (open === -1) break;
    let start = open + 3;
    while (text[start] === '`') start += 1;
    if (text.startsWith('json', start)) start += 4;
    const close = text.indexOf('```', start);
    if (close === -1) break;
    blocks.push(text.slice(start, close).trim());
    position = close + 3;
    while (text[position] === '`') position += 1;
  }
  return blocks;
}

/** The language tags of fenced code blocks written ```` ```tag\n…\n``` ```` (Portkey's `containsCode`). */
export function codeBlockLanguages(text: string): string[] {
  const tags: string[] = [];
  let position = 0;
  for (;;) {
    const open = text.indexOf('```', position);
    if (open === -1) break;
    const tag = /^\w+\n/.exec(text.slice(open + 3, open + 3 + 64));
    if (tag === null) {
      position = open + 3;
      continue;
    }
    const bodyStart = open + 3 + tag[0].length;
    const close = text.indexOf('\n```', bodyStart);
    if (close === -1) break;
    tags.push(tag[0].slice(0, -1).toLowerCase());
    position = close + 4;
  }
  return tags;
}

/** Parses JSON, or undefined. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
