import { createHash } from 'node:crypto';
import { canonicalJson } from '@pk/config';

/** Request fields that change what a good answer is: part of the semantic scope, never fuzzy-matched. */
const SCOPE_FIELDS = [
  'model',
  'tools',
  'tool_choice',
  'response_format',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'seed',
];

/** What the semantic cache compares: the text to embed and the scope it must match exactly. */
export interface SemanticQuery {
  /** The non-system messages' text, joined with `\n###\n` (hosted Portkey's separator). */
  readonly text: string;
  /** SHA-256 of everything that must be equal for two requests to share an answer. */
  readonly scope: string;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      part && typeof part === 'object' && (part as { type?: unknown }).type === 'text'
        ? String((part as { text?: unknown }).text ?? '')
        : '',
    )
    .filter(Boolean)
    .join('\n');
}

/**
 * The semantic query of a chat request, or `undefined` when it has nothing to embed. The scope holds
 * the exact-match partition (tenant, credential identity, endpoint and namespace, via `partition`)
 * plus the model, the system prompt, tools, `tool_choice`, `response_format`, temperature, top_p,
 * max_tokens and seed, so different tenants and contexts never answer each other.
 */
export function semanticQueryOf(
  body: Readonly<Record<string, unknown>>,
  partition: string,
): SemanticQuery | undefined {
  const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
  const system: string[] = [];
  const conversation: string[] = [];
  for (const message of messages) {
    const role = message.role;
    const text = textOf(message.content);
    if (role === 'system' || role === 'developer') system.push(text);
    else conversation.push(`${String(role)}: ${text}`);
  }
  if (conversation.length === 0) return undefined;
  const scoped: Record<string, unknown> = { partition, system };
  for (const field of SCOPE_FIELDS) if (body[field] !== undefined) scoped[field] = body[field];
  return {
    text: conversation.join('\n###\n'),
    scope: createHash('sha256').update(canonicalJson(scoped)).digest('hex'),
  };
}
