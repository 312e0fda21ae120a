import Mustache from 'mustache';

/**
 * The text Mustache writes for a variable's value, without calling anything the value holds: an
 * array is its elements' texts joined with `,` (null and undefined are nothing), an object is
 * `[object Object]` whatever its keys, anything else `String(value)`. JavaScript's own conversion
 * calls an object's `toString` and `valueOf`, so a value such as `{"toString": "x"}` (its own key,
 * not a function) threw a TypeError, a 500, instead of rendering. What {@link renderSizeBound}
 * counts for each value.
 */
export function valueText(value: unknown): string {
  if (Array.isArray(value)) {
    return value
      .map((item: unknown) => (item === null || item === undefined ? '' : valueText(item)))
      .join(',');
  }
  if (typeof value === 'object' && value !== null) return '[object Object]';
  return String(value);
}

/**
 * A Mustache writer for prompts: `{{name}}`, `{{{name}}}` and `{{& name}}` all write
 * {@link valueText} of the value, without HTML escaping (a prompt is text for a model, not HTML: `<b>`
 * stays `<b>`, `"` stays `"`). Mustache's own writer converts a value with JavaScript's conversion,
 * which runs whatever `toString` or `valueOf` the value holds.
 */
export class OwnDataWriter extends Mustache.Writer {
  override escapedValue(token: string[], context: Mustache.Context): string {
    return this.unescapedValue(token, context);
  }

  override unescapedValue(token: string[], context: Mustache.Context): string {
    const value: unknown = context.lookup(token[1] as string);
    return value === null || value === undefined ? '' : valueText(value);
  }
}
