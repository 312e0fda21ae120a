/**
 * Words whose presence flips or shifts what a question asks while an embedding barely moves
 * ("turn on the light" and "turn off the light" are above 0.95 cosine for common embedding models,
 * vllm-project/semantic-router#2691): each stands for itself, so two questions share an answer only
 * when they hold the same ones. Where one word of a pair is also an everyday function word (`on`,
 * `up`, `over`, `first`, `more`, `most`, `right`, `all`, `new`, `show`, `long`), only the other is
 * listed: its presence alone tells the pair apart ("turn on" / "turn off"), and "the refund policy
 * on opened items" still matches "the refund policy for opened items". English only; a word is
 * matched as written or with a plain inflection (`-s`, `-es`, `-ed`, `-d`, `-ing`).
 */
const POLAR_WORDS: ReadonlySet<string> = new Set([
  'off',
  'enable',
  'disable',
  'true',
  'false',
  'yes',
  'increase',
  'decrease',
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
  'less',
  'least',
  'above',
  'below',
  'under',
  'accept',
  'reject',
  'allow',
  'deny',
  'include',
  'exclude',
  'lock',
  'unlock',
  'hide',
  'encrypt',
  'decrypt',
  'buy',
  'sell',
  'last',
  'ascending',
  'descending',
  'asc',
  'desc',
  'left',
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
 * ({@link POLAR_WORDS}: `off`, `enable`/`disable`, `increase`/`decrease`, `before`/`after` …, as a
 * set), and its numbers, in order. So "Turn off the light" is never served the answer to "Turn on
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
