import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { readSecret } from '../secret-source.js';

/**
 * `--option name=value` pairs. A credential option (`aws_secret_access_key` …) takes a reference
 * like `--key`; other options are plain values.
 */
export async function providerOptionsOf(
  pairs: readonly string[],
  context: CommandContext,
): Promise<Record<string, string>> {
  const options: Record<string, string> = {};
  if (pairs.length === 0) return options;
  const { isCredentialOption } = await import('@pk/store');
  for (const [index, pair] of pairs.entries()) {
    const equals = pair.indexOf('=');
    // Counted, not repeated: without its `=` the pair may be a secret itself (`aws_secret_access_key:…`).
    if (equals <= 0)
      throw new CliError(
        `--option: value ${index + 1} of ${pairs.length} is not name=value (not repeated here: it may be a secret; credential options take env:NAME, file:PATH or -)`,
        EXIT.usage,
      );
    const name = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    options[name] = isCredentialOption(name) ? await readSecret(value, `--option ${name}`, context) : value;
  }
  return options;
}
