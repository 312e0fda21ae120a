import type { CheckDefinition } from '../model/check-definition.js';
import { maxTokensCheck } from '../pk/max-tokens-check.js';
import { piiCheck } from '../pk/pii-check.js';
import { secretsCheck } from '../pk/secrets-check.js';
import { addPrefixCheck } from './default/add-prefix.js';
import { allowedRequestTypesCheck } from './default/allowed-request-types.js';
import { containsCheck } from './default/contains.js';
import { containsCodeCheck } from './default/contains-code.js';
import { characterCountCheck, sentenceCountCheck, wordCountCheck } from './default/count-checks.js';
import { endsWithCheck } from './default/ends-with.js';
import { jsonKeysCheck } from './default/json-keys.js';
import { jsonSchemaCheck } from './default/json-schema.js';
import { jwtCheck } from './default/jwt.js';
import { allLowercaseCheck, allUppercaseCheck } from './default/letter-case.js';
import { logCheck } from './default/log.js';
import { modelRulesCheck } from './default/model-rules.js';
import { modelWhitelistCheck } from './default/model-whitelist.js';
import { notNullCheck } from './default/not-null.js';
import { regexMatchCheck } from './default/regex-match.js';
import { regexReplaceCheck } from './default/regex-replace.js';
import { requiredMetadataKeysCheck } from './default/required-metadata-keys.js';
import { validUrlsCheck } from './default/valid-urls.js';
import { webhookCheck } from './default/webhook.js';

/** Every check pk runs: Portkey's `default.*` and pk's own `pk.*`. */
export const CHECK_DEFINITIONS: readonly CheckDefinition<never>[] = [
  regexMatchCheck,
  regexReplaceCheck,
  allowedRequestTypesCheck,
  sentenceCountCheck,
  wordCountCheck,
  characterCountCheck,
  jsonSchemaCheck,
  jsonKeysCheck,
  containsCheck,
  validUrlsCheck,
  containsCodeCheck,
  webhookCheck,
  logCheck,
  allUppercaseCheck,
  allLowercaseCheck,
  endsWithCheck,
  modelWhitelistCheck,
  modelRulesCheck,
  jwtCheck,
  requiredMetadataKeysCheck,
  addPrefixCheck,
  notNullCheck,
  piiCheck,
  secretsCheck,
  maxTokensCheck,
] as unknown as readonly CheckDefinition<never>[];

const BY_ID = new Map<string, CheckDefinition<never>>(CHECK_DEFINITIONS.map((check) => [check.id, check]));
// Portkey's manifest spells this id in lower case; its plugin table in camel case.
BY_ID.set('default.modelwhitelist', modelWhitelistCheck as unknown as CheckDefinition<never>);

/**
 * Portkey's partner plugins (behaviour reference §7.3): checks that call a third-party service with
 * credentials in their parameters. pk does not run them; a config naming one is refused.
 */
export const PARTNER_CHECK_SOURCES: readonly string[] = [
  'portkey',
  'qualifire',
  'aporia',
  'sydelabs',
  'pillar',
  'patronus',
  'mistral',
  'pangea',
  'promptfoo',
  'bedrock',
  'acuvity',
  'lasso',
  'exa',
  'azure',
  'promptsecurity',
  'panw-prisma-airs',
  'walledai',
  'javelin',
  'f5-guardrails',
  'crowdstrike-aidr',
];

/** What a check id names. */
export type CheckLookup =
  | { readonly kind: 'check'; readonly definition: CheckDefinition<never> }
  | { readonly kind: 'partner' }
  | { readonly kind: 'unknown' };

/** Looks a check id up (`default.regexMatch`, `pk.pii`, `patronus.pii` …). */
export function lookupCheck(id: string): CheckLookup {
  const definition = BY_ID.get(id);
  if (definition !== undefined) return { kind: 'check', definition };
  const source = id.slice(0, id.indexOf('.'));
  return PARTNER_CHECK_SOURCES.includes(source) ? { kind: 'partner' } : { kind: 'unknown' };
}
