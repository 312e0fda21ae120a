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
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0)
      throw new CliError(`--option ${JSON.stringify(pair.split('=')[0])}: expected name=value`, EXIT.usage);
    const name = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    options[name] = isCredentialOption(name) ? await readSecret(value, `--option ${name}`, context) : value;
  }
  return options;
}
