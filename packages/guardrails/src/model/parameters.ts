import type { z } from 'zod';
import type { CompiledParameters, ParameterIssue } from './check-definition.js';

/** Validates check parameters with a zod schema; issues keep their path below `parameters`. */
export function parseParameters<S extends z.ZodType>(
  schema: S,
  parameters: Readonly<Record<string, unknown>>,
): CompiledParameters<z.infer<S>> {
  const parsed = schema.safeParse(parameters);
  if (parsed.success) return { ok: true, parameters: parsed.data };
  const issues: ParameterIssue[] = parsed.error.issues.map((issue) => ({
    path: issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol'),
    message: issue.message,
  }));
  return { ok: false, issues };
}

/** One issue at `path`. */
export function refuse(path: readonly (string | number)[], message: string): CompiledParameters<never> {
  return { ok: false, issues: [{ path, message }] };
}
