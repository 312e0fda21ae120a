/**
 * A variable's value as a refusal shows it: JSON-quoted, so that what an operator cannot see in a
 * plain echo is visible (a surrounding space, the quotes a compose `env_file` keeps, a newline, which
 * also kept the refusal on one line).
 */
export function shownValue(value: string | undefined): string {
  return JSON.stringify(value ?? '');
}

/** A scheme (`https://`), wherever it starts: a URL in the quotes a compose `env_file` keeps has one too. */
const SCHEME = /[a-z][\w+.-]*:\/\//i;

/**
 * A URL-valued variable as a refusal shows it, whether or not the URL parses (a password with a space
 * in it makes it unparseable): {@link shownValue} of the value with everything before its last `@`
 * after the scheme shown as `***` (a `user:password@`, a token written as the user, a password
 * holding `@`, `?` or `#`: more is hidden rather than any of it shown), and its query and fragment
 * dropped (`?password=…`). A value without a scheme is not repeated at all: it may be the password
 * alone, pasted into the variable.
 */
export function shownUrl(value: string | undefined): string {
  const text = value ?? '';
  const scheme = SCHEME.exec(text);
  if (scheme === null) return '(a value without a scheme://, not repeated)';
  const authorityStart = scheme.index + scheme[0].length;
  const lastAt = text.lastIndexOf('@');
  const hidden = lastAt < authorityStart ? text : `${text.slice(0, authorityStart)}***${text.slice(lastAt)}`;
  const queryAt = hidden.slice(authorityStart).search(/[?#]/);
  return shownValue(queryAt === -1 ? hidden : hidden.slice(0, authorityStart + queryAt));
}

/** The most of a request's path a refusal repeats. */
export const SHOWN_PATH_LENGTH = 120;

/**
 * A request's path as a refusal (a 404, a 501) repeats it: never its query string or fragment, which
 * may hold a key (`?api_key=…`), and at most {@link SHOWN_PATH_LENGTH} characters of it, a longer one
 * cut with its length said (a path of thousands of characters made a message of thousands).
 */
export function shownPath(url: string): string {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  if (path.length <= SHOWN_PATH_LENGTH) return path;
  return `${path.slice(0, SHOWN_PATH_LENGTH)}… (${path.length} characters)`;
}
