import type { ValueKind } from '../request-option-kinds.js';
import { REQUEST_OPTION_SPECS } from '../request-option-specs.js';

/** A deterministic random source in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated case: SDK options, what the gateway must read back, and the options with no constant. */
export interface GeneratedOptions {
  readonly input: Record<string, unknown>;
  readonly expected: Record<string, unknown>;
  /** Generic option keys (no constant), sent as `x-portkey-<kebab>`. */
  readonly genericKeys: readonly string[];
}

const LATIN1_TEXT = 'abcXYZ019 -_.:/@=+,;!?~é ñßÜ¤"\'{}[]';
const ANY_TEXT = 'aZ9 "\\/\n\t\u0001é中文😀\u2028';
const TOKEN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
const EMPTY_VALUES: readonly unknown[] = [null, undefined, '', '   ', [], {}];

/** Builds random option objects: every known option kind, aliases, generic keys and empty values. */
export function createOptionsGenerator(random: () => number): () => GeneratedOptions {
  const int = (max: number): number => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const text = (alphabet: string, min: number, max: number): string =>
    Array.from({ length: min + int(max - min + 1) }, () => pick([...alphabet])).join('');
  const token = (): string => text(TOKEN, 1, 12);
  const padded = (value: string): string =>
    `${random() < 0.2 ? '  ' : ''}${value}${random() < 0.2 ? ' ' : ''}`;
  const json = (depth: number): unknown => {
    const roll = int(depth > 0 ? 8 : 5);
    if (roll === 0) return text(ANY_TEXT, 0, 10);
    if (roll === 1) return int(1_000_000) - 500_000;
    if (roll === 2) return int(10_000) / 8;
    if (roll === 3) return random() < 0.5;
    if (roll === 4) return null;
    if (roll === 5) return Array.from({ length: int(4) }, () => json(depth - 1));
    return jsonObject(depth - 1, 4);
  };
  const jsonObject = (depth: number, maxKeys: number): Record<string, unknown> =>
    Object.fromEntries(
      Array.from({ length: 1 + int(maxKeys) }, () => [text(ANY_TEXT + TOKEN, 1, 8), json(depth)]),
    );

  /** A value of `kind` as an SDK user writes it, and its normalised form. */
  const randomValue = (kind: ValueKind): [input: unknown, expected: unknown] => {
    switch (kind) {
      case 'string': {
        const value = `${pick([...TOKEN])}${text(LATIN1_TEXT, 0, 30)}${pick([...TOKEN])}`;
        return [padded(value), value];
      }
      case 'boolean': {
        const value = random() < 0.5;
        return [random() < 0.2 ? String(value) : value, value];
      }
      case 'number': {
        const value = random() < 0.5 ? int(10_000_000) : int(100_000) / 100;
        return [random() < 0.2 ? String(value) : value, value];
      }
      case 'timer-ms': {
        const value = 1 + int(86_400_000);
        return [random() < 0.2 ? String(value) : value, value];
      }
      case 'list': {
        const names = Array.from({ length: 1 + int(4) }, token);
        return [names, names];
      }
      case 'json-array': {
        const value = Array.from({ length: 1 + int(3) }, () => jsonObject(1, 3));
        return [value, value];
      }
      case 'json-object':
      case 'metadata': {
        const value = jsonObject(kind === 'metadata' ? 0 : 2, 6);
        return [value, value];
      }
      case 'cache-mode': {
        const input = pick([
          'simple',
          'semantic',
          'Simple',
          ' semantic ',
          true,
          false,
          'true',
          'false',
        ] as const);
        const text = String(input).trim().toLowerCase();
        return [input, text === 'true' ? 'simple' : text === 'false' ? false : text];
      }
      case 'config': {
        if (random() < 0.4) {
          const id = `pc-${token()}`;
          return [padded(id), id];
        }
        const value = { strategy: { mode: 'fallback' }, targets: [jsonObject(1, 3)], ...jsonObject(2, 3) };
        return [value, value];
      }
    }
  };

  return () => {
    const input: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    const genericKeys: string[] = [];
    for (const spec of REQUEST_OPTION_SPECS) {
      if (random() > 0.15) continue;
      const key = spec.option === 'traceId' && random() < 0.5 ? 'traceID' : spec.option;
      if (random() < 0.1) {
        input[key] = pick(EMPTY_VALUES);
        continue;
      }
      const [value, normalised] = randomValue(spec.kind);
      input[key] = value;
      expected[spec.option] = normalised;
    }
    if (random() < 0.3) {
      const value = pick(['Bearer sk-', 'sk-', '']) + token();
      input.Authorization = value;
      expected.Authorization = value;
    }
    for (let count = int(3); count > 0; count -= 1) {
      // `zz` keeps these clear of every constant; the SDK sends them as x-portkey-zz-….
      const key = `zz${token().replace(/[^a-zA-Z0-9]/g, '')}Option`;
      if (key in input) continue;
      input[key] = pick([token(), int(1000), random() < 0.5, jsonObject(1, 2)]);
      genericKeys.push(key);
    }
    return { input, expected, genericKeys };
  };
}
