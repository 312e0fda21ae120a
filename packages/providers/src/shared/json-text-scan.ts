/**
 * Reading a member out of JSON text without parsing it, for the stream items that pass by the
 * thousand: `indexOf` and a few character checks instead of an unanchored regular expression run over
 * the whole item. A name followed by an unescaped quote can only be a key or a string value: inside
 * another string that quote is escaped (`usage\"`), so text a model wrote never matches.
 */

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * A member name to look for: `memberName('usage')`. Held as the name and its closing quote (`usage"`),
 * which is what is searched for: a pattern that starts with `"`, the commonest character of JSON,
 * made V8's string search stop at every quote of the item (slower than the regex it replaced).
 */
export interface MemberName {
  readonly nameAndQuote: string;
}

/** The {@link MemberName} of a key, named without quotes. */
export function memberName(name: string): MemberName {
  return { nameAndQuote: `${name}"` };
}

/**
 * Where the value of the next member named `member` starts, at or after `from`: the index of its
 * first character after the colon and any whitespace; -1 when there is no further member of that name.
 */
export function nextMemberValueAt(text: string, member: MemberName, from = 0): number {
  const pattern = member.nameAndQuote;
  for (let at = text.indexOf(pattern, from); at !== -1; at = text.indexOf(pattern, at + 1)) {
    if (text.charCodeAt(at - 1) !== 0x22) continue; // a longer name that ends the same way
    let index = at + pattern.length;
    while (index < text.length && isJsonSpace(text.charCodeAt(index))) index += 1;
    if (text.charCodeAt(index) !== 0x3a) continue; // not a key (`:` missing): a string value
    index += 1;
    while (index < text.length && isJsonSpace(text.charCodeAt(index))) index += 1;
    return index;
  }
  return -1;
}

function hasMemberOpeningWith(text: string, member: MemberName, opening: number): boolean {
  for (let at = nextMemberValueAt(text, member); at !== -1; at = nextMemberValueAt(text, member, at)) {
    if (text.charCodeAt(at) === opening) return true;
  }
  return false;
}

/** Whether the text has a member `member` whose value is an object. */
export function hasObjectMember(text: string, member: MemberName): boolean {
  return hasMemberOpeningWith(text, member, 0x7b); // `{`
}

/** Whether the text has a member `member` whose value is a string. */
export function hasStringMember(text: string, member: MemberName): boolean {
  return hasMemberOpeningWith(text, member, 0x22); // `"`
}

/**
 * The raw text of the JSON string starting at `at` (its opening quote), escapes as written;
 * `undefined` when `at` is not a quote or the string is not closed.
 */
export function rawStringAt(text: string, at: number): string | undefined {
  if (text.charCodeAt(at) !== 0x22) return undefined;
  for (let index = at + 1; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x5c) {
      index += 1; // a backslash escapes the next character
    } else if (code === 0x22) {
      return text.slice(at + 1, index);
    }
  }
  return undefined;
}
