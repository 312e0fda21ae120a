// The OpenAI chat stream the packages' CPU scripts feed through their stream paths
// (packages/providers/scripts/stream-call-cpu.mjs, packages/guardrails/bench/sse-guard-bench.mjs):
// shaped like the gateway bench mock's chunks (apps/gateway/bench/mock-openai-upstream.mjs), with a
// role chunk, 10 content pieces of a longer answer than the mock's, the finish chunk, the usage chunk
// and `[DONE]`: 14 SSE items.

const chunk = (delta, finishReason) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-mock0001',
    object: 'chat.completion.chunk',
    created: 1731000000,
    model: 'gpt-4o-mini',
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  })}\n\n`;

/** The 14 SSE items (`data: …\n\n` each) of the scripts' OpenAI chat stream, in order. */
export function openAIBenchStreamItems() {
  const answer = 'The capital of France is Paris, a city of about two million people on the Seine.';
  const items = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  const size = Math.ceil(answer.length / 10);
  for (let offset = 0; offset < answer.length; offset += size) {
    items.push(chunk({ content: answer.slice(offset, offset + size) }, null));
  }
  items.push(chunk({}, 'stop'));
  const usage = { prompt_tokens: 14, completion_tokens: 20, total_tokens: 34 };
  items.push(
    `data: ${JSON.stringify({ id: 'chatcmpl-mock0001', object: 'chat.completion.chunk', created: 1731000000, model: 'gpt-4o-mini', choices: [], usage })}\n\n`,
  );
  items.push('data: [DONE]\n\n');
  return items;
}
