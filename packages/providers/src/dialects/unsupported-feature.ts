import { PkError } from '@pk/config';
import { filePartOf } from '../shared/file-part.js';
import type { TargetModel } from '../shared/target-capabilities.js';
import { unreadableFileOf } from '../shared/unreadable-file.js';

/**
 * The 400 for a dialect feature that has no chat completions equivalent on a translated provider
 * (`PK_ERR_UNSUPPORTED_FEATURE`): says what, for which provider, where it is in the request and, given
 * a `remedy`, what to send instead.
 */
export function unsupportedFeature(
  feature: string,
  provider: string,
  param: string,
  remedy?: string,
): PkError {
  return new PkError(
    'PK_ERR_UNSUPPORTED_FEATURE',
    `${feature} cannot be translated for provider '${provider}' (it does not speak this API natively)${remedy === undefined ? '' : `: ${remedy}`}`,
    { param },
  );
}

/** The 400 for a body that does not match the dialect's schema, naming the first bad field. */
export function invalidDialectRequest(
  api: string,
  issue: { path: PropertyKey[]; message: string } | undefined,
) {
  const path = issue?.path.map(String).join('.') ?? '';
  return new PkError(
    'PK_ERR_INVALID_REQUEST',
    `invalid ${api} request${path === '' ? '' : ` at '${path}'`}: ${issue?.message ?? 'invalid'}`,
    { param: path || null },
  );
}

/**
 * Refuses (throws the 400 of {@link unsupportedFeature}) a translated chat `file` part whose bytes the
 * target's adapter cannot read (a docx to Gemini, a zip to Bedrock), as the chat route refuses it:
 * dropping it would have the model answer without the file. Returns the part otherwise.
 */
export function refuseUnreadableFile<Part extends { readonly type: string }>(
  part: Part,
  target: TargetModel,
  param: string,
): Part {
  const file = filePartOf(part);
  const unreadable = file === undefined ? undefined : unreadableFileOf(file, target);
  if (unreadable !== undefined)
    throw unsupportedFeature(unreadable.what, target.provider, param, unreadable.why);
  return part;
}
