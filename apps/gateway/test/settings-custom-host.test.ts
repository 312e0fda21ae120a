import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, runGatewayExpectingExit, startGateway } from './server-process.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// A settings file's virtual key takes `custom_host` at the top level, as the admin API does: the
// same as `options.custom_host`.
let mock: ProviderMock;
let gateway: GatewayProcess;
const dir = mkdtempSync(join(tmpdir(), 'pk-settings-custom-host-'));

beforeAll(async () => {
  mock = await startProviderMock();
  const settings = join(dir, 'pk.yaml');
  writeFileSync(
    settings,
    [
      'virtual_keys:',
      '  openai-top:',
      '    provider: openai',
      '    api_key: sk-stored-top-level',
      `    custom_host: ${mock.url}/v1`,
      '',
    ].join('\n'),
  );
  gateway = await startGateway({}, ['--settings', settings]);
}, 30_000);
afterAll(async () => {
  gateway?.child.kill('SIGKILL');
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a settings virtual key’s top-level custom_host', () => {
  it('is where its requests go, with its stored key (openai SDK)', async () => {
    const openai = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-virtual-key': 'openai-top' },
    });
    const answer = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(answer.choices[0]?.message.content).toBeTruthy();
    expect(mock.received.at(-1)).toMatchObject({
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-stored-top-level' },
    });
  });

  it('given twice with different values (top level and options) is refused at start', async () => {
    const settings = join(dir, 'both.yaml');
    writeFileSync(
      settings,
      [
        'virtual_keys:',
        '  both:',
        '    provider: openai',
        `    custom_host: ${mock.url}/v1`,
        '    options:',
        '      custom_host: http://127.0.0.1:1/v1',
        '',
      ].join('\n'),
    );
    const refused = await runGatewayExpectingExit({}, ['--settings', settings]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      'virtual_keys.both.custom_host: options.custom_host gives another value; give the custom host once',
    );
  });

  it('with a query string is refused at start, naming the key and the field, never the token', async () => {
    const settings = join(dir, 'query.yaml');
    writeFileSync(
      settings,
      [
        'virtual_keys:',
        '  queried:',
        '    provider: openai',
        '    api_key: sk-stored-top-level',
        `    custom_host: ${mock.url}/v1?token=canary-settings-query-81c3`,
        '',
      ].join('\n'),
    );
    const refused = await runGatewayExpectingExit({}, ['--settings', settings]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      'virtual_keys.queried.custom_host: expected a URL without a query string or fragment',
    );
    expect(refused.output).not.toContain('canary-settings-query');
  });
});

describe('a settings virtual key’s provider', () => {
  it('that pk does not know is refused at start, naming the key and the field', async () => {
    const settings = join(dir, 'unknown-provider.yaml');
    writeFileSync(
      settings,
      ['virtual_keys:', '  typo:', '    provider: nope', '    api_key: sk-unknown-provider-key', ''].join(
        '\n',
      ),
    );
    const refused = await runGatewayExpectingExit({}, ['--settings', settings]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('virtual_keys.typo.provider: unknown provider "nope"');
    expect(refused.output).not.toContain('sk-unknown-provider-key');
  });
});
