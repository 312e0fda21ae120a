import { hash } from 'node:crypto';
import { canonicalJson } from '@pk/config';
import { questionSignatureOf } from './question-signature.js';

/**
 * The version of what the scope and the embedded text hold, hashed into every scope: bump it when
 * either changes, so the vectors an older scheme stored (reloaded from the Redis vector log, or
 * published by a replica not yet upgraded) are in scopes this one never searches. 1 was the first
 * scheme (every non-system message embedded, nine request fields in scope); 2 embeds only the last
 * user message's text; 3 adds the question's signature (negations, polar words, numbers) to the scope.
 */
export const SEMANTIC_SCHEME = 3;

/**
 * Body fields that do not change what a good answer is, left out of the scope; `messages` is
 * scoped on its own. A deny-list, so a request field pk does not know yet (a new OpenAI parameter)
 * is in the scope by default: two requests that differ in it never share an answer.
 */
const UNSCOPED_FIELDS: ReadonlySet<string> = new Set([
  'messages',
  'stream',
  'stream_options',
  'user',
  'safety_identifier',
  'metadata',
  'store',
  'prompt_cache_key',
]);

/** What the semantic cache compares: the text to embed and the scope it must match exactly. */
export interface SemanticQuery {
  /** The text of the last user message (its text parts joined with `\n`). */
  readonly text: string;
  /** SHA-256 of everything that must be equal for two requests to share an answer. */
  readonly scope: string;
}

type Message = Readonly<Record<string, unknown>>;

const isTextPart = (part: unknown): part is Readonly<{ type: 'text'; text?: unknown }> =>
  part !== null && typeof part === 'object' && (part as { type?: unknown }).type === 'text';

/** The question's text (what is embedded), and the question without it (what is scoped exactly). */
function splitQuestion(message: Message): { text: string; rest: Message } {
  const content = message.content;
  if (typeof content === 'string') return { text: content, rest: { ...message, content: undefined } };
  if (!Array.isArray(content)) return { text: '', rest: message };
  const texts: string[] = [];
  // Images, audio and files stay in place, in full (the scope is a hash of their URL or data); a
  // text part keeps its place and its other members (`cache_control` …) without its text.
  const parts = content.map((part: unknown) => {
    if (!isTextPart(part)) return part;
    texts.push(typeof part.text === 'string' ? part.text : '');
    return { ...part, text: undefined };
  });
  return { text: texts.filter(Boolean).join('\n'), rest: { ...message, content: parts } };
}

/**
 * The semantic query of a chat request, or `undefined` when it has nothing to embed (no user
 * message, or a last user message without text). Only the **last user message's text** is embedded;
 * everything else that can change the answer is an exact part of the scope, hashed with SHA-256:
 * the scheme version, the exact-match partition (tenant, credential identity, endpoint, namespace,
 * strictness, via `partition`), every body field but `messages` and {@link UNSCOPED_FIELDS}, every
 * other message in full and in order (system prompt, earlier turns with their tool calls and
 * arguments, tool results, anything after the question), the question's non-text parts, and the
 * question's signature ({@link questionSignatureOf}: its negations, polar words and numbers), so a
 * similar question that asks the opposite ("turn off" after "turn on") or about other numbers is
 * never served another's answer however close their embeddings are.
 */
export function semanticQueryOf(
  body: Readonly<Record<string, unknown>>,
  partition: string,
): SemanticQuery | undefined {
  const messages: readonly unknown[] = Array.isArray(body.messages) ? body.messages : [];
  let last = messages.length - 1;
  while (last >= 0 && (messages[last] as Message | null)?.role !== 'user') last -= 1;
  if (last < 0) return undefined;
  const { text, rest } = splitQuestion(messages[last] as Message);
  if (text.trim() === '') return undefined;
  const scoped = messages.map((message, index) => (index === last ? rest : message));
  const scope = hash(
    'sha256',
    `${SEMANTIC_SCHEME}\n${partition}\n${questionSignatureOf(text)}\n${canonicalJson(body, UNSCOPED_FIELDS)}\n${canonicalJson(scoped)}`,
    'hex',
  );
  return { text, scope };
}
