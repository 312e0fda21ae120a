import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { hashGatewayKeySecret } from '@pk/store';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSettings, loadSettingsFile, resolveSettings, SettingsError } from './load-settings.js';
import { Secret } from './secret.js';

const fixture = new URL('./__fixtures__/settings.yaml', import.meta.url).pathname;

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pk-settings-'));
  tempDirs.push(dir);
  return dir;
}

describe('settings file', () => {
  it('loads YAML, resolving env: and file: references', async () => {
    const dir = tempDir();
    const text = (await import('node:fs'))
      .readFileSync(fixture, 'utf8')
      .replace('file:./secret.txt', `file:${dir}/secret.txt`);
    writeFileSync(join(dir, 'settings.yaml'), text);
    writeFileSync(join(dir, 'secret.txt'), 'aws-secret-value\n');
    const settings = await loadSettingsFile(join(dir, 'settings.yaml'), {
      PK_TEST_TEAM_A_KEY: 'team-a-secret',
      PK_TEST_OPENAI_KEY: 'sk-openai-secret',
    });
    expect(settings.gatewayKeys.map((key) => key.id)).toEqual(['team-a', 'team-b']);
    // Only the secret's hash is kept, as the store keeps it; the tenant is the id by default.
    expect(settings.gatewayKeys[0]?.keyHash).toBe(hashGatewayKeySecret('team-a-secret'));
    expect(settings.gatewayKeys[0]).toMatchObject({ tenant: 'team-a', role: 'user' });
    expect([...(settings.gatewayKeys[0]?.virtualKeys ?? [])]).toEqual(['openai-prod']);
    expect(settings.gatewayKeys[1]?.virtualKeys).toBeUndefined();
    expect(settings.virtualKeys.get('openai-prod')?.apiKey?.reveal()).toBe('sk-openai-secret');
    const secret = settings.virtualKeys.get('bedrock-prod')?.options.aws_secret_access_key;
    expect(secret).toBeInstanceOf(Secret);
    expect((secret as Secret).reveal()).toBe('aws-secret-value');
    expect(settings.virtualKeys.get('bedrock-prod')?.options.aws_region).toBe('us-east-1');
    expect(settings.configs.get('pc-fallback')?.config).toMatchObject({ strategy: { mode: 'fallback' } });
    expect(settings.bodyLimitBytes).toBe(1_048_576);
    expect(settings.headerLimitBytes).toBe(65_536);
  });

  // Kubernetes' secretKeyRef of a secret made from a file (`kubectl create secret --from-file`) ends
  // with its newline: the key clients send has none, so every request was a 401.
  it('takes a trailing newline off an env: reference, as off a file: one', async () => {
    const dir = tempDir();
    const text = (await import('node:fs'))
      .readFileSync(fixture, 'utf8')
      .replace('file:./secret.txt', `file:${dir}/secret.txt`);
    writeFileSync(join(dir, 'settings.yaml'), text);
    writeFileSync(join(dir, 'secret.txt'), 'aws-secret-value\n');
    const settings = await loadSettingsFile(join(dir, 'settings.yaml'), {
      PK_TEST_TEAM_A_KEY: 'team-a-secret\n',
      PK_TEST_OPENAI_KEY: 'sk-openai-secret\r\n',
    });
    expect(settings.gatewayKeys[0]?.keyHash).toBe(hashGatewayKeySecret('team-a-secret'));
    expect(settings.virtualKeys.get('openai-prod')?.apiKey?.reveal()).toBe('sk-openai-secret');
  });

  it('groups keys under a tenant and gives a key the admin role', () => {
    const settings = resolveSettings(
      {
        gateway_keys: [
          { id: 'a1', key: 'k-a1', tenant: 'acme', role: 'admin' },
          { id: 'a2', key: 'k-a2', tenant: 'acme' },
        ],
      },
      { env: {}, files: new Map() },
    );
    expect(settings.gatewayKeys.map((key) => [key.id, key.tenant, key.role])).toEqual([
      ['a1', 'acme', 'admin'],
      ['a2', 'acme', 'user'],
    ]);
    expect(() =>
      resolveSettings({ gateway_keys: [{ id: 'a', key: 'k', role: 'root' }] }, { env: {}, files: new Map() }),
    ).toThrow(SettingsError);
  });

  it('never prints a secret, however the settings are logged', async () => {
    const settings = resolveSettings(
      {
        gateway_keys: [{ id: 'a', key: 'gw-secret-1' }],
        virtual_keys: { v: { provider: 'openai', api_key: 'sk-secret-2' } },
      },
      { env: {}, files: new Map() },
    );
    const printed = [JSON.stringify(settings.gatewayKeys), inspect(settings, { depth: 10 })];
    for (const text of printed) {
      expect(text).not.toContain('gw-secret-1');
      expect(text).not.toContain('sk-secret-2');
    }
    expect(JSON.stringify([...settings.virtualKeys.values()])).toContain('[redacted]');
  });

  it.each([
    [{ gateway_keys: [{ id: 'Bad Id', key: 'x' }] }, 'gateway_keys.0.id: expected an id'],
    [{ virtual_keys: { v: { api_key: 'x' } } }, 'virtual_keys.v.provider'],
    [{ unknown_section: true }, 'unknown_section'],
    [
      { gateway_keys: [{ id: 'a', key: 'env:PK_NOT_SET_ANYWHERE' }] },
      'gateway_keys[0].key: environment variable PK_NOT_SET_ANYWHERE is not set',
    ],
    [
      { gateway_keys: [{ id: 'a', key: 'k', virtual_keys: ['nope'] }] },
      'gateway_keys[0].virtual_keys: no virtual key "nope"',
    ],
    [
      {
        gateway_keys: [
          { id: 'a', key: 'k' },
          { id: 'a', key: 'l' },
        ],
      },
      'gateway_keys[1].id: duplicate id "a"',
    ],
    [{ limits: { body_limit_bytes: 5 } }, 'limits.body_limit_bytes'],
    [{ limits: { receive_timeout_ms: 999 } }, 'limits.receive_timeout_ms'],
    [
      {
        configs: {
          'pc-bad': {
            strategy: { mode: 'fallback' },
            targets: [{ provider: 'openai', retry: { attempts: -1 } }],
          },
        },
      },
      'configs.pc-bad: config.targets[0].retry.attempts',
    ],
    [
      { configs: { '42': { provider: 'openai', api_key: 'sk-x' } } },
      'configs.42: this id cannot be sent in x-portkey-config',
    ],
    [
      { configs: { '[a]': { provider: 'openai', api_key: 'sk-x' } } },
      'configs.[a]: this id cannot be sent in x-portkey-config',
    ],
    [
      { configs: { 'pc-ok': { provider: 'openai', request_timeout: 2 ** 31 } } },
      'configs.pc-ok: config.request_timeout: expected a whole number of milliseconds from 1 to 86400000 (24 h)',
    ],
    [
      {
        virtual_keys: {
          proxied: {
            provider: 'openai',
            api_key: 'sk-x',
            custom_host: 'https://team:hunter2-password@llm.example.com/v1',
          },
        },
      },
      'virtual_keys.proxied.custom_host: expected a URL without credentials or "@"',
    ],
    [
      {
        virtual_keys: {
          proxied: {
            provider: 'openai',
            options: { custom_host: 'https://team:hunter2-password@llm.example.com/v1' },
          },
        },
      },
      'virtual_keys.proxied.custom_host: expected a URL without credentials or "@"',
    ],
    [
      {
        virtual_keys: {
          proxied: {
            provider: 'openai',
            api_key: 'sk-x',
            custom_host: 'https://llm.example.com/v1?token=hunter2',
          },
        },
      },
      'virtual_keys.proxied.custom_host: expected a URL without a query string or fragment',
    ],
    [
      {
        virtual_keys: {
          proxied: { provider: 'openai', options: { custom_host: 'https://llm.example.com/v1#hunter2' } },
        },
      },
      'virtual_keys.proxied.custom_host: expected a URL without a query string or fragment',
    ],
    [
      { virtual_keys: { typo: { provider: 'nope', api_key: 'sk-hunter2-key' } } },
      'virtual_keys.typo.provider: unknown provider "nope": expected a provider id such as "openai", "anthropic" or "azure-openai"',
    ],
  ])('refuses %j with a message naming the path', (input, expected) => {
    expect(() => resolveSettings(input, { env: {}, files: new Map() })).toThrowError(SettingsError);
    expect(() => resolveSettings(input, { env: {}, files: new Map() })).toThrowError(expected);
    expect(() => resolveSettings(input, { env: {}, files: new Map() })).not.toThrowError(/hunter2/);
  });

  it.each([
    [
      'bad.json',
      '{"gateway_keys": [{"id": "a",\n  "key": pk-hunter2-literal}]}',
      "not valid JSON: Unexpected token 'p' at line 2, column 10",
    ],
    [
      'bad-end.json',
      '{"gateway_keys": [{"id": "a", "key": "pk-hunter2-literal"}],}',
      'not valid JSON: Expected double-quoted property name at line 1, column 61',
    ],
    [
      'quote.yaml',
      'gateway_keys:\n  - id: a\n    key: "pk-hunter2-literal\n',
      'not valid YAML: Missing closing "quote at line 4, column 1',
    ],
    [
      'indent.yaml',
      'gateway_keys:\n  - id: a\n    key: pk-hunter2-literal\n   bad: [\n',
      'not valid YAML: Sequence item without - indicator at line 4, column 1',
    ],
  ])(
    'says where %s has bad syntax, never what is written there (a key in clear)',
    async (name, text, problem) => {
      const dir = tempDir();
      writeFileSync(join(dir, name), text);
      const refusal = await loadSettingsFile(join(dir, name), {}).catch((error: unknown) => error as Error);
      expect(refusal).toBeInstanceOf(SettingsError);
      expect((refusal as Error).message).toBe(`${join(dir, name)}: ${problem}`);
    },
  );

  it('reports unreadable files and bad syntax with the file name', async () => {
    await expect(loadSettingsFile('/nonexistent/pk.yaml', {})).rejects.toThrowError(
      'cannot read the settings file "/nonexistent/pk.yaml" (--settings or PK_SETTINGS): ENOENT',
    );
    // A path with a space around it (PK_SETTINGS=" /etc/pk/pk.yaml"): the space is seen.
    await expect(loadSettingsFile(' /etc/pk/pk.yaml', {})).rejects.toThrowError(
      'cannot read the settings file " /etc/pk/pk.yaml" (--settings or PK_SETTINGS): ENOENT',
    );
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), '{"gateway_keys": [');
    await expect(loadSettingsFile(join(dir, 'bad.json'), {})).rejects.toThrowError(
      /bad\.json: not valid JSON/,
    );
    writeFileSync(
      join(dir, 'missing-file.yaml'),
      'virtual_keys:\n  v:\n    provider: openai\n    api_key: file:/nonexistent/key\n',
    );
    await expect(loadSettingsFile(join(dir, 'missing-file.yaml'), {})).rejects.toThrowError(
      'virtual_keys.v.api_key: file /nonexistent/key cannot be read',
    );
  });

  it('has embedded defaults that need nothing', () => {
    const settings = defaultSettings();
    expect(settings.gatewayKeys).toEqual([]);
    expect(settings.virtualKeys.size).toBe(0);
    expect(settings.bodyLimitBytes).toBe(20 * 1024 * 1024);
    expect(settings.receiveTimeoutMs).toBe(300_000);
  });
});

