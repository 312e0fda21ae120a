import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../shared/prepare-request.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readJsonFixture } from '../test-support/fixtures.js';
import { STRICT_WEATHER_TOOLS, strictToolDroppedWarning } from '../test-support/strict-tools.js';
import { toVertexAIRequest } from './request.js';

const target = {
  provider: 'vertex-ai',
  vertex_project_id: 'my-project-1',
  vertex_region: 'us-east5',
  api_key: 'ya29.t',
};
const build = (body: Record<string, unknown>, over: Record<string, unknown> = {}) =>
  toVertexAIRequest(preparedChat('vertex-ai', body), testContext('vertex-ai', { ...target, ...over }));

describe('toVertexAIRequest', () => {
  it('sends Claude the documented streamRawPredict body (vertex anthropic_version, no model)', () => {
    const built = build({
      model: 'claude-3-5-sonnet-v2@20241022',
      stream: true,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hey Claude!' }],
    });
    expect(built.upstream.url).toBe(
      'https://us-east5-aiplatform.googleapis.com/v1/projects/my-project-1/locations/us-east5/publishers/anthropic/models/claude-3-5-sonnet-v2@20241022:streamRawPredict',
    );
    expect(built.upstream.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(String(built.upstream.body))).toEqual(
      readJsonFixture('vertex-ai', 'request-claude.json'),
    );
  });

  it('sends Claude vertex-2023-10-16 whatever anthropic_version the target has (Anthropic’s header value)', () => {
    const built = build(
      { model: 'claude-sonnet-4@20250514', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] },
      { anthropic_version: '2023-06-01' },
    );
    expect(JSON.parse(String(built.upstream.body))).toMatchObject({ anthropic_version: 'vertex-2023-10-16' });
  });

  it('names vertex-ai, not anthropic, in the warnings of a Claude request', () => {
    const built = build({
      model: 'claude-3-5-sonnet-v2@20241022',
      max_tokens: 100,
      temperature: 1.5,
      seed: 7,
      messages: [
        { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] },
        { role: 'user', content: 'Hey Claude!' },
      ],
    });
    expect(built.warnings).toEqual([
      "content part 'input_audio' in a user message is not supported by vertex-ai and was dropped",
      'temperature above 1 is not supported by vertex-ai and was lowered to 1',
      "parameter 'seed' is not supported by vertex-ai and was dropped",
    ]);
  });

  it('names vertex-ai, not google, in the warnings of a Gemini request', () => {
    const built = build({
      model: 'gemini-2.0-flash',
      messages: [
        { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] },
        { role: 'user', content: 'x' },
      ],
    });
    expect(built.warnings).toEqual([
      "content part 'input_audio' is not supported by vertex-ai and was dropped",
    ]);
  });

  it('refuses n > 1 for Claude naming vertex-ai', () => {
    const run = () =>
      build({ model: 'claude-3-5-sonnet-v2@20241022', n: 2, messages: [{ role: 'user', content: 'x' }] });
    expect(run).toThrow('vertex-ai returns one choice per request');
  });

  it('keeps a content part’s cache_control for Claude on Vertex (the Anthropic request code)', () => {
    const built = build({
      model: 'claude-sonnet-4@20250514',
      messages: [
        {
          role: 'system',
          content: [{ type: 'text', text: 'Long rules.', cache_control: { type: 'ephemeral' } }],
        },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(JSON.parse(String(built.upstream.body))).toMatchObject({
      system: [{ type: 'text', text: 'Long rules.', cache_control: { type: 'ephemeral' } }],
    });
  });

  it('sends Gemini the Gemini body on generateContent, global on the global host', () => {
    const built = build(
      { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'Hello there' }] },
      { vertex_region: 'global' },
    );
    expect(built.upstream.url).toBe(
      'https://aiplatform.googleapis.com/v1/projects/my-project-1/locations/global/publishers/google/models/gemini-2.0-flash:generateContent',
    );
    expect(JSON.parse(String(built.upstream.body))).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }],
    });
  });

  it.each([
    [
      'europe-west12',
      'https://europe-west12-aiplatform.googleapis.com/v1/projects/my-project-1/locations/europe-west12',
    ],
    [
      'europe-west10',
      'https://europe-west10-aiplatform.googleapis.com/v1/projects/my-project-1/locations/europe-west10',
    ],
    ['us', 'https://aiplatform.us.rep.googleapis.com/v1/projects/my-project-1/locations/us'],
    ['eu', 'https://aiplatform.eu.rep.googleapis.com/v1/projects/my-project-1/locations/eu'],
  ])('builds region %s’s URL on its own host', (region, base) => {
    const built = build(
      { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'Hello there' }] },
      { vertex_region: region },
    );
    expect(built.upstream.url).toBe(`${base}/publishers/google/models/gemini-2.0-flash:generateContent`);
  });

  it.each([
    [{ vertex_project_id: 'evil.com#' }, 'vertex_project_id'],
    [{ vertex_region: 'europe-west123' }, 'vertex_region'],
    [{ vertex_region: 'asia' }, 'vertex_region'],
    [{ vertex_region: 'us.attacker.net' }, 'vertex_region'],
    [{ vertex_project_id: 'ab' }, 'vertex_project_id'],
    [{ vertex_region: 'evil.com/x' }, 'vertex_region'],
    [{ vertex_region: 'us-central1.attacker.net' }, 'vertex_region'],
  ])('refuses %o before any URL is built', (over, param) => {
    const run = () => build({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'x' }] }, over);
    expect(run).toThrow(PkError);
    expect(run).toThrow(expect.objectContaining({ status: 400, param }));
  });

  it('builds predict for embeddings', () => {
    const prepared = prepareRequest({
      request: { endpoint: 'embeddings', body: { model: 'text-embedding-005', input: ['a', 'b'] } },
      provider: 'vertex-ai',
      target,
    });
    const built = toVertexAIRequest(prepared, testContext('vertex-ai', target));
    expect(built.upstream.url.endsWith('/publishers/google/models/text-embedding-005:predict')).toBe(true);
    expect(JSON.parse(String(built.upstream.body))).toEqual({
      instances: [{ content: 'a' }, { content: 'b' }],
    });
  });

  it('passes Claude’s extended thinking and top_k through', () => {
    const thinking = { type: 'enabled', budget_tokens: 2048 };
    const built = build({
      model: 'claude-sonnet-4@20250514',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      thinking,
      top_k: 40,
    });
    expect(JSON.parse(String(built.upstream.body))).toMatchObject({ thinking, top_k: 40 });
    expect(built.warnings).toEqual([]);
  });

  it('drops a tool’s strict: true for Claude on Vertex AI, with a warning that the arguments are not held to the schema', () => {
    const built = build({
      model: 'claude-sonnet-4@20250514',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: STRICT_WEATHER_TOOLS,
    });
    const body = JSON.parse(String(built.upstream.body)) as { tools: Record<string, unknown>[] };
    expect(body.tools.map((tool) => tool.strict)).toEqual([undefined, undefined]);
    expect(built.warnings).toEqual([strictToolDroppedWarning('vertex-ai')]);
  });
});
