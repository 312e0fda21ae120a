/**
 * A variable's value as a refusal shows it: JSON-quoted, so that what an operator cannot see in a
 * plain echo is visible (a surrounding space, the quotes a compose `env_file` keeps, a newline, which
 * also kept the refusal on one line).
 */
export function shownValue(value: string | undefined): string {
  return JSON.stringify(value ?? '');
}

/**
 * A URL's `user:password@` (or `token@`): what stands between `scheme://` and the value's last `@`
 * (a password may hold an unencoded `/`, `?` or `#`: hiding too much beats showing some). Not
 * anchored: a URL in the quotes a compose `env_file` keeps has its credentials too.
 */
const URL_CREDENTIALS = /([a-z][\w+.-]*:\/\/)[^@]*@/i;

/**
 * A URL-valued variable as a refusal shows it: {@link shownValue} with its credentials replaced by
 * `***`, whether or not the URL parses (a password with a space in it makes it unparseable).
 */
export function shownUrl(value: string | undefined): string {
  return shownValue((value ?? '').replace(URL_CREDENTIALS, '$1***@'));
}
