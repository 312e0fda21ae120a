import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { openStore } from '@pk/store';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, startGateway } from './server-process.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// The README's admin section shows a Portkey admin script "running unchanged against pk": this test
// takes that very script out of the README, runs it with node (the official portkey-ai SDK) against
// the built gateway, then checks what it made and that it serves requests.
const README = new URL('../../../README.md', import.meta.url);
const GATEWAY_DIR = new URL('..', import.meta.url).pathname;
const OPENAI_KEY = 'sk-readme-script-provider-key-0123456789';

/** The code block between the README's admin-script markers. */
function readmeScript(): string {
  const text = readFileSync(README, 'utf8');
  const section = /<!-- admin-script:start -->\s*```js\n([\s\S]*?)```\s*<!-- admin-script:end -->/.exec(text);
  if (!section?.[1]) throw new Error('the README has no admin script between its markers');
  return section[1];
}

/** Runs an ES module given as text with node (resolving `portkey-ai` from the gateway's dependencies). */
async function runScript(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-'], {
    cwd: GATEWAY_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(script);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('the README’s Portkey admin script', () => {
  const dataDir = temporaryDataDir();
  let gateway: GatewayProcess;
  let upstream: MockOpenAI;
  let adminKey: string;

  beforeAll(async () => {
    upstream = await startMockOpenAI({ record: true });
    const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
    adminKey = (await store.gatewayKeys.create({ name: 'admin', role: 'admin' }, 'cli')).secret;
    await store.close();
    gateway = await startGateway({ PK_DATA_DIR: dataDir.path });
  });

  afterAll(async () => {
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
    await upstream?.close();
    dataDir.remove();
  });

  it('runs unchanged against pk, and what it made serves requests', async () => {
    const run = await runScript(readmeScript(), {
      PORTKEY_BASE_URL: `${gateway.url}/v1`,
      PORTKEY_API_KEY: adminKey,
      OPENAI_API_KEY: OPENAI_KEY,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const made = JSON.parse(run.stdout) as {
      provider: string;
      config: string;
      prompt: string;
      botKey: string;
      configs: number;
    };
    expect(made.configs).toBe(1);

    const portkey = new Portkey({ apiKey: adminKey, baseURL: `${gateway.url}/v1` });
    expect(await portkey.integrations.retrieve({ slug: 'openai-prod' })).toMatchObject({
      ai_provider_id: 'openai',
      providers: expect.arrayContaining(['openai-prod', made.provider]),
    });
    expect(await portkey.providers.retrieve({ slug: made.provider })).toMatchObject({
      provider: 'openai',
      integration_id: 'openai-prod',
      usage_limits: { credit_limit: 100, type: 'cost', periodic_reset: 'monthly' },
      rate_limits: [{ type: 'requests', unit: 'rpm', value: 600 }],
    });
    expect(await portkey.configs.retrieve({ slug: made.config })).toMatchObject({
      version: 2,
      config: {
        provider: `@${made.provider}`,
        retry: { attempts: 5 },
        cache: { mode: 'simple', max_age: 300 },
      },
    });

    // The provider here is a mock on 127.0.0.1: the integration's custom host points its providers at it.
    await portkey.integrations.update({
      slug: 'openai-prod',
      configurations: { custom_host: `${upstream.url}/v1` },
    });
    const bot = new Portkey({ apiKey: made.botKey, baseURL: `${gateway.url}/v1`, config: made.config });
    const completion = await bot.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);

    // The bot runs the saved prompt by its slug: the template filled in, through the support provider.
    const app = new Portkey({ apiKey: made.botKey, baseURL: `${gateway.url}/v1` });
    const answered = await app.prompts.completions.create({
      promptID: made.prompt,
      variables: { company: 'Acme', question: 'What is the capital of France?' },
    });
    expect(answered.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(upstream.received.at(-1)?.body).toMatchObject({
      model: 'gpt-4o-mini',
      max_tokens: 256,
      messages: [
        { role: 'system', content: 'You answer questions for Acme, briefly.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
    });
    expect(gateway.output()).not.toContain(OPENAI_KEY);
  });
});
