/**
 * Words whose presence flips or shifts what a question asks while an embedding barely moves
 * ("turn on the light" and "turn off the light" are above 0.95 cosine for common embedding models,
 * vllm-project/semantic-router#2691): each stands for itself, so two questions share an answer only
 * when they hold the same ones. English only; a word is matched as written or with a plain
 * inflection (`-s`, `-es`, `-ed`, `-d`, `-ing`).
 */
const POLAR_WORDS: ReadonlySet<string> = new Set([
  'on',
  'off',
  'enable',
  'disable',
  'true',
  'false',
  'yes',
  'increase',
  'decrease',
  'up',
  'down',
  'open',
  'close',
  'start',
  'stop',
  'add',
  'remove',
  'before',
  'after',
  'min',
  'minimum',
  'max',
  'maximum',
  'more',
  'less',
  'most',
  'least',
  'above',
  'below',
  'over',
  'under',
  'accept',
  'reject',
  'allow',
  'deny',
  'include',
  'exclude',
  'lock',
  'unlock',
  'show',
  'hide',
  'encrypt',
  'decrypt',
  'buy',
  'sell',
  'first',
  'last',
  'ascending',
  'descending',
  'asc',
  'desc',
  'left',
  'right',
  'high',
  'higher',
  'highest',
  'low',
  'lower',
  'lowest',
  'best',
  'worst',
  'better',
  'worse',
  'big',
  'bigger',
  'biggest',
  'small',
  'smaller',
  'smallest',
  'large',
  'larger',
  'largest',
  'long',
  'longer',
  'longest',
  'short',
  'shorter',
  'shortest',
  'positive',
  'negative',
  'plus',
  'minus',
  'push',
  'pull',
  'import',
  'export',
  'input',
  'output',
  'upload',
  'download',
  'install',
  'uninstall',
  'connect',
  'disconnect',
  'subscribe',
  'unsubscribe',
  'follow',
  'unfollow',
  'win',
  'lose',
  'gain',
  'loss',
  'hot',
  'cold',
  'north',
  'south',
  'east',
  'west',
  'past',
  'future',
  'always',
  'all',
  'safe',
  'unsafe',
  'legal',
  'illegal',
  'valid',
  'invalid',
  'possible',
  'impossible',
  'agree',
  'disagree',
  'inside',
  'outside',
  'read',
  'write',
  'send',
  'receive',
  'encode',
  'decode',
  'compress',
  'decompress',
  'earlier',
  'later',
  'old',
  'older',
  'oldest',
  'new',
  'newer',
  'newest',
]);

/** Words that negate what follows them; a word ending in `n't` does too. */
const NEGATIONS: ReadonlySet<string> = new Set([
  'not',
  'no',
  'never',
  'none',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'nowhere',
  'without',
  'cannot',
]);

/** The inflections a polar word may carry, tried in order (`enabled` → `enable`, `stops` → `stop`). */
const SUFFIXES: readonly (readonly [string, string])[] = [
  ['ing', ''],
  ['ing', 'e'],
  ['ed', ''],
  ['ed', 'e'],
  ['d', ''],
  ['es', ''],
  ['s', ''],
];

function polarWordOf(word: string): string | undefined {
  if (POLAR_WORDS.has(word)) return word;
  for (const [suffix, ending] of SUFFIXES) {
    if (word.length > suffix.length + 1 && word.endsWith(suffix)) {
      const base = word.slice(0, -suffix.length) + ending;
      if (POLAR_WORDS.has(base)) return base;
      // A doubled consonant before the suffix: `stopped` → `stop`.
      if (
        ending === '' &&
        base.length > 2 &&
        base.at(-1) === base.at(-2) &&
        POLAR_WORDS.has(base.slice(0, -1))
      )
        return base.slice(0, -1);
    }
  }
  return undefined;
}

const WORD = /[\p{L}\p{N}'’]+/gu;
const NUMBER = /\p{N}+(?:[.,]\p{N}+)*/gu;

/**
 * What must be equal, besides a similar embedding, for two questions to share an answer: how many
 * negations each holds (`not`, `no`, `never`, any `…n't` …), the polar words it holds
 * ({@link POLAR_WORDS}: `on`/`off`, `enable`/`disable`, `increase`/`decrease`, `before`/`after` …, as
 * a set), and its numbers, in order. So "Turn off the light" is never served the answer to "Turn on
 * the light", nor "Don't turn on the light", nor "What is 12 times 8?" that to "What is 12 times 7?";
 * "Please turn on the light" may be. Part of the semantic scope (exact match), so it costs one scan
 * of the question and nothing per stored entry.
 */
export function questionSignatureOf(text: string): string {
  let negations = 0;
  const polar = new Set<string>();
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0].replace(/’/g, "'").replace(/^'+|'+$/g, '');
    if (NEGATIONS.has(word) || word.endsWith("n't")) {
      negations += 1;
      continue;
    }
    const base = polarWordOf(word);
    if (base !== undefined) polar.add(base);
  }
  const numbers = [...text.matchAll(NUMBER)].map((match) => match[0]);
  return `neg:${negations}|polar:${[...polar].sort().join(',')}|num:${numbers.join(',')}`;
}
