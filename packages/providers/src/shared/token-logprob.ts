/** One alternative of a token (https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices). */
export interface OpenAITopLogprob {
  readonly token: string;
  readonly logprob: number;
  readonly bytes: number[];
}

/** One token of `choices[].logprobs.content[]`, with its likeliest alternatives. */
export interface OpenAITokenLogprob extends OpenAITopLogprob {
  readonly top_logprobs: OpenAITopLogprob[];
}

/** A choice's `logprobs` object. */
export interface OpenAIChoiceLogprobs {
  readonly content: OpenAITokenLogprob[];
  readonly refusal: null;
}

const encoder = new TextEncoder();

/** A token with its log probability and its UTF-8 bytes, as OpenAI reports it. */
export function topLogprob(token: string, logprob: number): OpenAITopLogprob {
  return { token, logprob, bytes: [...encoder.encode(token)] };
}

/** A token of `logprobs.content[]` (`top` are its alternatives, none when the vendor gives none). */
export function tokenLogprob(
  token: string,
  logprob: number,
  top: readonly OpenAITopLogprob[] = [],
): OpenAITokenLogprob {
  return { ...topLogprob(token, logprob), top_logprobs: [...top] };
}

/** A choice's `logprobs` for these tokens. */
export function choiceLogprobs(content: readonly OpenAITokenLogprob[]): OpenAIChoiceLogprobs {
  return { content: [...content], refusal: null };
}
