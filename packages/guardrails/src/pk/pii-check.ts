import { z } from 'zod';
import { parseParameters } from '../model/parameters.js';
import { type FindingParameters, findingCheck } from './finding-check.js';
import { PII_CATEGORIES, PII_DETECTORS, type PiiCategory } from './pii-detectors.js';

const schema = z.object({
  categories: z.array(z.enum(PII_CATEGORIES)).min(1, 'expected at least one category').optional(),
  redact: z.boolean().optional(),
});

interface Parameters extends FindingParameters {
  readonly categories: readonly PiiCategory[];
}

/**
 * `pk.pii`: personal data in every message and the system prompt (or every choice of the answer):
 * `email`, `phone`, `card` (13–19 digits passing Luhn), `iban` (mod-97), `us_ssn`, `ip` (v4 and v6);
 * `categories` narrows them (default all). Fails when it finds one; with `redact: true` it replaces
 * each with `[REDACTED_<CATEGORY>]` and passes, so the provider only sees the masked text.
 */
export const piiCheck = findingCheck<Parameters>({
  id: 'pk.pii',
  noun: 'PII',
  compile(parameters) {
    const parsed = parseParameters(schema, parameters);
    if (!parsed.ok) return parsed;
    const categories = parsed.parameters.categories ?? PII_CATEGORIES;
    return {
      ok: true,
      parameters: {
        categories,
        detectors: [...new Set(categories)].flatMap((category) => PII_DETECTORS[category]),
        redact: parsed.parameters.redact ?? false,
      },
    };
  },
  replacement: (kind) => `[REDACTED_${kind.toUpperCase()}]`,
});
