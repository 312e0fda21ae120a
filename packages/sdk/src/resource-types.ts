import type { APIPromise, OpenAI } from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type {
  Completion,
  CompletionCreateParamsBase,
  CompletionCreateParamsNonStreaming,
  CompletionCreateParamsStreaming,
} from 'openai/resources/completions';
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from 'openai/resources/embeddings';
import type { Stream } from 'openai/streaming';
import type { OpenAIRequestOptions, PortkeyCallOptions } from './portkey-options.js';
import type { PortkeyResponseExtras } from './response-headers.js';

/** A non-streamed result: the API's object plus {@link PortkeyResponseExtras.getHeaders}. */
export type WithPortkeyHeaders<T> = T & PortkeyResponseExtras;

/**
 * `chat.completions.create` with the official SDK's signature: `create(body, params?, opts?)`, where
 * `params` holds Portkey options for this call only (and may hold openai's request options too).
 */
export interface PortkeyChatCompletionsCreate {
  create(
    body: ChatCompletionCreateParamsNonStreaming,
    params?: PortkeyCallOptions,
    opts?: OpenAIRequestOptions,
  ): APIPromise<WithPortkeyHeaders<ChatCompletion>>;
  create(
    body: ChatCompletionCreateParamsStreaming,
    params?: PortkeyCallOptions,
    opts?: OpenAIRequestOptions,
  ): APIPromise<Stream<ChatCompletionChunk>>;
  create(
    body: ChatCompletionCreateParamsBase,
    params?: PortkeyCallOptions,
    opts?: OpenAIRequestOptions,
  ): APIPromise<Stream<ChatCompletionChunk> | WithPortkeyHeaders<ChatCompletion>>;
}

/** `completions.create` (legacy completions), with Portkey options per call. */
export interface PortkeyCompletionsCreate {
  create(
    body: CompletionCreateParamsNonStreaming,
    params?: PortkeyCallOptions,
    opts?: OpenAIRequestOptions,
  ): APIPromise<WithPortkeyHeaders<Completion>>;
  create(
    body: CompletionCreateParamsStreaming,
    params?: PortkeyCallOptions,
    opts?: OpenAIRequestOptions,
  ): APIPromise<Stream<Completion>>;
  create(
    body: CompletionCreateParamsBase,
    params?: PortkeyCallOptions,
    opts?: OpenAIRequestOptions,
  ): APIPromise<Stream<Completion> | WithPortkeyHeaders<Completion>>;
}

/** `embeddings.create`, with Portkey options per call. */
export interface PortkeyEmbeddingsCreate {
  create(
    body: EmbeddingCreateParams,
    params?: PortkeyCallOptions,
    opts?: OpenAIRequestOptions,
  ): APIPromise<WithPortkeyHeaders<CreateEmbeddingResponse>>;
}

/** `client.chat`: openai's, with the Portkey signature of `completions.create` tried first. */
export type PortkeyChat = {
  completions: PortkeyChatCompletionsCreate & OpenAI['chat']['completions'];
} & OpenAI['chat'];

/** `client.completions`: openai's, with the Portkey signature of `create` tried first. */
export type PortkeyCompletions = PortkeyCompletionsCreate & OpenAI['completions'];

/** `client.embeddings`: openai's, with the Portkey signature of `create` tried first. */
export type PortkeyEmbeddings = PortkeyEmbeddingsCreate & OpenAI['embeddings'];