describe('guardrails in the settings', () => {
  const webhook = (secret: string) => ({
    deny: true,
    checks: [
      { id: 'default.webhook', parameters: { webhookURL: 'https://policy.example.com/check', secret } },
    ],
  });

  it('compiles guardrails by id, resolving the webhook secret from a file, never printing it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'hook-secret'), 'whsec-from-file\n');
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        guardrails: {
          policy: webhook(`file:${dir}/hook-secret`),
          shield: { checks: [{ id: 'pk.secrets', parameters: {} }] },
        },
        configs: {
          'pc-guarded': { provider: 'openai', api_key: 'k', input_guardrails: ['policy', 'shield'] },
        },
      }),
    );
    const settings = await loadSettingsFile(join(dir, 'settings.json'), {});
    expect([...settings.guardrails.keys()]).toEqual(['policy', 'shield']);
    expect(settings.guardrails.get('policy')).toMatchObject({ id: 'policy', deny: true, usesNetwork: true });
    const printed = `${inspect(settings.guardrails, { depth: 10 })}${JSON.stringify(settings.guardrails.get('policy')?.checks[0]?.parameters)}`;
    expect(printed).not.toContain('whsec-from-file');
    expect(settings.configs.has('pc-guarded')).toBe(true);
  });

  it('refuses at start: bad checks, an unset secret, and saved configs naming unknown guardrails', () => {
    const attempt = () =>
      resolveSettings(
        {
          guardrails: {
            policy: webhook('env:PK_UNSET_HOOK_SECRET'),
            broken: { checks: [{ id: 'default.regexMatch', parameters: { rule: '(a)\\1' } }] },
            partner: { checks: [{ id: 'patronus.toxicity', parameters: {} }] },
          },
          configs: { 'pc-x': { provider: 'openai', api_key: 'k', output_guardrails: ['missing'] } },
        },
        { env: {}, files: new Map() },
      );
    expect(attempt).toThrow(SettingsError);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('guardrails.policy.checks[0].parameters.secret');
    expect(message).toContain('guardrails.broken.checks[0].parameters.rule');
    expect(message).toContain('guardrails.partner.checks[0].id');
    expect(message).toContain('configs.pc-x: config.output_guardrails[0]: no guardrail has the id "missing"');
  });
});
