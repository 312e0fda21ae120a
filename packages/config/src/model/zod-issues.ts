import type { z } from 'zod';
import { formatShownPath, issueMessage } from './config-path.js';
import type { ConfigIssue } from './config-result.js';

/** A zod message in pk's words when a schema did not set its own (`expected …`). */
function expectationOf(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}`;
    case 'too_small':
      return `expected at least ${String(issue.minimum)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return `expected a valid value (${issue.message})`;
  }
}

/** Turns zod issues into config issues: `config.targets[0].retry.attempts: expected …, got 9`. */
export function toConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  spellings: ReadonlyMap<string, string>,
): ConfigIssue[] {
  return issues.map((issue) => {
    const path = formatShownPath(issue.path, spellings);
    return { path, message: issueMessage(path, expectationOf(issue), issue.input) };
  });
}
