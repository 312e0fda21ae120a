import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@pk/store';
import { afterAll, describe, expect, it } from 'vitest';
import { runGatewayExpectingExit } from './server-process.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// A settings file's virtual key may not hold a gateway key of this gateway in a credential field:
// every call through it would send the gateway key upstream. The built gateway refuses to start,
// naming the virtual key and the field, never the value; the store's keys count, revoked ones too.
const dir = mkdtempSync(join(tmpdir(), 'pk-settings-stored-gateway-key-'));
const FILE_KEY = 'pk-settings-file-key-0123456789abcdef';
const REFUSAL =
  "holds a gateway key of this gateway, which is never sent to a provider; give the provider's own credential";

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function settingsFile(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [...lines, ''].join('\n'));
  return path;
}

describe('a settings virtual key holding a gateway key', () => {
  it('is refused at start when it holds one of the file’s gateway keys, as its api_key or a credential option', async () => {
    const settings = settingsFile('file-keys.yaml', [
      'gateway_keys:',
      `  - { id: app, key: ${FILE_KEY} }`,
      'virtual_keys:',
      '  fine:',
      '    provider: openai',
      '    api_key: sk-the-providers-own-key',
      '  leaky:',
      '    provider: openai',
      `    api_key: ${FILE_KEY}`,
      '  leaky-aws:',
      '    provider: bedrock',
      '    options:',
      '      aws_access_key_id: AKIAEXAMPLE',
      '      aws_secret_access_key: aws-secret-0123456789',
      `      aws_session_token: "Bearer ${FILE_KEY}"`,
    ]);
    const refused = await runGatewayExpectingExit({}, ['--settings', settings]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`virtual_keys.leaky.api_key: ${REFUSAL}`);
    expect(refused.output).toContain(`virtual_keys.leaky-aws.options.aws_session_token: ${REFUSAL}`);
    expect(refused.output).not.toContain('virtual_keys.fine');
    expect(refused.output).not.toContain(FILE_KEY);
  });

  it('is refused at start when it holds a revoked key of the store', async () => {
    const dataDir = temporaryDataDir();
    try {
      const store = await openStore({ dataDir: dataDir.path, onWarning: () => undefined });
      const { secret } = await store.gatewayKeys.create({ id: 'old' }, 'cli');
      await store.gatewayKeys.revoke('old', 'cli');
      await store.close();
      const settings = settingsFile('store-key.yaml', [
        'virtual_keys:',
        '  leaky:',
        '    provider: openai',
        `    api_key: ${secret}`,
      ]);
      const refused = await runGatewayExpectingExit({ PK_DATA_DIR: dataDir.path }, ['--settings', settings]);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain(`virtual_keys.leaky.api_key: ${REFUSAL}`);
      expect(refused.output).not.toContain(secret);
    } finally {
      dataDir.remove();
    }
  });
});
