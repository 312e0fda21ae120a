/** One finding in a text: where it is and what kind it is. */
export interface Finding {
  readonly start: number;
  readonly end: number;
  /** The category (`email`, `card` …) or secret kind (`openai`, `aws_access_key_id` …). */
  readonly kind: string;
}

/** A detector: every finding of one kind in `text`, from `from` on, in order. */
export type Detector = (text: string, from: number) => Finding[];

/**
 * A detector from a global V8 pattern and an optional validator (Luhn, mod-97 …). Each pattern of
 * pk's own checks is written for linear matching: it starts only where a run of its characters
 * starts (a lookbehind), and its repetitions are bounded or followed by nothing that can fail.
 */
export function patternDetector(
  kind: string,
  pattern: RegExp,
  accept: (match: string) => number | boolean = () => true,
): Detector {
  if (!pattern.global) throw new Error(`${kind}: detector patterns must be global`);
  return (text, from) => {
    const findings: Finding[] = [];
    const regex = new RegExp(pattern.source, pattern.flags);
    regex.lastIndex = from;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      const accepted = accept(match[0]);
      // A validator may accept a shorter prefix of the candidate (its length).
      const length = accepted === true ? match[0].length : accepted === false ? 0 : accepted;
      if (length > 0) findings.push({ start: match.index, end: match.index + length, kind });
      if (match[0].length === 0) regex.lastIndex += 1;
    }
    return findings;
  };
}

/** Findings of several detectors, earliest first, overlaps resolved for the longer one. */
export function findAll(detectors: readonly Detector[], text: string, from = 0): Finding[] {
  const all = detectors.flatMap((detect) => detect(text, from));
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Finding[] = [];
  let reach = -1;
  for (const finding of all) {
    if (finding.start < reach) continue;
    kept.push(finding);
    reach = finding.end;
  }
  return kept;
}

/** `text` with each finding replaced by `replacement(kind)`. */
export function redactFindings(
  text: string,
  findings: readonly Finding[],
  replacement: (kind: string) => string,
): string {
  let out = '';
  let last = 0;
  for (const finding of findings) {
    out += text.slice(last, finding.start) + replacement(finding.kind);
    last = finding.end;
  }
  return out + text.slice(last);
}

/** Counts by kind. */
export function countByKind(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const finding of findings) counts[finding.kind] = (counts[finding.kind] ?? 0) + 1;
  return counts;
}
