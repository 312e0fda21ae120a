import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';

const typeList = z.union([z.array(z.string()), z.string()]);
const schema = z.object({ allowedTypes: typeList.optional(), blockedTypes: typeList.optional() });
type Parameters = z.infer<typeof schema>;

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(',').map((item) => item.trim());
  return [];
}

/**
 * `default.allowedRequestTypes`: the request type (`chatComplete`, `complete`, `embed`, `messages`,
 * `createModelResponse`) must be in
 * `allowedTypes` and not in `blockedTypes` (each a list or a comma-separated string); without
 * parameters, the metadata's `supported_endpoints` / `blocked_endpoints` decide.
 */
export const allowedRequestTypesCheck: CheckDefinition<Parameters> = {
  id: 'default.allowedRequestTypes',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters }) {
    let allowed = listOf(parameters.allowedTypes);
    let blocked = listOf(parameters.blockedTypes);
    if (allowed.length === 0) allowed = listOf(context.metadata.supported_endpoints);
    if (blocked.length === 0) blocked = listOf(context.metadata.blocked_endpoints);
    const current = context.requestType;
    const conflicts = allowed.filter((type) => blocked.includes(type));
    if (conflicts.length > 0) {
      const message = `Conflict detected: The following types appear in both allowedTypes and blockedTypes: ${conflicts.join(', ')}. Please remove them from one list.`;
      return {
        verdict: false,
        error: { name: 'Error', message },
        data: {
          explanation: `An error occurred while checking allowed request types: ${message}`,
          currentRequestType: current,
          allowedTypes: allowed,
          blockedTypes: blocked,
        },
      };
    }
    const mode =
      allowed.length === 0 && blocked.length === 0
        ? 'unrestricted'
        : allowed.length === 0
          ? 'blocklist'
          : blocked.length === 0
            ? 'allowlist'
            : 'combined';
    const isBlocked = blocked.includes(current);
    const verdict =
      mode === 'unrestricted'
        ? true
        : mode === 'blocklist'
          ? !isBlocked
          : !isBlocked && allowed.includes(current);
    const explanation =
      mode === 'unrestricted'
        ? `Request type "${current}" is allowed (no restrictions configured).`
        : mode === 'blocklist'
          ? verdict
            ? `Request type "${current}" is allowed (not in blocklist).`
            : `Request type "${current}" is blocked.`
          : mode === 'allowlist'
            ? verdict
              ? `Request type "${current}" is allowed.`
              : `Request type "${current}" is not allowed. Allowed types are: ${allowed.join(', ')}`
            : verdict
              ? `Request type "${current}" is allowed (in allowlist and not blocked).`
              : isBlocked
                ? `Request type "${current}" is explicitly blocked.`
                : `Request type "${current}" is not in the allowed list. Allowed types (excluding blocked): ${allowed.filter((type) => !blocked.includes(type)).join(', ')}`;
    const fromParameters = parameters.allowedTypes !== undefined || parameters.blockedTypes !== undefined;
    const fromMetadata =
      context.metadata.supported_endpoints !== undefined || context.metadata.blocked_endpoints !== undefined;
    return {
      verdict,
      data: {
        currentRequestType: current,
        ...(allowed.length > 0
          ? { allowedTypes: allowed }
          : mode === 'unrestricted'
            ? { allowedTypes: ['all'] }
            : {}),
        ...(blocked.length > 0 ? { blockedTypes: blocked } : {}),
        verdict,
        explanation,
        source: fromParameters ? 'parameters' : fromMetadata ? 'metadata' : 'default',
        mode,
      },
    };
  },
};
