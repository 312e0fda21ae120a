import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../shared/prepare-request.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readFixtureText, readJsonFixture } from '../test-support/fixtures.js';
import { toAzureOpenAIUpstreamError } from './errors.js';
import {
  AZURE_OPENAI_REALTIME_API_VERSION,
  toAzureOpenAIRealtimeRequest,
  toAzureOpenAIRequest,
} from './request.js';

const target = {
  resource_name: 'my-resource',
  deployment_id: 'gpt-4o',
  api_version: '2024-10-21',
  api_key: 'az-key',
};

describe('toAzureOpenAIRequest', () => {
  it.each(['request-text.json', 'request-tools.json'])(
    'sends the documented example %s to the deployment URL',
    (name) => {
      const documented = readJsonFixture('azure-openai', name);
      const { upstream } = toAzureOpenAIRequest(
        preparedChat('azure-openai', documented),
        testContext('azure-openai', target),
      );
      expect(upstream.url).toBe(
        'https://my-resource.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
      );
      expect(upstream.headers).toEqual({ 'api-key': 'az-key', 'content-type': 'application/json' });
      expect(JSON.parse(String(upstream.body))).toEqual(documented);
    },
  );

  it('sends an Entra token as Bearer instead of api-key', () => {
    const { upstream } = toAzureOpenAIRequest(
      preparedChat('azure-openai', { messages: [] }),
      testContext('azure-openai', { ...target, api_key: undefined, azure_ad_token: 'Bearer eyJ0' }),
    );
    expect(upstream.headers).toEqual({ authorization: 'Bearer eyJ0', 'content-type': 'application/json' });
  });

  it('routes embeddings and pass-through paths, files at the resource level', () => {
    const context = testContext('azure-openai', target);
    const embeddings = prepareRequest({
      request: { endpoint: 'embeddings', body: { input: 'x' } },
      provider: 'azure-openai',
      target,
    });
    expect(toAzureOpenAIRequest(embeddings, context).upstream.url).toContain(
      '/openai/deployments/gpt-4o/embeddings?api-version=',
    );
    const files = prepareRequest({
      request: { endpoint: 'passthrough', path: '/files', method: 'GET' },
      provider: 'azure-openai',
      target,
    });
    expect(toAzureOpenAIRequest(files, context).upstream.url).toBe(
      'https://my-resource.openai.azure.com/openai/files?api-version=2024-10-21',
    );
  });

  it.each([
    ['resource_name', 'evil.example/x#'],
    ['resource_name', 'attacker.example.com'],
    ['resource_name', 'a'],
    ['deployment_id', '../../other'],
    ['api_version', '2024-10-21&x=1'],
  ])('refuses %s %j before it reaches the URL (the host stays Azure’s)', (key, value) => {
    expect(() =>
      toAzureOpenAIRequest(
        preparedChat('azure-openai', { messages: [] }),
        testContext('azure-openai', { ...target, [key]: value }),
      ),
    ).toThrow(/does not look like an Azure/);
  });

  it('refuses a target without resource or deployment', () => {
    expect(() =>
      toAzureOpenAIRequest(
        preparedChat('azure-openai', { messages: [] }),
        testContext('azure-openai', { api_key: 'k' }),
      ),
    ).toThrow(PkError);
  });
});

