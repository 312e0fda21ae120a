import type { CheckDefinition, CheckOutcome, CompiledParameters } from '../model/check-definition.js';
import type { StreamScanner } from '../stream/stream-scanner.js';
import { redactingScanner } from '../stream/stream-scanner.js';
import {
  allRequestTexts,
  allResponseTexts,
  mapRequestTexts,
  mapResponseTexts,
} from '../text/all-request-texts.js';
import { countByKind, type Detector, findAll, redactFindings } from './text-finding.js';

/** Parameters every finding check has after compiling. */
export interface FindingParameters {
  readonly detectors: readonly Detector[];
  readonly redact: boolean;
}

/** What differs between `pk.pii` and `pk.secrets`. */
interface FindingSpec<P extends FindingParameters> {
  readonly id: string;
  /** `PII` or `secrets`, for explanations. */
  readonly noun: string;
  readonly compile: (parameters: Readonly<Record<string, unknown>>) => CompiledParameters<P>;
  /** The text put in place of a finding of `kind`. */
  readonly replacement: (kind: string) => string;
}

function explanation(noun: string, counts: Record<string, number>, redacted: boolean): string {
  const kinds = Object.entries(counts).map(([kind, count]) => `${kind} (${count})`);
  if (kinds.length === 0) return `No ${noun} found.`;
  return redacted ? `Redacted ${noun}: ${kinds.join(', ')}.` : `Found ${noun}: ${kinds.join(', ')}.`;
}

/**
 * A check that looks for findings (PII, secrets) in every text of the request (every message, the
 * system prompt, earlier turns) or of the answer (every choice). It fails when it finds one, or with
 * `redact: true` replaces each finding with a placeholder and passes (a mutator). Results carry counts
 * by kind, never the text found.
 */
export function findingCheck<P extends FindingParameters>(spec: FindingSpec<P>): CheckDefinition<P> {
  return {
    id: spec.id,
    readsEveryText: true,
    compile: (parameters) => spec.compile(parameters),
    run({ context, parameters, event }): CheckOutcome {
      const before = event === 'beforeRequestHook';
      const texts = before
        ? allRequestTexts(context.request.json, context.requestType)
        : allResponseTexts(context.response?.json ?? null, context.requestType);
      const findings = texts.flatMap((text) => findAll(parameters.detectors, text));
      const counts = countByKind(findings);
      const found = findings.length > 0;
      const data = {
        explanation: explanation(spec.noun, counts, found && parameters.redact),
        detected: counts,
        redacted: found && parameters.redact,
      };
      if (!found) return { verdict: true, data };
      if (!parameters.redact) return { verdict: false, data };
      const redact = (text: string): string =>
        redactFindings(text, findAll(parameters.detectors, text), spec.replacement);
      return before
        ? {
            verdict: true,
            data,
            transformedRequest: mapRequestTexts(context.request.json, context.requestType, redact),
          }
        : {
            verdict: true,
            data,
            transformedResponse: mapResponseTexts(context.response?.json ?? {}, context.requestType, redact),
          };
    },
    scanStream(parameters): StreamScanner {
      if (!parameters.redact) {
        return {
          scan(region, from, _unsentAt, final) {
            const findings = findAll(parameters.detectors, region, from);
            // Every pattern may still grow at the end of the text (more digits, more key characters).
            const settled = findings.find((finding) => final || finding.end < region.length);
            if (settled !== undefined) return { failed: true };
            const growing = findings[0];
            return growing === undefined ? {} : { holdFrom: growing.start };
          },
        };
      }
      return redactingScanner({
        find: (region, from) => {
          const finding = findAll(parameters.detectors, region, from)[0];
          return (
            finding && {
              start: finding.start,
              end: finding.end,
              replacement: spec.replacement(finding.kind),
              kind: finding.kind,
            }
          );
        },
        waitsAtEnd: true,
        outcome: (replaced, counts) =>
          replaced === 0
            ? undefined
            : {
                verdict: true,
                data: {
                  explanation: explanation(spec.noun, { ...counts }, true),
                  detected: { ...counts },
                  redacted: true,
                },
              },
      });
    },
  };
}
