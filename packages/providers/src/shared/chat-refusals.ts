import { PkError } from '@pk/config';
import { filePartOf } from './file-part.js';
import { isJsonObject } from './json.js';
import { stopSequenceLimit, type TargetModel, takesFiles, takesFileUrls } from './target-capabilities.js';
import { unreadableFileOf } from './unreadable-file.js';

/**
 * The 400 for what a chat completions request asks of a target that cannot take it
 * (`PK_ERR_UNSUPPORTED_FEATURE`): what, where in the request, for which provider and, given a `remedy`,
 * what to send instead.
 */
function unsupportedByTarget(what: string, param: string, provider: string, remedy?: string): PkError {
  return new PkError(
    'PK_ERR_UNSUPPORTED_FEATURE',
    `${what} at ${param} cannot be sent to provider '${provider}'${remedy === undefined ? '' : `: ${remedy}`}`,
    { param },
  );
}

/** Why the target cannot take a `file` content part, or `undefined` when it can. */
function fileRefusal(
  part: { readonly type: string },
  param: string,
  target: TargetModel,
): PkError | undefined {
  const file = filePartOf(part);
  if (file === undefined) return undefined;
  const { provider } = target;
  if (!takesFiles(target))
    return unsupportedByTarget('a file content part', param, provider, `${provider} reads no files`);
  if (file.kind === 'url') {
    if (takesFileUrls(target)) return undefined;
    return unsupportedByTarget(
      'a file by URL (file_url)',
      param,
      provider,
      "send the file's bytes as base64 data instead (file_data)",
    );
  }
  const unreadable = unreadableFileOf(file, target);
  return unreadable === undefined
    ? undefined
    : unsupportedByTarget(unreadable.what, param, provider, unreadable.why);
}

/** The first `file` part of the messages the target cannot take, as its 400. */
function messagesRefusal(messages: unknown, target: TargetModel): PkError | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const [index, message] of messages.entries()) {
    const content = isJsonObject(message) ? message.content : undefined;
    if (!Array.isArray(content)) continue;
    for (const [partIndex, part] of content.entries()) {
      if (!isJsonObject(part) || typeof part.type !== 'string') continue;
      const refusal = fileRefusal(
        part as { readonly type: string },
        `messages[${index}].content[${partIndex}]`,
        target,
      );
      if (refusal !== undefined) return refusal;
    }
  }
  return undefined;
}

/** More `stop` sequences than the target takes, as its 400 (trimming would let the answer run on). */
function stopRefusal(stop: unknown, target: TargetModel): PkError | undefined {
  if (!Array.isArray(stop)) return undefined;
  const limit = stopSequenceLimit(target);
  if (limit === undefined || stop.length <= limit) return undefined;
  return unsupportedByTarget(
    `${stop.length} stop sequences`,
    'stop',
    target.provider,
    `${target.provider} takes at most ${limit}; send at most ${limit}`,
  );
}

/**
 * Refuses (throws a 400 `PK_ERR_UNSUPPORTED_FEATURE`) a chat completions body the target cannot take,
 * before anything is sent, as the dialect translations refuse it (decision 0008): a `file` part where
 * the provider reads no files, a file by URL where it fetches none, a `file_id` or a media type the
 * translating adapter cannot turn into the provider's document; more `stop` sequences than it takes.
 * Silently dropping the file would have the model answer without the document; the vendor's own
 * refusal of a stop list comes after a paid round trip, or not at all.
 */
export function refuseWhatTheTargetCannotTake(
  body: Readonly<Record<string, unknown>>,
  target: TargetModel,
): void {
  const refusal = messagesRefusal(body.messages, target) ?? stopRefusal(body.stop, target);
  if (refusal !== undefined) throw refusal;
}
