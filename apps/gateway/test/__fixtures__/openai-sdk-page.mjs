// A web page's script (served to Chromium by test/cors-browser.test.ts): one chat call through the
// gateway with the official openai SDK, returning what the page's code can read of the answer or error.
import OpenAI from '/openai/index.mjs';

const HEADERS_READ = [
  'x-portkey-trace-id',
  'x-portkey-provider',
  'x-request-id',
  'openai-processing-ms',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-tokens',
  'retry-after',
];

const read = (headers) => Object.fromEntries(HEADERS_READ.map((name) => [name, headers.get(name)]));

window.callChat = async ({ base, model, stream }) => {
  const client = new OpenAI({
    baseURL: base,
    apiKey: 'unused-behind-a-virtual-key',
    dangerouslyAllowBrowser: true,
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-virtual-key': 'web' },
  });
  const body = { model, messages: [{ role: 'user', content: 'hi' }] };
  try {
    if (stream) {
      const { data, response, request_id } = await client.chat.completions
        .create({ ...body, stream: true })
        .withResponse();
      let content = '';
      for await (const chunk of data) content += chunk.choices[0]?.delta.content ?? '';
      return { content, requestId: request_id, headers: read(response.headers) };
    }
    const { data, response, request_id } = await client.chat.completions.create(body).withResponse();
    return {
      content: data.choices[0]?.message.content ?? '',
      requestId: request_id,
      headers: read(response.headers),
    };
  } catch (error) {
    return {
      status: error.status ?? 0,
      errorType: error.constructor.name,
      requestId: error.requestID ?? null,
      headers: error.headers ? read(error.headers) : {},
    };
  }
};
window.ready = true;
