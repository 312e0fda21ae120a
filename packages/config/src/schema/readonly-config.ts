import type { Config } from './target.js';

/**
 * `T` with every property and every array readonly, at any depth: the type TypeScript gives a literal
 * written `as const`. Primitives and functions are left as they are. A mutable `T` is assignable to
 * `DeepReadonly<T>`, so a parameter of this type takes both.
 */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer Item)[]
    ? readonly DeepReadonly<Item>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/**
 * A config as code may hold it: a {@link Config}, or the same with readonly arrays and properties at
 * any depth (a literal written `as const`). The same keys and values are checked as for `Config`; a
 * misspelt key in a literal given in place is still a compile error.
 */
export type ReadonlyConfig = DeepReadonly<Config>;
