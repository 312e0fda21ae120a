/** Any class whose instances are `T`, abstract or not: the `this` of a static `[Symbol.hasInstance]`. */
export type ClassOf<T> = abstract new (...args: never[]) => T;

/**
 * `value instanceof target` for a class that must recognise its instances from every copy of its
 * package (an ES module and a CommonJS bundle of it each define their own class). The base class is
 * the one whose own prototype carries `brand` (a `Symbol.for` symbol, one per process; see
 * `brandPrototype`): for it, `value` carries `brand` set to `true`; for a subclass, the ordinary
 * prototype check. The base is found from `target` rather than named, so a class never refers to
 * itself in its body: a bundler renames such a class (`class _PkError`), and Node's inspection of
 * every error then shows that name.
 */
export function isBrandedInstance(target: ClassOf<unknown>, brand: symbol, value: unknown): boolean {
  if (!Object.hasOwn(target.prototype, brand))
    return Function.prototype[Symbol.hasInstance].call(target, value);
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** Marks the instances of `base` (not an own property of any instance, so errors serialise as before). */
export function brandPrototype(base: ClassOf<unknown>, brand: symbol): void {
  Object.defineProperty(base.prototype, brand, { value: true });
}
