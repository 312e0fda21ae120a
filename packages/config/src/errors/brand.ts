/** Any class whose instances are `T`, abstract or not: the `this` of a static `[Symbol.hasInstance]`. */
export type ClassOf<T> = abstract new (...args: never[]) => T;

/**
 * `value instanceof target` for a class `base` that must recognise its instances from every copy of
 * its package (an ES module and a CommonJS bundle of it each define their own class): for `base`
 * itself, `value` carries `brand` (a `Symbol.for` symbol, one per process) set to `true`; for a
 * subclass of `base`, the ordinary prototype check.
 */
export function isBrandedInstance(
  target: ClassOf<unknown>,
  base: ClassOf<unknown>,
  brand: symbol,
  value: unknown,
): boolean {
  if (target !== base) return Function.prototype[Symbol.hasInstance].call(target, value);
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
