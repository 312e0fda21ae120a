/**
 * What is wrong with a path an operator gave in a variable (`PK_DATA_DIR`, `PK_LOG_SPILL_PATH`,
 * `PK_SETTINGS`, `PK_MASTER_KEY=file:…`), else undefined. A leading `~` is expanded by a shell only:
 * docker compose, Kubernetes and systemd pass it as it is, and the gateway made a folder named `~` in
 * its working directory (one `rm -rf ~` away from the operator's home). A control character (the
 * newline a value read from a file keeps) made a folder with a line break in its name. A path in
 * quotes (a compose env_file keeps `PK_DATA_DIR="/data"` as it is) made the store in a folder named
 * `"` in the working directory, not on the volume. The value is shown JSON-quoted, so what cannot be
 * seen is.
 */
export function pathVariableProblem(name: string, value: string): string | undefined {
  if (/\p{Cc}/u.test(value))
    return `${name} holds a control character (a line break, a tab …): give the path alone, got ${JSON.stringify(value)}`;
  if (isQuoted(value))
    return `${name} is in quotes, which are never taken off (a docker compose env_file keeps them): give the path without them, got ${JSON.stringify(value)}`;
  if (value.startsWith('~'))
    return `${name} starts with ~, which only a shell expands (docker compose, Kubernetes and systemd pass it as it is): give the full path, got ${JSON.stringify(value)}`;
  return undefined;
}

/** True for a value wrapped in quotes, `"…"` or `'…'`, which no shell took off (decision 0007). */
export function isQuoted(value: string): boolean {
  return /^(["']).*\1$/s.test(value);
}
