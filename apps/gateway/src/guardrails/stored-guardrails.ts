import { readFileSync } from 'node:fs';
import { type ConfigIssue, formatConfigPath } from '@pk/config';
import { type CompiledHook, compileOperatorGuardrails } from '@pk/guardrails';
import type { StoredGuardrail } from '@pk/store';

/** Resolves an `env:NAME` / `file:PATH` reference to its value, or `undefined` when it cannot. */
export type SecretResolver = (reference: string) => string | undefined;

/**
 * The resolver of stored guardrails' webhook secrets: `env:NAME` from `env`, `file:PATH` read now
 * (a trailing newline removed from either), as the settings file resolves its own at start. Read when a guardrail
 * is written or its definition changes, never per request.
 */
export function secretResolverFor(env: Readonly<Record<string, string | undefined>>): SecretResolver {
  return (reference) => {
    if (reference.startsWith('env:')) {
      // A Kubernetes secret made from a file keeps the file's newline, as a file: reference would.
      const value = env[reference.slice(4)]?.replace(/\r?\n$/, '');
      return value === '' ? undefined : value;
    }
    if (reference.startsWith('file:')) {
      try {
        return readFileSync(reference.slice(5), 'utf8').replace(/\r?\n$/, '');
      } catch {
        return undefined;
      }
    }
    return undefined;
  };
}

/** A resolver that resolves nothing (an app built without an environment: tests). */
export const noSecrets: SecretResolver = () => undefined;

/**
 * One stored guardrail compiled exactly as the settings file's guardrails are (operator origin: it
 * may call a webhook, whose `secret` must be a reference that resolves here), or its problems with
 * paths relative to the definition (`checks[0].parameters.rule`).
 */
export function compileStoredGuardrail(
  slug: string,
  definition: Readonly<Record<string, unknown>>,
  resolveSecret: SecretResolver,
): { readonly hook?: CompiledHook; readonly issues: ConfigIssue[] } {
  const result = compileOperatorGuardrails({ [slug]: definition }, { resolveSecret });
  if (result.ok) {
    const hook = result.guardrails.get(slug);
    return hook ? { hook, issues: [] } : { issues: [] };
  }
  const prefix = formatConfigPath([slug], 'guardrails');
  return {
    issues: result.issues.map((issue) => {
      const rest = issue.path.startsWith(prefix)
        ? issue.path.slice(prefix.length).replace(/^\./, '')
        : issue.path;
      return { path: rest === '' ? '(root)' : rest, message: issue.message };
    }),
  };
}

/**
 * The store's guardrails compiled, each on its own: one that does not compile on this replica (a
 * webhook secret whose variable is not set here) is left out and reported, the others are served.
 * Slugs the settings file defines are skipped (the store refuses them; the file wins).
 */
export function compileStoredGuardrails(
  guardrails: Iterable<StoredGuardrail>,
  fileGuardrails: ReadonlyMap<string, CompiledHook>,
  resolveSecret: SecretResolver,
): { readonly guardrails: Map<string, CompiledHook>; readonly problems: string[] } {
  const compiled = new Map<string, CompiledHook>();
  const problems: string[] = [];
  for (const guardrail of guardrails) {
    if (fileGuardrails.has(guardrail.slug)) continue;
    const result = compileStoredGuardrail(guardrail.slug, guardrail.definition, resolveSecret);
    if (result.hook) compiled.set(guardrail.slug, result.hook);
    else
      problems.push(
        `stored guardrail "${guardrail.slug}" is left out: ${result.issues
          .map((issue) => `${issue.path}: ${issue.message}`)
          .join('; ')}`,
      );
  }
  return { guardrails: compiled, problems };
}
