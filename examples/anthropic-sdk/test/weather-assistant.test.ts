import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askWeather } from '../src/weather-assistant.js';
import { FINAL_TEXT, type MockProviders, startMockProviders } from './mock-providers.js';

// The example app, unchanged, against the built pk gateway (started as users start it) in front of
// a mock provider: natively to Anthropic, and translated to OpenAI by one header.
const gatewayDir = dirname(createRequire(import.meta.url).resolve('@pk/gateway/package.json'));
let gateway: ChildProcess;
let gatewayUrl = '';
let mock: MockProviders;

beforeAll(async () => {
  mock = await startMockProviders();
  gateway = spawn(process.execPath, [join(gatewayDir, 'dist/server.js')], {
    env: { PATH: process.env.PATH ?? '', PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  gatewayUrl = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the gateway did not start: ${output}`)), 10_000);
    gateway.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /pk gateway listening on (http:\/\/[^"\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
});

afterAll(async () => {
  gateway.kill('SIGTERM');
  await once(gateway, 'exit');
  await mock.close();
});

describe('the Anthropic SDK example through pk', () => {
  it('asks Claude (no provider named: Anthropic with the SDK’s x-api-key) and runs the tool round trip', async () => {
    const client = new Anthropic({
      baseURL: gatewayUrl,
      apiKey: 'sk-ant-example',
      defaultHeaders: { 'x-portkey-custom-host': `${mock.url}/v1` },
    });
    const answer = await askWeather(
      client,
      'claude-sonnet-4-20250514',
      'What is the weather in San Francisco?',
    );
    expect(answer).toEqual({
      text: FINAL_TEXT,
      toolCalls: [{ name: 'get_weather', input: { location: 'San Francisco, CA' } }],
      usage: { input_tokens: 80, output_tokens: 40 },
    });
    expect(mock.received.map((request) => request.url)).toEqual(['/v1/messages', '/v1/messages']);
    expect(mock.received[0]?.headers['x-api-key']).toBe('sk-ant-example');
    expect(mock.received[1]?.body.messages).toEqual([
      { role: 'user', content: 'What is the weather in San Francisco?' },
      {
        role: 'assistant',
        content: [
          {
            type: 'tool_use',
            id: 'toolu_01A',
            name: 'get_weather',
            input: { location: 'San Francisco, CA' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01A',
            content: '15 degrees and foggy in San Francisco, CA',
          },
        ],
      },
    ]);
  });

  it('sends the same code to OpenAI with one header, through chat completions and back', async () => {
    mock.received.length = 0;
    const client = new Anthropic({
      baseURL: gatewayUrl,
      apiKey: 'sk-openai-example',
      defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mock.url}/v1` },
    });
    const answer = await askWeather(client, 'gpt-4o', 'What is the weather in San Francisco?');
    expect(answer.text).toBe(FINAL_TEXT);
    expect(answer.toolCalls).toEqual([{ name: 'get_weather', input: { location: 'San Francisco, CA' } }]);
    expect(answer.usage).toEqual({ input_tokens: 80, output_tokens: 40 });
    expect(mock.received.map((request) => request.url)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
    ]);
    expect(mock.received[0]?.headers.authorization).toBe('Bearer sk-openai-example');
    expect(mock.received[1]?.body.messages).toEqual([
      { role: 'user', content: 'What is the weather in San Francisco?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_01',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_01', content: '15 degrees and foggy in San Francisco, CA' },
    ]);
  });
});
