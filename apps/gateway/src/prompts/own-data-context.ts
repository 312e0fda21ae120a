import Mustache from 'mustache';

function isObjectLike(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** `value[key]` when it is the value's own property (a string's `length` and characters too), else `undefined`. */
function ownValue(value: unknown, key: string): { readonly hit: boolean; readonly value: unknown } {
  if (value === null || value === undefined) return { hit: false, value: undefined };
  if (!Object.hasOwn(Object(value), key)) return { hit: false, value: undefined };
  return { hit: true, value: (value as Record<string, unknown>)[key] };
}

/**
 * A Mustache context whose names find only the variables' own data: Mustache's own lookup follows
 * prototypes (`{{constructor}}`, `{{toLocaleString}}`, `{{join}}` inside a list of lists) and calls
 * the functions it finds, which makes text no variable holds and that {@link renderSizeBound} could
 * not bound. Otherwise as Mustache: `.` is the current value, `a.b` descends from the nearest
 * context that has `a`… `b` (a string's `length` included), a name missing here is looked up in the
 * enclosing sections' contexts.
 */
export class OwnDataContext extends Mustache.Context {
  override push(view: unknown): Mustache.Context {
    return new OwnDataContext(view, this);
  }

  override lookup(name: string): unknown {
    if (name === '.') return this.view;
    const dotted = name.indexOf('.') > 0;
    const names = dotted ? name.split('.') : undefined;
    for (let context: Mustache.Context | undefined = this; context; context = context.parent) {
      if (names === undefined) {
        // As Mustache: a plain name is only looked up in an object (or array), never a string.
        if (isObjectLike(context.view) && Object.hasOwn(context.view, name)) {
          return (context.view as Record<string, unknown>)[name];
        }
        continue;
      }
      let step: { readonly hit: boolean; readonly value: unknown } = { hit: true, value: context.view };
      for (const part of names) {
        step = ownValue(step.value, part);
        if (!step.hit) break;
      }
      if (step.hit) return step.value;
    }
    return undefined;
  }
}
