import { formatShownPath, issueMessage, type PathSegment } from './config-path.js';
import type { ConfigIssue } from './config-result.js';

/** Collects config issues, formatting paths with the key spellings the user wrote. */
export class IssueReporter {
  readonly issues: ConfigIssue[] = [];

  constructor(private readonly spellings: ReadonlyMap<string, string> = new Map()) {}

  /** `path: expectation, got <described input>`. */
  at(segments: readonly PathSegment[], expectation: string, input: unknown): void {
    const path = formatShownPath(segments, this.spellings);
    this.issues.push({ path, message: issueMessage(path, expectation, input) });
  }

  /** `path: expectation, got <got>` with `got` written by the caller. */
  text(segments: readonly PathSegment[], expectation: string, got: string): void {
    const path = formatShownPath(segments, this.spellings);
    this.issues.push({ path, message: `${path}: ${expectation}, got ${got}` });
  }
}
