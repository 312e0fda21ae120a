import type { ProviderAdapter } from '../spec/provider-adapter.js';
import {
  authorizeBedrockRequest,
  bedrockRejectsAuthorization,
  reauthorizeBedrockRequest,
} from './authorize.js';
import { bedrockFilesAndBatches } from './batches/route.js';
import { toBedrockUpstreamError } from './errors.js';
import { createBedrockEventStreamDecoder } from './event-stream.js';
import { bedrockNativeCountTokens, bedrockNativeMessages } from './native-messages.js';
import { toBedrockRequest } from './request.js';
import { fromBedrockResponse } from './response.js';
import { createBedrockStreamTransformer } from './stream.js';

/**
 * The Bedrock adapter: OpenAI chat completions over Converse and ConverseStream (SigV4-signed by the
 * `authorize` step at the call's clock, with the target's keys or a role's from STS AssumeRole, or an
 * Amazon Bedrock API key as a bearer token, the binary event stream decoded by `createStreamDecoder`),
 * embeddings over InvokeModel for Titan and Cohere models; OpenAI's files and batches over S3 and
 * batch inference jobs (`batches/`).
 */
export const bedrockAdapter = {
  id: 'bedrock',
  docsUrl: 'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html',
  dialect: 'bedrock-converse',
  capabilities: {
    chatCompletions: true,
    completions: {
      unsupported: 'https://docs.aws.amazon.com/bedrock/latest/userguide/conversation-inference.html',
    },
    embeddings: true,
    passthrough: {
      unsupported:
        'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Amazon_Bedrock_Runtime.html',
    },
    streaming: true,
    tools: true,
    jsonMode: true,
    imageInput: true,
    reasoning: true,
  },
  buildRequest: toBedrockRequest,
  parseResponse: fromBedrockResponse,
  createStreamTransformer: createBedrockStreamTransformer,
  parseError: toBedrockUpstreamError,
  authorize: authorizeBedrockRequest,
  reauthorize: reauthorizeBedrockRequest,
  rejectsAuthorization: bedrockRejectsAuthorization,
  createStreamDecoder: createBedrockEventStreamDecoder,
  nativeDialects: { messages: bedrockNativeMessages, 'messages.count_tokens': bedrockNativeCountTokens },
  filesAndBatches: bedrockFilesAndBatches,
} as const satisfies ProviderAdapter;