describe('toAzureOpenAIUpstreamError', () => {
  it('keeps content_filter and the param', () => {
    const error = toAzureOpenAIUpstreamError({
      provider: 'azure-openai',
      status: 400,
      body: readFixtureText('azure-openai', 'error-400-content-filter.json'),
      headers: {},
      now: 0,
    });
    expect(error).toMatchObject({ code: 'content_filter', param: 'prompt', retryable: false });
  });

  it('gives the client Azure’s innererror as sent: which content filter category fired', () => {
    const body = readFixtureText('azure-openai', 'error-400-content-filter.json');
    const error = toAzureOpenAIUpstreamError({
      provider: 'azure-openai',
      status: 400,
      body,
      headers: {},
      now: 0,
    });
    const sent = (JSON.parse(body) as { error: { innererror: unknown } }).error.innererror;
    expect(error.toEnvelope().error).toEqual({
      message: expect.stringContaining('content management policy'),
      type: null,
      param: 'prompt',
      code: 'content_filter',
      innererror: sent,
    });
  });

  it('takes the inner code when Azure gives no outer one, and still sends the innererror', () => {
    const innererror = {
      code: 'ResponsibleAIPolicyViolation',
      content_filter_result: { jailbreak: { filtered: true, detected: true } },
    };
    const error = toAzureOpenAIUpstreamError({
      provider: 'azure-openai',
      status: 400,
      body: JSON.stringify({ error: { message: 'filtered', innererror } }),
      headers: {},
      now: 0,
    });
    expect(error.toEnvelope().error).toMatchObject({ code: 'ResponsibleAIPolicyViolation', innererror });
  });

  it('reads Azure 429 with retry-after', () => {
    const error = toAzureOpenAIUpstreamError({
      provider: 'azure-openai',
      status: 429,
      body: readFixtureText('azure-openai', 'error-429-rate-limit.json'),
      headers: { 'retry-after': '6' },
      now: 0,
    });
    expect(error).toMatchObject({ code: '429', retryable: true, retryAfterMs: 6000 });
    const missing = toAzureOpenAIUpstreamError({
      provider: 'azure-openai',
      status: 404,
      body: readFixtureText('azure-openai', 'error-404-deployment.json'),
      headers: {},
      now: 0,
    });
    expect(missing).toMatchObject({ code: 'DeploymentNotFound', retryable: false });
  });
});

describe('toAzureOpenAIRealtimeRequest', () => {
  it('dials the resource’s /openai/realtime with the API version and the deployment, the client’s query kept', () => {
    const built = toAzureOpenAIRealtimeRequest(
      { ...target, api_version: '2025-04-01-preview', deployment_id: 'gpt-realtime' },
      new URLSearchParams({ model: 'gpt-realtime', extra: 'x' }),
    );
    expect(built).toEqual({
      url: 'https://my-resource.openai.azure.com/openai/realtime?model=gpt-realtime&extra=x&api-version=2025-04-01-preview&deployment=gpt-realtime',
      headers: { 'api-key': 'az-key' },
    });
  });

  it('uses a Realtime API version when the target names none, and the GA v1 path with the deployment as model', () => {
    const { api_version: _, ...unversioned } = target;
    expect(toAzureOpenAIRealtimeRequest(unversioned, new URLSearchParams({ model: 'm' })).url).toBe(
      `https://my-resource.openai.azure.com/openai/realtime?model=m&api-version=${AZURE_OPENAI_REALTIME_API_VERSION}&deployment=gpt-4o`,
    );
    expect(
      toAzureOpenAIRealtimeRequest(
        { ...target, api_version: 'v1', custom_host: 'https://apim.example.com/' },
        new URLSearchParams({ model: 'gpt-realtime', 'api-version': 'x' }),
      ).url,
    ).toBe('https://apim.example.com/openai/v1/realtime?model=gpt-4o');
  });

  it('sends an Entra token as Bearer, and refuses a target without a key, a deployment or a sane resource name', () => {
    expect(
      toAzureOpenAIRealtimeRequest(
        { ...target, api_key: undefined, azure_ad_token: 'eyJ0' },
        new URLSearchParams(),
      ).headers,
    ).toEqual({ authorization: 'Bearer eyJ0' });
    expect(() =>
      toAzureOpenAIRealtimeRequest({ ...target, api_key: undefined }, new URLSearchParams()),
    ).toThrow(PkError);
    expect(() =>
      toAzureOpenAIRealtimeRequest({ ...target, deployment_id: undefined }, new URLSearchParams()),
    ).toThrow(/needs 'deployment_id'/);
    expect(() =>
      toAzureOpenAIRealtimeRequest({ ...target, resource_name: 'evil.example/x#' }, new URLSearchParams()),
    ).toThrow(/does not look like an Azure resource name/);
  });
});
