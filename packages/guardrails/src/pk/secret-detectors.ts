import { type Detector, type Finding, patternDetector } from './text-finding.js';

/** Key formats `pk.secrets` knows, by kind. Each pattern starts only at the start of a token. */
const SECRET_PATTERNS: Readonly<Record<string, RegExp>> = {
  anthropic: /(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}/g,
  openai: /(?<![\w-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
  aws_access_key_id: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Za-z0-9])/g,
  github: /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![\w])/g,
  slack: /(?<![\w-])xox[abprs]-[A-Za-z0-9-]{10,250}/g,
  google_api_key: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g,
  stripe: /(?<![\w-])(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}(?![\w])/g,
  jwt: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
};

/** A PEM private key: from its BEGIN line through its END line (or the BEGIN line alone). */
function privateKeyDetector(text: string, from: number): Finding[] {
  const findings: Finding[] = [];
  const begin = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g;
  begin.lastIndex = from;
  for (let match = begin.exec(text); match !== null; match = begin.exec(text)) {
    const endMarker = text.indexOf('PRIVATE KEY-----', match.index + match[0].length);
    const endLine = endMarker === -1 ? -1 : text.lastIndexOf('-----END', endMarker);
    const end = endLine > match.index ? endMarker + 'PRIVATE KEY-----'.length : match.index + match[0].length;
    findings.push({ start: match.index, end, kind: 'private_key' });
    begin.lastIndex = end;
  }
  return findings;
}

/** The kinds of secret `pk.secrets` knows. */
export const SECRET_KINDS = [...Object.keys(SECRET_PATTERNS), 'private_key'] as const;

/** Detectors for the given kinds (all when none are given). */
export function secretDetectors(kinds?: readonly string[]): Detector[] {
  const wanted = new Set(kinds ?? SECRET_KINDS);
  const detectors: Detector[] = [];
  for (const [kind, pattern] of Object.entries(SECRET_PATTERNS))
    if (wanted.has(kind)) detectors.push(patternDetector(kind, pattern));
  if (wanted.has('private_key')) detectors.push(privateKeyDetector);
  return detectors;
}
