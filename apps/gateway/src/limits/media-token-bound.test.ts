import { describe, expect, it } from 'vitest';
import { tokenBoundOf } from './estimate.js';
import { DEFAULT_IMAGE_TOKENS, FILE_TOKENS, imageTokensOf, mediaTopUpOf } from './media-token-bound.js';

const json = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const imageByUrl = { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } };

describe('images and files hold their documented worst case, not their bytes', () => {
  it.each([
    ['gpt-4o', DEFAULT_IMAGE_TOKENS],
    ['claude-sonnet-4-5', DEFAULT_IMAGE_TOKENS],
    ['gemini-2.5-pro', DEFAULT_IMAGE_TOKENS],
    [undefined, DEFAULT_IMAGE_TOKENS],
    ['gpt-4o-mini', 48_169],
    ['gpt-4o-mini-2024-07-18', 48_169],
    ['gpt-4.1-nano', 3_779],
    ['o4-mini', 2_642],
    ['gpt-4.1-mini', 2_489],
    ['gpt-5-mini', 2_489],
  ])('one image on %s holds %i prompt tokens', (model, tokens) => {
    expect(imageTokensOf(model)).toBe(tokens);
  });

  it('OpenAI’s gpt-4o high detail (1,445 at most) and Anthropic’s largest image fit the default', () => {
    expect(85 + 170 * 8).toBeLessThanOrEqual(DEFAULT_IMAGE_TOKENS);
    expect(Math.ceil((1_092 * 1_092) / 750)).toBeLessThanOrEqual(DEFAULT_IMAGE_TOKENS);
  });

  it('an image by URL in a chat request is raised from its few bytes to the worst case', () => {
    const body = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, imageByUrl] }],
      max_tokens: 10,
    };
    expect(mediaTopUpOf(body)).toBe(DEFAULT_IMAGE_TOKENS - json(imageByUrl));
    // 8 per request, 8 per message, "user", the text and the image's worst case.
    expect(tokenBoundOf('chat.completions', body, json(body), 4096)).toEqual({
      promptTokens: 8 + 8 + 4 + 13 + DEFAULT_IMAGE_TOKENS,
      completionTokens: 10,
    });
  });

  it('an inline image larger than its worst case keeps its bytes', () => {
    const big = { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(5_000)}` } };
    expect(mediaTopUpOf({ model: 'gpt-4o', messages: [{ role: 'user', content: [big] }] })).toBe(0);
  });

  it('finds Anthropic images and documents, those in tool results, and Responses input images and files', () => {
    const image = { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } };
    const document = { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } };
    const messages = {
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'user', content: [image, document] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [image] }] },
      ],
    };
    expect(mediaTopUpOf(messages)).toBe(
      2 * (DEFAULT_IMAGE_TOKENS - json(image)) + (FILE_TOKENS - json(document)),
    );
    const inputImage = { type: 'input_image', image_url: 'https://example.com/a.png' };
    const inputFile = { type: 'input_file', file_id: 'file-1' };
    const responses = { model: 'gpt-4.1-mini', input: [{ role: 'user', content: [inputImage, inputFile] }] };
    expect(mediaTopUpOf(responses)).toBe(2_489 - json(inputImage) + (FILE_TOKENS - json(inputFile)));
  });

  it('text, tools and audio add nothing (audio’s base64 outweighs its tokens)', () => {
    const audio = { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } };
    const body = {
      model: 'gpt-4o-audio-preview',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, audio] }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    };
    expect(mediaTopUpOf(body)).toBe(0);
  });
});
