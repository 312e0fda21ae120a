import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMasterKey, openStore } from '@pk/store';
import { seedRequestLogs } from '@pk/store/testing';
import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type GatewayProcess, runPk, runPkAtTerminal, startGateway, startPk } from './support/processes.js';

// Every pk command, run as users run it (the built CLI as a process), against the built gateway
// started as a process on a SQLite store of its own; a mock OpenAI upstream on 127.0.0.1 shows what
// a stored secret became.
const OLD_MASTER = generateMasterKey();
const NEW_MASTER = generateMasterKey();
const ENV_SECRET = 'sk-cli-from-env-0123456789abcdefghij';
const STDIN_SECRET = 'sk-cli-from-stdin-0123456789abcdefgh';
const TERMINAL_SECRET = 'sk-cli-typed-unseen-0123456789abcdef';
const FILE_SECRET = 'sk-cli-from-file-0123456789abcdefghi';
const ARGV_SECRET = 'sk-cli-on-argv-never-0123456789abcd';
const ROTATED_SECRET = 'sk-cli-rotated-0123456789abcdefghijk';
const INTEGRATION_SECRET = 'sk-cli-integration-0123456789abcdefg';
const INTEGRATION_ROTATED = 'sk-cli-integration-rotated-0123456789';
const EXPORT_SECRET = 'sk-cli-log-export-0123456789abcdefgh';

let dir: string;
let upstream: Server;
let upstreamUrl: string;
const seen: { authorization: string | undefined; body: Record<string, unknown> }[] = [];
let gateway: GatewayProcess | undefined;
let adminKey = '';

/** The store's variables with a master key ring (newest first). */
const storeEnv = (masterKeys: string) => ({
  PK_DATA_DIR: join(dir, 'data'),
  PK_MASTER_KEY: 'env:PK_TEST_MASTER',
  PK_TEST_MASTER: masterKeys,
});
/** What admin commands need: the gateway and the admin key. */
const adminEnv = (extra: Record<string, string> = {}) => ({
  PK_URL: gateway?.url ?? 'http://127.0.0.1:9',
  PK_ADMIN_KEY: adminKey,
  ...extra,
});

/**
 * A chat request through the official SDKs (openai with portkey-ai's headers), with the admin key,
 * the Portkey options given (a virtual key or a config) and `extra` body fields: the answer's status
 * (2xx with an answer's content, or the error's). No retries: a refusal is seen as it is.
 */
async function chatWith(
  portkey: {
    readonly virtualKey?: string;
    readonly config?: string;
    readonly metadata?: Record<string, string>;
    readonly traceID?: string;
  },
  extra: Record<string, unknown> = {},
): Promise<number> {
  const client = new OpenAI({
    apiKey: 'unused',
    baseURL: `${gateway?.url}/v1`,
    defaultHeaders: createHeaders({ apiKey: adminKey, ...portkey }),
    maxRetries: 0,
  });
  try {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('hello');
    return response.status;
  } catch (error) {
    if (error instanceof OpenAI.APIError && error.status !== undefined) return error.status;
    throw error;
  }
}

/** A chat request through a virtual key (with `extra` body fields): the answer's status. */
const chat = (virtualKey: string, extra: Record<string, unknown> = {}) => chatWith({ virtualKey }, extra);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pk-cli-test-'));
  upstream = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      seen.push({ authorization: request.headers.authorization, body });
      if (body.model === 'fail-500') {
        response.writeHead(500, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: { message: 'The server had an error', type: 'server_error', param: null, code: null },
          }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-cli',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await gateway?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
  const logs = gateway?.output() ?? '';
  for (const secret of [
    ENV_SECRET,
    STDIN_SECRET,
    FILE_SECRET,
    ARGV_SECRET,
    ROTATED_SECRET,
    INTEGRATION_SECRET,
    INTEGRATION_ROTATED,
    EXPORT_SECRET,
    adminKey,
  ])
    expect(logs).not.toContain(secret);
  rmSync(dir, { recursive: true, force: true });
});

describe('pk', () => {
  it('has --help for every command, and refuses a wrong command line with exit 2', async () => {
    const top = await runPk(['--help'], {});
    expect(top.code).toBe(0);
    for (const command of [
      'init',
      'keys',
      'vk',
      'integrations',
      'configs',
      'breakers',
      'guardrails',
      'prompts',
      'logs',
      'vault',
    ])
      expect(top.stdout).toContain(command);
    expect(top.stdout).toContain('Exit codes:');
    const commands = [
      ['init'],
      ['keys', 'create'],
      ['keys', 'list'],
      ['keys', 'revoke'],
      ['keys', 'reset-usage'],
      ['keys', 'budget'],
      ['vk', 'add'],
      ['vk', 'list'],
      ['vk', 'replace-key'],
      ['vk', 'rm'],
      ['vk', 'reset-usage'],
      ['vk', 'disable'],
      ['vk', 'enable'],
      ['vk', 'budget'],
      ['vk', 'rate-limits'],
      ['keys', 'rate-limits'],
      ['integrations', 'add'],
      ['integrations', 'list'],
      ['integrations', 'replace-key'],
      ['integrations', 'add-provider'],
      ['integrations', 'rm'],
      ['configs', 'push'],
      ['configs', 'list'],
      ['configs', 'get'],
      ['configs', 'history'],
      ['configs', 'rollback'],
      ['configs', 'rm'],
      ['breakers', 'list'],
      ['breakers', 'close'],
      ['guardrails', 'push'],
      ['guardrails', 'list'],
      ['guardrails', 'get'],
      ['guardrails', 'rm'],
      ['prompts', 'push'],
      ['prompts', 'list'],
      ['prompts', 'get'],
      ['prompts', 'history'],
      ['prompts', 'publish'],
      ['prompts', 'rm'],
      ['prompts', 'label'],
      ['prompts', 'labels'],
      ['prompts', 'labels', 'add'],
      ['prompts', 'labels', 'rm'],
      ['prompts', 'partials', 'push'],
      ['prompts', 'partials', 'list'],
      ['prompts', 'partials', 'get'],
      ['prompts', 'partials', 'history'],
      ['prompts', 'partials', 'publish'],
      ['prompts', 'partials', 'rm'],
      ['logs', 'export'],
      ['logs', 'exports'],
      ['logs', 'exports', 'rm'],
      ['vault', 'rotate'],
    ];
    // Eight at a time: each is a process of its own.
    for (let first = 0; first < commands.length; first += 8) {
      const batch = commands.slice(first, first + 8);
      for (const [index, help] of (
        await Promise.all(batch.map((command) => runPk([...command, '--help'], {})))
      ).entries()) {
        const command = batch[index]?.join(' ');
        expect(help.code, command).toBe(0);
        expect(help.stdout).toContain(`Usage: pk ${command}`);
      }
    }
    expect((await runPk(['--version'], {})).stdout.trim()).toBe('0.0.0');
    // A reader that stops early (`pk --help | head -1`) is no crash: exit 0, nothing on stderr.
    expect(await startPk(['--help'], {}, undefined, { closedStdout: true }).exited).toMatchObject({
      code: 0,
      stderr: '',
    });
    const unknown = await runPk(['frobnicate'], {});
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown command 'frobnicate'"),
    });
    expect((await runPk(['keys'], {})).code).toBe(2);
    // `pk help <command>` is help asked for, like --help: on stdout, exit 0; of nothing known, exit 2.
    const asked = [['help', 'keys'], ['keys', 'help', 'list'], ['help']];
    const [unknownHelp, ...helps] = await Promise.all(
      [['help', 'frobnicate'], ...asked].map((args) => runPk(args, {})),
    );
    for (const [index, help] of helps.entries()) {
      expect(help, asked[index]?.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(/^Usage: pk /);
    }
    expect(unknownHelp).toMatchObject({ code: 2, stdout: '' });
    expect((await runPk(['vk', 'add', 'x'], {})).stderr).toContain(
      "required option '--provider <id>' not specified",
    );
  });

  it('init creates the first admin key offline, printed once on stdout; a second init exits 5', async () => {
    const init = await runPk(['init'], storeEnv(OLD_MASTER));
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^pk-[A-Za-z0-9_-]{43}\n$/);
    expect(init.stderr).toContain('It is shown once');
    adminKey = init.stdout.trim();
    const again = await runPk(['init'], storeEnv(OLD_MASTER));
    expect(again).toMatchObject({ code: 5, stdout: '' });
    expect(again.stderr).toContain('an admin key already exists');
    gateway = await startGateway(storeEnv(OLD_MASTER));
  });

  it('admin commands: without PK_ADMIN_KEY exit 3, with a wrong one exit 3, gateway unreachable exit 1', async () => {
    const noKey = await runPk(['keys', 'list'], { PK_URL: gateway?.url ?? '' });
    expect(noKey).toMatchObject({ code: 3, stderr: expect.stringContaining('PK_ADMIN_KEY is not set') });
    const wrongKey = await runPk(['keys', 'list'], adminEnv({ PK_ADMIN_KEY: 'pk-wrong' }));
    expect(wrongKey).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('pk: a valid gateway key is required'),
    });
    // The refusal names the variable the key came from, without the key.
    expect(wrongKey.stderr).toContain(`check PK_ADMIN_KEY: the gateway at ${gateway?.url} did not take it`);
    expect(wrongKey.stderr).not.toContain('pk-wrong');
    // In the quotes docker's --env-file keeps: said so (exit 3), not sent, not echoed.
    const quoted = await runPk(['keys', 'list'], adminEnv({ PK_ADMIN_KEY: `"${adminKey}"` }));
    expect(quoted).toMatchObject({
      code: 3,
      stdout: '',
      stderr:
        'pk: PK_ADMIN_KEY is wrapped in quotes (docker’s --env-file keeps them): set the key without them\n',
    });
    // One a header cannot carry (pasted with a non-ASCII character): said so (exit 3), not echoed,
    // not a gateway that "cannot be reached".
    const unsendable = await runPk(['keys', 'list'], adminEnv({ PK_ADMIN_KEY: 'pk-wrong–dash' }));
    expect(unsendable).toMatchObject({
      code: 3,
      stdout: '',
      stderr: expect.stringMatching(/^pk: PK_ADMIN_KEY holds a character an HTTP header cannot carry .*\n$/),
    });
    expect(unsendable.stderr).not.toContain('pk-wrong');
    // A port nothing listens on (one just closed): the system's reason.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    expect(await runPk(['keys', 'list'], adminEnv({ PK_URL: closedUrl }))).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `pk: cannot reach the gateway at ${closedUrl} (ECONNREFUSED): is it running? Set PK_URL to its address\n`,
    });
    // A port fetch refuses to call (9, 6000 …): its reason, not a bare "TypeError".
    const down = await runPk(['keys', 'list'], adminEnv({ PK_URL: 'http://127.0.0.1:9' }));
    expect(down).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('cannot reach the gateway at http://127.0.0.1:9 (bad port)'),
    });
    // A URL without http:// (`localhost:8787` parses, as the scheme `localhost:`): exit 2, said so.
    expect(await runPk(['keys', 'list'], adminEnv({ PK_URL: 'localhost:8787' }))).toMatchObject({
      code: 2,
      stderr: 'pk: PK_URL must start with http:// or https:// (its scheme is "localhost:")\n',
    });
    // A URL with credentials (fetch refuses them): named as such, the password never printed.
    const withPassword = gateway?.url.replace('http://', 'http://ops:hunter2@') ?? '';
    const credentials = await runPk(['keys', 'list'], adminEnv({ PK_URL: withPassword }));
    expect(credentials).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('PK_URL must not carry a user name or password'),
    });
    expect(credentials.stderr).not.toContain('hunter2');
    // Another server answering JSON (a provider mock, say): named, not a JavaScript error.
    const other = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"chatcmpl-1"}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      expect(await runPk(['keys', 'list'], adminEnv({ PK_URL: otherUrl }))).toMatchObject({
        code: 1,
        stderr: `pk: the server at ${otherUrl} answered 200 but is not a pk gateway (no x-portkey-trace-id): check PK_URL\n`,
      });
    } finally {
      other.close();
    }
  });

  it('keys create, list and revoke; a user key cannot use the admin API (exit 3)', async () => {
    const created = await runPk(['keys', 'create', '--name', 'team', '--tenant', 'acme'], adminEnv());
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^pk-[A-Za-z0-9_-]{43}\n$/);
    const userKey = created.stdout.trim();
    const id = /created user key (\S+)\./.exec(created.stderr)?.[1] as string;
    const listed = await runPk(['keys', 'list'], adminEnv());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+TENANT\s+STATUS\s+EXPIRES\s+KEY/);
    expect(listed.stdout).toContain(`${id}  team`);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+team\\s+user\\s+acme\\s+active\\s+never\\s`));
    // An expiry shows in the list as --json has it.
    const keyExpiresAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 86_400_000).toISOString();
    const expiringKey = await runPk(
      ['--json', 'keys', 'create', '--name', 'expiring key', '--expires-at', keyExpiresAt],
      adminEnv(),
    );
    const expiringKeyId = (JSON.parse(expiringKey.stdout) as { id: string }).id;
    const expiringListed = (await runPk(['keys', 'list'], adminEnv())).stdout
      .split('\n')
      .find((row) => row.startsWith(expiringKeyId));
    const keyExpiry = (
      JSON.parse((await runPk(['--json', 'keys', 'list'], adminEnv())).stdout) as {
        id: string;
        expires_at: string;
      }[]
    ).find((key) => key.id === expiringKeyId)?.expires_at;
    expect(Date.parse(keyExpiry ?? '')).toBe(Date.parse(keyExpiresAt));
    expect(expiringListed).toMatch(new RegExp(`\\sactive\\s+${keyExpiry?.replace(/[.]/g, '\\.')}\\s`));
    expect(listed.stdout).toContain(`pk-…${userKey.slice(-4)}`);
    expect(listed.stdout).not.toContain(userKey);

    const asUser = await runPk(['vk', 'list'], adminEnv({ PK_ADMIN_KEY: userKey }));
    expect(asUser).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('this gateway key is a user key'),
    });
    const admin = await runPk(['--json', 'keys', 'create', '--admin', '--name', 'second admin'], adminEnv());
    expect(JSON.parse(admin.stdout)).toMatchObject({ role: 'admin', key: expect.stringMatching(/^pk-/) });

    const revoked = await runPk(['keys', 'revoke', id], adminEnv());
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked key ${id}\n` });
    expect((await runPk(['keys', 'list'], adminEnv())).stdout).not.toContain(id);
    expect((await runPk(['keys', 'list', '--all'], adminEnv())).stdout).toMatch(new RegExp(`${id}.*revoked`));
    expect((await runPk(['keys', 'revoke', 'no-such-key'], adminEnv())).code).toBe(4);
  });

  it('vk add refuses a secret on the command line, in --key or in a credential --option, without repeating it', async () => {
    const fromArgv = await runPk(
      ['vk', 'add', 'refused', '--provider', 'openai', '--key', ARGV_SECRET],
      adminEnv(),
    );
    expect(fromArgv.code).toBe(2);
    expect(fromArgv.stderr).toContain('refusing a secret on the command line');
    expect(fromArgv.stderr + fromArgv.stdout).not.toContain(ARGV_SECRET);
    const credentialOption = await runPk(
      ['vk', 'add', 'refused', '--provider', 'bedrock', '--option', `aws_secret_access_key=${ARGV_SECRET}`],
      adminEnv(),
    );
    expect(credentialOption.code).toBe(2);
    expect(credentialOption.stderr + credentialOption.stdout).not.toContain(ARGV_SECRET);
    // A pair mistyped without its `=` may be a secret too: counted, not repeated.
    const mistyped = await runPk(
      ['vk', 'add', 'refused', '--provider', 'bedrock', '--option', `aws_secret_access_key:${ARGV_SECRET}`],
      adminEnv(),
    );
    expect(mistyped).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^pk: --option: value 1 of 1 is not name=value \(not repeated here/),
    });
    expect(mistyped.stderr).not.toContain(ARGV_SECRET);
    expect((await runPk(['vk', 'list'], adminEnv())).stdout).not.toContain('refused');
  });

  it('vk add takes the secret from env:, file: or stdin; the upstream gets exactly it, and replace-key rotates it', async () => {
    const options = ['--provider', 'openai', '--option', `custom_host=${upstreamUrl}`];
    const fromEnv = await runPk(
      ['vk', 'add', 'from-env', ...options, '--key', 'env:OPENAI_KEY'],
      adminEnv({ OPENAI_KEY: ENV_SECRET }),
    );
    expect(fromEnv).toMatchObject({ code: 0, stdout: 'added virtual key from-env (openai)\n' });
    // An expiry, as keys create takes one: the key works until then.
    const expiresAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 86_400_000).toISOString();
    const expiring = await runPk(
      ['vk', 'add', 'expiring', ...options, '--key', 'env:OPENAI_KEY', '--expires-at', expiresAt],
      adminEnv({ OPENAI_KEY: ENV_SECRET }),
    );
    expect(expiring).toMatchObject({ code: 0, stdout: 'added virtual key expiring (openai)\n' });
    const expiringRecord = (
      JSON.parse((await runPk(['--json', 'vk', 'list'], adminEnv())).stdout) as {
        slug: string;
        expires_at: string | null;
      }[]
    ).find((key) => key.slug === 'expiring');
    expect(Date.parse(expiringRecord?.expires_at ?? '')).toBe(Date.parse(expiresAt));
    // The table has the expiry too, not only --json; a key without one never expires.
    const vkTable = (await runPk(['vk', 'list'], adminEnv())).stdout.split('\n');
    expect(vkTable[0]).toMatch(/^SLUG\s+PROVIDER\s+NAME\s+KEY\s+STATUS\s+EXPIRES\s+INTEGRATION/);
    expect(vkTable.find((row) => row.startsWith('expiring '))).toContain(` ${expiringRecord?.expires_at} `);
    expect(vkTable.find((row) => row.startsWith('from-env '))).toMatch(/\sactive\s+never\s/);
    expect(await chat('expiring')).toBe(200);
    expect((await runPk(['vk', 'rm', 'expiring'], adminEnv())).code).toBe(0);
    const fromStdin = await runPk(
      ['vk', 'add', 'from-stdin', ...options, '--key', '-'],
      adminEnv(),
      `${STDIN_SECRET}\n`,
    );
    expect(fromStdin.code).toBe(0);
    const secretFile = join(dir, 'key.txt');
    writeFileSync(secretFile, `${FILE_SECRET}\n`, { mode: 0o600 });
    const fromFile = await runPk(
      ['vk', 'add', 'from-file', ...options, '--key', `file:${secretFile}`],
      adminEnv(),
    );
    expect(fromFile.code).toBe(0);
    const unset = await runPk(['vk', 'add', 'x', '--provider', 'openai', '--key', 'env:NOT_SET'], adminEnv());
    expect(unset).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('the environment variable NOT_SET is not set'),
    });
    const taken = await runPk(['vk', 'add', 'from-env', '--provider', 'openai'], adminEnv());
    expect(taken.code).toBe(5);
    // An unknown provider: one short line naming it, not the ~150 ids the gateway knows.
    const badProvider = await runPk(['vk', 'add', 'x', '--provider', 'no-such-provider'], adminEnv());
    expect(badProvider).toMatchObject({
      code: 6,
      stdout: '',
      stderr:
        'pk: provider: unknown provider "no-such-provider": expected a provider id such as "openai", "anthropic" or "azure-openai"\n',
    });

    const listed = await runPk(['vk', 'list'], adminEnv());
    expect(listed.stdout).toMatch(/from-env\s+openai\s+from-env\s+sk-…ghij/);
    expect(listed.stdout).toMatch(/from-stdin\s+openai\s+from-stdin\s+sk-…efgh/);
    for (const secret of [ENV_SECRET, STDIN_SECRET, FILE_SECRET]) expect(listed.stdout).not.toContain(secret);
    // What the upstream receives is exactly the secret each source gave (no trailing newline).
    for (const [slug, secret] of [
      ['from-env', ENV_SECRET],
      ['from-stdin', STDIN_SECRET],
      ['from-file', FILE_SECRET],
    ] as const) {
      expect(await chat(slug)).toBe(200);
      expect(seen.at(-1)?.authorization).toBe(`Bearer ${secret}`);
    }
    // Rotation: the new secret from a source as well, never from the command line; the next request
    // carries it.
    const onArgv = await runPk(['vk', 'replace-key', 'from-file', '--key', ARGV_SECRET], adminEnv());
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr + onArgv.stdout).not.toContain(ARGV_SECRET);
    const replaced = await runPk(
      ['vk', 'replace-key', 'from-file', '--key', 'env:ROTATED_KEY'],
      adminEnv({ ROTATED_KEY: ROTATED_SECRET }),
    );
    expect(replaced).toMatchObject({
      code: 0,
      stdout: 'replaced the provider key of virtual key from-file\n',
    });
    expect(await chat('from-file')).toBe(200);
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${ROTATED_SECRET}`);
    expect(
      (
        await runPk(
          ['vk', 'replace-key', 'no-such-key', '--key', 'env:ROTATED_KEY'],
          adminEnv({ ROTATED_KEY: ROTATED_SECRET }),
        )
      ).code,
    ).toBe(4);
    const removed = await runPk(['vk', 'rm', 'from-file'], adminEnv());
    expect(removed).toMatchObject({ code: 0, stdout: 'deleted virtual key from-file\n' });
    expect((await runPk(['vk', 'rm', 'from-file'], adminEnv())).code).toBe(4);
  });

  it('vk add with - at a terminal asks for the secret and reads it unseen; without an admin key it says so before asking', async () => {
    const options = ['--provider', 'openai', '--option', `custom_host=${upstreamUrl}`];
    // At a terminal: asked for, read with nothing shown (the terminal's echo is off while it is typed).
    const prompt = 'secret (not shown; end with Enter): ';
    const atTerminal = await runPkAtTerminal(
      ['vk', 'add', 'from-terminal', ...options, '--key', '-'],
      adminEnv(),
      prompt,
      TERMINAL_SECRET,
    );
    expect(atTerminal.code).toBe(0);
    expect(atTerminal.output).toContain(prompt);
    expect(atTerminal.output).not.toContain(TERMINAL_SECRET);
    // Without an admin key, pk says so before asking for a secret (nothing is typed in vain).
    const keyless = await runPkAtTerminal(
      ['vk', 'add', 'never-asked', ...options, '--key', '-'],
      adminEnv({ PK_ADMIN_KEY: '' }),
      prompt,
      TERMINAL_SECRET,
    );
    expect(keyless.code).toBe(3);
    expect(keyless.output).toMatch(/^pk: PK_ADMIN_KEY is not set/);
    expect(keyless.output).not.toContain(prompt);
    expect(await chat('from-terminal')).toBe(200);
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${TERMINAL_SECRET}`);
    expect((await runPk(['vk', 'rm', 'from-terminal'], adminEnv())).code).toBe(0);
  });

  it('vk list shows a key whose budget refused as exhausted; vk reset-usage makes it active again', async () => {
    const created = await fetch(`${gateway?.url}/v1/virtual-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portkey-api-key': adminKey },
      body: JSON.stringify({
        slug: 'budgeted',
        name: 'budgeted',
        provider: 'openai',
        key: ENV_SECRET,
        custom_host: upstreamUrl,
        usage_limits: { credit_limit: 1_000, type: 'tokens' },
      }),
    });
    expect(created.status).toBe(200);
    expect(await chat('budgeted', { max_tokens: 5_000 })).toBe(412);
    expect((await runPk(['vk', 'list'], adminEnv())).stdout).toMatch(
      /budgeted\s+openai\s+budgeted\s+\S+\s+exhausted/,
    );
    const reset = await runPk(['vk', 'reset-usage', 'budgeted'], adminEnv());
    expect(reset).toMatchObject({ code: 0, stdout: 'reset the usage of virtual key budgeted\n' });
    expect((await runPk(['vk', 'list'], adminEnv())).stdout).toMatch(
      /budgeted\s+openai\s+budgeted\s+\S+\s+active/,
    );
    expect((await runPk(['vk', 'reset-usage', 'no-such-key'], adminEnv())).code).toBe(4);
    expect((await runPk(['keys', 'reset-usage', 'no-such-key'], adminEnv())).code).toBe(4);
    expect((await runPk(['vk', 'rm', 'budgeted'], adminEnv())).code).toBe(0);
  });

  it('vk disable refuses a key’s requests (401, nothing sent upstream) and lists it disabled; vk enable serves it again', async () => {
    const added = await runPk(
      [
        'vk',
        'add',
        'pausable',
        '--provider',
        'openai',
        '--option',
        `custom_host=${upstreamUrl}`,
        '--key',
        'env:K',
      ],
      adminEnv({ K: ENV_SECRET }),
    );
    expect(added.code).toBe(0);
    expect(await chat('pausable')).toBe(200);
    const disabled = await runPk(['vk', 'disable', 'pausable'], adminEnv());
    expect(disabled).toMatchObject({ code: 0, stdout: 'disabled virtual key pausable\n' });
    expect((await runPk(['vk', 'list'], adminEnv())).stdout).toMatch(
      /pausable\s+openai\s+pausable\s+\S+\s+disabled/,
    );
    const sent = seen.length;
    expect(await chat('pausable')).toBe(401);
    expect(seen).toHaveLength(sent);
    const enabled = await runPk(['--json', 'vk', 'enable', 'pausable'], adminEnv());
    expect(JSON.parse(enabled.stdout)).toEqual({ slug: 'pausable', status: 'active' });
    expect(await chat('pausable')).toBe(200);
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${ENV_SECRET}`);
    expect((await runPk(['vk', 'disable', 'no-such-key'], adminEnv())).code).toBe(4);
    expect((await runPk(['vk', 'rm', 'pausable'], adminEnv())).code).toBe(0);
  });

  it('vk add and keys create take a budget; vk budget and keys budget show its use, change it and remove it', async () => {
    const ask = (virtualKey: string, maxTokens: number) => chat(virtualKey, { max_tokens: maxTokens });
    const stored = async (path: string) => {
      const response = await fetch(`${gateway?.url}/v1${path}`, {
        headers: { 'x-portkey-api-key': adminKey },
      });
      return ((await response.json()) as { usage_limits: unknown }).usage_limits;
    };
    const options = [
      '--provider',
      'openai',
      '--option',
      `custom_host=${upstreamUrl}`,
      '--key',
      'env:OPENAI_KEY',
    ];
    const env = adminEnv({ OPENAI_KEY: ENV_SECRET });
    // The gateway's own checks reach the user: Portkey's minimum token budget is 100 (exit 6).
    const tooSmall = await runPk(
      ['vk', 'add', 'capped', ...options, '--budget', '50', '--budget-type', 'tokens'],
      env,
    );
    expect(tooSmall.code).toBe(6);
    expect(tooSmall.stderr).toContain('expected at least 100');
    expect((await runPk(['vk', 'add', 'capped', ...options, '--budget', 'lots'], env)).stderr).toContain(
      '--budget: expected a number above 0, got "lots"',
    );
    const added = await runPk(
      [
        'vk',
        'add',
        'capped',
        ...options,
        '--budget',
        '1000',
        '--budget-type',
        'tokens',
        '--budget-reset',
        'never',
      ],
      env,
    );
    expect(added).toMatchObject({ code: 0, stdout: 'added virtual key capped (openai)\n' });
    expect(await stored('/virtual-keys/capped')).toEqual({
      credit_limit: 1000,
      type: 'tokens',
      periodic_reset: null,
      next_usage_reset_at: null,
    });

    // 5,000 tokens cannot fit: refused before the upstream; 10 can, and its 2 tokens are counted.
    const before = seen.length;
    expect(await ask('capped', 5_000)).toBe(412);
    expect(seen.length).toBe(before);
    expect(await ask('capped', 10)).toBe(200);
    expect(seen.at(-1)?.body.max_tokens).toBe(10);
    const shown = await runPk(['vk', 'budget', 'capped'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      // A budget that never resets counts from no date (not "since 1970-01-01").
      /^budget {6}1,000 tokens, never reset\nused {8}\$0\.\d+, 2 tokens, 1 request\nstatus {6}active\n$/,
    );
    const asJson = JSON.parse((await runPk(['--json', 'vk', 'budget', 'capped'], env)).stdout);
    expect(asJson).toMatchObject({
      id: 'capped',
      status: 'active',
      usage_limits: { credit_limit: 1000, type: 'tokens' },
      current_usage: { tracked: true, tokens: 2, requests: 1, period_start: null, period_end: null },
    });

    const changed = await runPk(
      ['vk', 'budget', 'capped', '50', '--type', 'cost', '--reset', 'monthly'],
      env,
    );
    expect(changed).toMatchObject({
      code: 0,
      stdout: 'the budget of virtual key capped is now $50.00 a month\n',
    });
    expect(await stored('/virtual-keys/capped')).toEqual({
      credit_limit: 50,
      type: 'cost',
      periodic_reset: 'monthly',
      next_usage_reset_at: expect.stringMatching(/^\d{4}-\d{2}-01T00:00:00\.000Z$/),
    });
    // A USD budget of $50 lets the 5,000-token request through.
    expect(await ask('capped', 5_000)).toBe(200);
    expect((await runPk(['vk', 'budget', 'capped'], env)).stdout).toMatch(
      /\nnext reset {2}\d{4}-\d\d-01T00:00:00/,
    );

    expect((await runPk(['vk', 'budget', 'capped', '0.5'], env)).code).toBe(6);
    expect((await runPk(['vk', 'budget', 'capped', 'ten'], env)).code).toBe(2);
    expect((await runPk(['vk', 'budget', 'capped', 'none', '--type', 'tokens'], env)).code).toBe(2);
    expect((await runPk(['vk', 'budget', 'no-such-key', '5'], env)).code).toBe(4);
    const removed = await runPk(['vk', 'budget', 'capped', 'none'], env);
    expect(removed).toMatchObject({ code: 0, stdout: 'removed the budget of virtual key capped\n' });
    expect(await stored('/virtual-keys/capped')).toBeNull();
    expect((await runPk(['vk', 'budget', 'capped'], env)).stdout).toBe(
      'budget      none\nstatus      active\n',
    );
    expect(await ask('capped', 60_000)).toBe(200);
    expect((await runPk(['vk', 'budget', 'capped', '--type', 'tokens'], env)).stderr).toContain(
      'the key has no budget: give its limit',
    );
    expect((await runPk(['vk', 'rm', 'capped'], env)).code).toBe(0);

    // A gateway key: created with a budget every 30 days, then raised; the reset stays.
    const created = await runPk(
      ['--json', 'keys', 'create', '--name', 'budget bot', '--budget', '20', '--budget-reset', '30d'],
      adminEnv(),
    );
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    expect(await stored(`/api-keys/${id}`)).toEqual({
      credit_limit: 20,
      type: 'cost',
      periodic_reset: null,
      periodic_reset_days: 30,
      next_usage_reset_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/),
    });
    expect((await runPk(['keys', 'budget', id], adminEnv())).stdout).toMatch(
      /^budget {6}\$20\.00 every 30 days\nused {8}\$0\.00, 0 tokens, 0 requests/,
    );
    const raised = await runPk(['keys', 'budget', id, '25'], adminEnv());
    expect(raised.stdout).toBe(`the budget of gateway key ${id} is now $25.00 every 30 days\n`);
    expect(await stored(`/api-keys/${id}`)).toEqual({
      credit_limit: 25,
      type: 'cost',
      periodic_reset: null,
      periodic_reset_days: 30,
      next_usage_reset_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/),
    });
    expect((await runPk(['keys', 'revoke', id], adminEnv())).code).toBe(0);
  });

  it('configs push (new, then a new version), get, history and rollback', async () => {
    const file = join(dir, 'pc-cli.json');
    writeFileSync(file, JSON.stringify({ virtual_key: 'from-env', override_params: { temperature: 0.1 } }));
    const first = await runPk(['configs', 'push', file], adminEnv());
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^pc-cli: version 1 \(/) });
    writeFileSync(file, JSON.stringify({ virtual_key: 'from-env', override_params: { temperature: 0.9 } }));
    const second = await runPk(['configs', 'push', file], adminEnv());
    expect(second.stdout).toMatch(/^pc-cli: version 2 \(/);

    const got = await runPk(['configs', 'get', 'pc-cli'], adminEnv());
    expect(JSON.parse(got.stdout)).toEqual({
      virtual_key: 'from-env',
      override_params: { temperature: 0.9 },
    });
    const older = await runPk(['configs', 'get', 'pc-cli', '--at', '1'], adminEnv());
    expect(JSON.parse(older.stdout)).toMatchObject({ override_params: { temperature: 0.1 } });

    const rolled = await runPk(['configs', 'rollback', 'pc-cli', '1'], adminEnv());
    expect(rolled).toMatchObject({
      code: 0,
      stdout: 'pc-cli: version 3 now serves the content of version 1\n',
    });
    const history = await runPk(['configs', 'history', 'pc-cli'], adminEnv());
    expect(history.stdout.split('\n')[0]).toMatch(
      /^VERSION\s+VERSION ID\s+CREATED\s+BY\s+RESTORES\s+SERVED$/,
    );
    expect(history.stdout).toMatch(/\n3\s+\S+\s+\S+\s+key:\S+\s+v1\s+yes\n/);
    const listed = await runPk(['configs', 'list'], adminEnv());
    expect(listed.stdout.split('\n')[0]).toMatch(/^SLUG\s+NAME\s+VERSION\s+STATUS\s+UPDATED\s+MANAGED BY$/);
    expect(listed.stdout).toMatch(/\npc-cli\s+pc-cli\s+3\s+active\s+\d{4}-\d\d-\d\dT\S+\s+-?\n/);
    const listedJson = JSON.parse((await runPk(['--json', 'configs', 'list'], adminEnv())).stdout) as {
      slug: string;
      version: number;
    }[];
    expect(listedJson.find((config) => config.slug === 'pc-cli')).toMatchObject({ version: 3 });
    // The gateway serves the restored version to the next request.
    expect(await chatWith({ config: 'pc-cli' })).toBe(200);
    expect(seen.at(-1)?.body.temperature).toBe(0.1);

    // Several files at once report progress; a bad config is refused with its path (exit 6).
    const other = join(dir, 'pc-other.json');
    writeFileSync(other, JSON.stringify({ virtual_key: 'from-env' }));
    const bad = join(dir, 'pc-bad.json');
    writeFileSync(bad, JSON.stringify({ retry: { attempts: -1 } }));
    const many = await runPk(['configs', 'push', other, bad], adminEnv());
    expect(many.code).toBe(6);
    expect(many.stderr).toContain('[1/2]');
    expect(many.stderr).toContain('[2/2]');
    expect(many.stderr).toContain('config.retry.attempts');
    expect(many.stdout).toMatch(/^pc-other: version 1/);
    // A config naming a virtual key that does not exist is refused (exit 6) with its path and slug,
    // as is a rollback to a version whose key was deleted since: nothing is saved.
    const ghost = join(dir, 'pc-ghost.json');
    writeFileSync(
      ghost,
      JSON.stringify({
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'from-env' }, { virtual_key: 'does-not-exist' }],
      }),
    );
    const refusedGhost = await runPk(['configs', 'push', ghost], adminEnv());
    expect(refusedGhost.code).toBe(6);
    expect(refusedGhost.stderr).toContain(
      'config.targets[1].virtual_key: no virtual key has the id "does-not-exist"',
    );
    expect((await runPk(['configs', 'get', 'pc-ghost'], adminEnv())).code).toBe(4);
    writeFileSync(join(dir, 'broken.json'), '{nope');
    expect((await runPk(['configs', 'push', join(dir, 'broken.json')], adminEnv())).code).toBe(2);
    // Every file is read before the first is saved: a malformed (or missing) one among several
    // exits 2 and saves none of them, not the ones before it.
    const before = join(dir, 'pc-before-broken.json');
    writeFileSync(before, JSON.stringify({ virtual_key: 'from-env' }));
    const halfway = await Promise.all(
      [join(dir, 'broken.json'), join(dir, 'pc-missing.json')].map((last) =>
        runPk(['configs', 'push', before, last], adminEnv()),
      ),
    );
    expect(halfway[0]).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('broken.json is not JSON'),
    });
    expect(halfway[1]).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('cannot read') });
    expect((await runPk(['configs', 'get', 'pc-before-broken'], adminEnv())).code).toBe(4);
    // With --json, the files saved before the gateway refused one are on stdout all the same.
    const partly = await runPk(['--json', 'configs', 'push', before, ghost], adminEnv());
    expect(partly.code).toBe(6);
    expect(JSON.parse(partly.stdout)).toEqual([
      { slug: 'pc-before-broken', version: 1, version_id: expect.any(String) },
    ]);
    expect((await runPk(['configs', 'get', 'pc-nowhere'], adminEnv())).code).toBe(4);
    expect((await runPk(['configs', 'rollback', 'pc-cli', '42'], adminEnv())).code).toBe(4);
    const fromStdin = await runPk(
      ['configs', 'push', '-', '--slug', 'pc-stdin'],
      adminEnv(),
      '{"virtual_key":"from-env"}',
    );
    expect(fromStdin.stdout).toMatch(/^pc-stdin: version 1/);

    // rm: gone with its versions; a request naming it then gets 404.
    expect(await runPk(['configs', 'rm', 'pc-stdin'], adminEnv())).toMatchObject({
      code: 0,
      stdout: 'deleted config pc-stdin\n',
    });
    expect((await runPk(['configs', 'get', 'pc-stdin'], adminEnv())).code).toBe(4);
    expect((await runPk(['configs', 'rm', 'pc-stdin'], adminEnv())).code).toBe(4);
    expect(await chatWith({ config: 'pc-stdin' })).toBe(404);
  });

  it('breakers list shows the breaker a saved config opened; breakers close sends the next request to its target', async () => {
    const file = join(dir, 'pc-breaker.json');
    writeFileSync(
      file,
      JSON.stringify({
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 1, cooldown_interval: 60_000 } },
        targets: [
          { virtual_key: 'from-env', override_params: { model: 'fail-500' } },
          { virtual_key: 'from-env' },
        ],
      }),
    );
    expect((await runPk(['configs', 'push', file], adminEnv())).code).toBe(0);
    const none = await runPk(['breakers', 'list'], adminEnv());
    expect(none).toMatchObject({ code: 0, stdout: 'no breaker is open or counting failures\n' });
    expect(none.stderr).toContain('PK_BREAKER_STORE=memory');

    // One failure opens the primary's breaker; the fallback answers, and the next request skips it.
    expect(await chatWith({ config: 'pc-breaker' })).toBe(200);
    const failed = seen.filter((request) => request.body.model === 'fail-500').length;
    expect(await chatWith({ config: 'pc-breaker' })).toBe(200);
    expect(seen.filter((request) => request.body.model === 'fail-500').length).toBe(failed);

    // The breaker is the tenant's whose requests opened it: the admin key's (its id, as `pk init` made it).
    const keys = JSON.parse((await runPk(['--json', 'keys', 'list'], adminEnv())).stdout) as {
      id: string;
      role: string;
      tenant: string;
    }[];
    const tenant = keys.find((key) => key.role === 'admin')?.tenant ?? '';
    expect(tenant).toMatch(/^[a-z0-9_-]+$/);
    const id = `saved:${tenant}:pc-breaker:config.targets[0]`;
    const listed = await runPk(['breakers', 'list', '--open'], adminEnv());
    const [header, row, ...rest] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+CONFIG\s+TARGET\s+STATE\s+UNTIL\s+FAILURES$/);
    expect(row?.split(/\s{2,}/)).toEqual([
      id,
      `pc-breaker (tenant ${tenant})`,
      'config.targets[0] @from-env fail-500',
      'open',
      expect.stringMatching(/^\S+Z$/),
      '1 of 1',
    ]);
    expect(rest).toEqual([]);
    const json = JSON.parse((await runPk(['--json', 'breakers', 'list'], adminEnv())).stdout) as {
      id: string;
      state: string;
    }[];
    expect(json.map((breaker) => [breaker.id, breaker.state])).toEqual([[id, 'open']]);

    const closed = await runPk(['breakers', 'close', id], adminEnv());
    expect(closed).toMatchObject({ code: 0, stdout: `${id}: closed\n` });
    expect(await chatWith({ config: 'pc-breaker' })).toBe(200);
    expect(seen.filter((request) => request.body.model === 'fail-500').length).toBe(failed + 1);
    expect((await runPk(['breakers', 'close', 'not-a-breaker'], adminEnv())).code).toBe(4);
    expect((await runPk(['breakers', 'list'], { PK_URL: adminEnv().PK_URL })).code).toBe(3);
  });

  it('guardrails push (new, then the whole definition again), list, get and rm; the gateway follows each push', async () => {
    const plums = [{ id: 'default.contains', parameters: { operator: 'none', words: ['plums'] } }];
    const file = join(dir, 'no-plums.json');
    writeFileSync(file, JSON.stringify({ checks: plums, deny: true }));
    const first = await runPk(['guardrails', 'push', file], adminEnv());
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^no-plums: created \(\S+\)\n$/) });
    const config = join(dir, 'pc-plums.json');
    writeFileSync(config, JSON.stringify({ virtual_key: 'from-env', input_guardrails: ['no-plums'] }));
    expect((await runPk(['configs', 'push', config], adminEnv())).code).toBe(0);
    const ask = (content: string) =>
      chatWith({ config: 'pc-plums' }, { messages: [{ role: 'user', content }] });
    const before = seen.length;
    expect(await ask('plums, please')).toBe(446);
    expect(seen.length).toBe(before);

    // The file is the whole definition: without deny, a failed check lets the request on (246).
    writeFileSync(file, JSON.stringify({ checks: plums }));
    expect((await runPk(['guardrails', 'push', file], adminEnv())).stdout).toMatch(/^no-plums: replaced \(/);
    expect(await ask('plums, please')).toBe(246);
    expect(seen.length).toBe(before + 1);
    expect((await runPk(['guardrails', 'list'], adminEnv())).stdout).toMatch(
      /\nno-plums\s+no-plums\s+default\.contains\s+flag \(246\)\s/,
    );
    expect(JSON.parse((await runPk(['guardrails', 'get', 'no-plums'], adminEnv())).stdout)).toEqual({
      checks: plums,
    });

    // What the gateway refuses comes back with its path (exit 6); nothing was created.
    const bad = join(dir, 'bad-rule.json');
    writeFileSync(bad, JSON.stringify({ checks: [{ id: 'default.regexMatch', parameters: { rule: '(' } }] }));
    const refused = await runPk(['guardrails', 'push', bad], adminEnv());
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain('definition.checks[0].parameters.rule');
    expect((await runPk(['guardrails', 'get', 'bad-rule'], adminEnv())).code).toBe(4);

    // Not deleted while a saved config names it (exit 5); then deleted.
    const named = await runPk(['guardrails', 'rm', 'no-plums'], adminEnv());
    expect(named).toMatchObject({ code: 5, stderr: expect.stringContaining('"pc-plums"') });
    await fetch(`${gateway?.url}/v1/configs/pc-plums`, {
      method: 'DELETE',
      headers: { 'x-portkey-api-key': adminKey },
    });
    expect(await runPk(['guardrails', 'rm', 'no-plums'], adminEnv())).toMatchObject({
      code: 0,
      stdout: 'deleted guardrail no-plums\n',
    });
    expect((await runPk(['guardrails', 'get', 'no-plums'], adminEnv())).code).toBe(4);
  });

  it('prompts and prompts partials: push (new, then new versions, published when asked), publish, list, get, history and rm; requests get the published versions', async () => {
    const file = join(dir, 'support-answer.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'Support answer',
        string: 'Answer {{who}} briefly.',
        parameters: { max_tokens: 20 },
        model: 'gpt-4o-mini',
        virtual_key: 'from-env',
      }),
    );
    expect(await runPk(['prompts', 'push', file], adminEnv())).toMatchObject({
      code: 0,
      stdout: 'support-answer: created (version 1, published)\n',
    });
    const portkey = new Portkey({ apiKey: adminKey, baseURL: `${gateway?.url}/v1` });
    const run = async () => {
      await portkey.prompts.completions.create({ promptID: 'support-answer', variables: { who: 'Ann' } });
      return seen.at(-1)?.body;
    };
    expect(await run()).toMatchObject({
      model: 'gpt-4o-mini',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'Answer Ann briefly.' }],
    });

    // A new version is not served until it is published.
    writeFileSync(file, JSON.stringify({ string: 'Greet {{who}}.', version_description: 'greeting' }));
    expect((await runPk(['prompts', 'push', file], adminEnv())).stdout).toBe(
      'support-answer: version 2; requests get version 1 until: pk prompts publish support-answer 2\n',
    );
    expect(await run()).toMatchObject({ messages: [{ role: 'user', content: 'Answer Ann briefly.' }] });
    const history = (await runPk(['prompts', 'history', 'support-answer'], adminEnv())).stdout.split('\n');
    expect(history[1]).toMatch(/^2\s+greeting\s+\S+\s+key:\S+\s+-\s+-$/);
    expect(history[2]).toMatch(/^1\s+-\s+\S+\s+key:\S+\s+yes\s+-$/);
    expect(await runPk(['prompts', 'publish', 'support-answer', '2'], adminEnv())).toMatchObject({
      code: 0,
      stdout: 'support-answer: requests get version 2\n',
    });
    expect(await run()).toMatchObject({ messages: [{ role: 'user', content: 'Greet Ann.' }] });
    // `get` prints the published version as a prompt file (what push takes); `--at` another one.
    expect(JSON.parse((await runPk(['prompts', 'get', 'support-answer'], adminEnv())).stdout)).toEqual({
      name: 'Support answer',
      string: 'Greet {{who}}.',
      parameters: { max_tokens: 20 },
      model: 'gpt-4o-mini',
      virtual_key: 'from-env',
    });
    expect(
      JSON.parse((await runPk(['prompts', 'get', 'support-answer', '--at', '1'], adminEnv())).stdout),
    ).toMatchObject({ string: 'Answer {{who}} briefly.' });

    // --publish: served from the next request.
    writeFileSync(file, JSON.stringify({ string: 'Bye {{who}}.' }));
    expect((await runPk(['prompts', 'push', file, '--publish'], adminEnv())).stdout).toBe(
      'support-answer: version 3 (published)\n',
    );
    expect(await run()).toMatchObject({ messages: [{ role: 'user', content: 'Bye Ann.' }] });
    expect((await runPk(['prompts', 'list'], adminEnv())).stdout).toMatch(
      /\nsupport-answer\s+Support answer\s+gpt-4o-mini\s+3\s+3\s/,
    );

    // Refusals: an unknown version (exit 4), a version that is not a number (exit 2), a file without
    // its template (the gateway's 400 naming the field, exit 6).
    expect((await runPk(['prompts', 'publish', 'support-answer', '9'], adminEnv())).code).toBe(4);
    expect((await runPk(['prompts', 'publish', 'support-answer', 'two'], adminEnv())).code).toBe(2);
    const bad = join(dir, 'no-template.json');
    writeFileSync(bad, JSON.stringify({ parameters: {} }));
    const refused = await runPk(['prompts', 'push', bad], adminEnv());
    expect(refused).toMatchObject({ code: 6, stderr: expect.stringContaining('string') });
    // A partial the prompt includes: its published version is what requests get.
    const partial = join(dir, 'sign-off.json');
    writeFileSync(partial, JSON.stringify({ name: 'Sign-off', string: 'Thanks, {{who}}.' }));
    expect((await runPk(['prompts', 'partials', 'push', partial], adminEnv())).stdout).toBe(
      'sign-off: created (version 1, published)\n',
    );
    writeFileSync(file, JSON.stringify({ string: 'Bye {{who}}. {{> sign-off}}' }));
    expect((await runPk(['prompts', 'push', file, '--publish'], adminEnv())).stdout).toBe(
      'support-answer: version 4 (published)\n',
    );
    expect(await run()).toMatchObject({ messages: [{ role: 'user', content: 'Bye Ann. Thanks, Ann.' }] });
    writeFileSync(partial, JSON.stringify({ string: 'Cheers, {{who}}.', version_description: 'shorter' }));
    expect((await runPk(['prompts', 'partials', 'push', partial], adminEnv())).stdout).toBe(
      'sign-off: version 2; requests get version 1 until: pk prompts partials publish sign-off 2\n',
    );
    expect(await runPk(['prompts', 'partials', 'publish', 'sign-off', '2'], adminEnv())).toMatchObject({
      code: 0,
      stdout: 'sign-off: requests get version 2\n',
    });
    expect(await run()).toMatchObject({ messages: [{ role: 'user', content: 'Bye Ann. Cheers, Ann.' }] });
    expect(
      JSON.parse((await runPk(['prompts', 'partials', 'get', 'sign-off', '--at', '1'], adminEnv())).stdout),
    ).toEqual({
      name: 'Sign-off',
      string: 'Thanks, {{who}}.',
    });
    expect(
      (await runPk(['prompts', 'partials', 'history', 'sign-off'], adminEnv())).stdout.split('\n')[1],
    ).toMatch(/^2\s+shorter\s+\S+\s+key:\S+\s+yes$/);
    expect((await runPk(['prompts', 'partials', 'list'], adminEnv())).stdout).toMatch(
      /\nsign-off\s+Sign-off\s+2\s+2\s/,
    );

    // Labels: one's own pointed at version 1, staging at version 2; requests naming slug@label get them.
    expect(
      await runPk(['prompts', 'labels', 'add', 'canary', '--description', 'a few users'], adminEnv()),
    ).toMatchObject({ code: 0, stdout: 'created label canary\n' });
    expect((await runPk(['prompts', 'labels'], adminEnv())).stdout).toMatch(
      /^NAME\s+UNIVERSAL\s+DESCRIPTION\ndevelopment\s+yes\s+-\nproduction\s+yes\s+-\nstaging\s+yes\s+-\ncanary\s+-\s+a few users\n$/,
    );
    expect(
      await startPk(['prompts', 'labels'], adminEnv(), undefined, { closedStdout: true }).exited,
    ).toMatchObject({ code: 0, stderr: '' });
    expect(await runPk(['prompts', 'label', 'support-answer', '1', 'canary'], adminEnv())).toMatchObject({
      code: 0,
      stdout: 'support-answer@canary: requests get version 1\n',
    });
    expect((await runPk(['prompts', 'label', 'support-answer', '2', 'staging'], adminEnv())).code).toBe(0);
    const runAt = async (label: string) => {
      await portkey.prompts.completions.create({
        promptID: `support-answer@${label}`,
        variables: { who: 'Ann' },
      });
      return seen.at(-1)?.body;
    };
    expect(await runAt('canary')).toMatchObject({
      messages: [{ role: 'user', content: 'Answer Ann briefly.' }],
    });
    expect(await runAt('staging')).toMatchObject({ messages: [{ role: 'user', content: 'Greet Ann.' }] });
    const labelled = (await runPk(['prompts', 'history', 'support-answer'], adminEnv())).stdout.split('\n');
    expect(labelled.at(-2)).toMatch(/^1\s.*\scanary$/);
    expect(labelled.at(-3)).toMatch(/^2\s.*\sstaging$/);
    // Refusals: an unknown label (the gateway's 400, exit 6), a version that is not a number (exit 2),
    // a universal label (exit 5), a name that reads as a version (exit 6).
    expect((await runPk(['prompts', 'label', 'support-answer', '1', 'nope'], adminEnv())).code).toBe(6);
    expect((await runPk(['prompts', 'label', 'support-answer', 'one', 'canary'], adminEnv())).code).toBe(2);
    expect((await runPk(['prompts', 'labels', 'rm', 'staging'], adminEnv())).code).toBe(5);
    expect((await runPk(['prompts', 'labels', 'add', 'latest'], adminEnv())).code).toBe(6);
    expect(await runPk(['prompts', 'labels', 'rm', 'canary'], adminEnv())).toMatchObject({
      code: 0,
      stdout: 'deleted label canary\n',
    });

    expect(await runPk(['prompts', 'rm', 'support-answer'], adminEnv())).toMatchObject({
      code: 0,
      stdout: 'deleted prompt support-answer\n',
    });
    expect((await runPk(['prompts', 'get', 'support-answer'], adminEnv())).code).toBe(4);
    expect((await runPk(['prompts', 'partials', 'rm', 'sign-off'], adminEnv())).stdout).toBe(
      'deleted prompt partial sign-off\n',
    );
  });

  it('prompts partials push: a partial that would include itself, or one that includes it, is refused (exit 6) naming the ring, and nothing is saved', async () => {
    const file = (slug: string, string: string) => {
      const path = join(dir, `${slug}.json`);
      writeFileSync(path, JSON.stringify({ string }));
      return path;
    };
    expect((await runPk(['prompts', 'partials', 'push', file('ring-a', 'A.')], adminEnv())).code).toBe(0);
    expect(
      (await runPk(['prompts', 'partials', 'push', file('ring-b', 'B {{> ring-a}}')], adminEnv())).code,
    ).toBe(0);
    // A new version of ring-a including ring-b, which includes ring-a.
    const ring = await runPk(
      ['prompts', 'partials', 'push', file('ring-a', 'A {{> ring-b}}'), '--publish'],
      adminEnv(),
    );
    expect(ring).toMatchObject({
      code: 6,
      stdout: '',
      stderr: expect.stringContaining(
        'invalid prompt partial: string: would make partials include each other (ring-a → ring-b → ring-a)',
      ),
    });
    // A new partial including itself.
    expect(
      await runPk(['prompts', 'partials', 'push', file('ring-self', 'Me {{> ring-self}}')], adminEnv()),
    ).toMatchObject({
      code: 6,
      stderr: expect.stringContaining('would make partials include each other (ring-self → ring-self)'),
    });
    expect((await runPk(['prompts', 'partials', 'get', 'ring-self'], adminEnv())).code).toBe(4);
    expect(
      (await runPk(['prompts', 'partials', 'history', 'ring-a'], adminEnv())).stdout.split('\n'),
    ).toHaveLength(3);
    // A prompt including ring-b runs it as it was.
    writeFileSync(
      join(dir, 'ring-prompt.json'),
      JSON.stringify({
        string: '{{> ring-b}}',
        parameters: {},
        model: 'gpt-4o-mini',
        virtual_key: 'from-env',
      }),
    );
    expect(await runPk(['prompts', 'push', join(dir, 'ring-prompt.json')], adminEnv())).toMatchObject({
      code: 0,
      stderr: '',
    });
    await new Portkey({ apiKey: adminKey, baseURL: `${gateway?.url}/v1` }).prompts.completions.create({
      promptID: 'ring-prompt',
      variables: {},
    });
    expect(seen.at(-1)?.body).toMatchObject({ messages: [{ role: 'user', content: 'B A.' }] });
    for (const [kind, slug] of [
      [['prompts'], 'ring-prompt'],
      [['prompts', 'partials'], 'ring-b'],
      [['prompts', 'partials'], 'ring-a'],
    ] as const) {
      expect((await runPk([...kind, 'rm', slug], adminEnv())).code).toBe(0);
    }
  }, 60_000);

  it('prompts collections: add (at the top and in another), move a prompt in, the tree with counts, --search, list --collection, rm refused while not empty (exit 5), rename, move out and rm; a wrong command line makes no call', async () => {
    const helped = [
      ['prompts', 'collections'],
      ['prompts', 'collections', 'add'],
      ['prompts', 'collections', 'rename'],
      ['prompts', 'collections', 'rm'],
      ['prompts', 'move'],
    ];
    for (const [index, help] of (
      await Promise.all(helped.map((command) => runPk([...command, '--help'], {})))
    ).entries()) {
      const command = helped[index]?.join(' ');
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: pk ${command}`);
    }
    expect((await runPk(['prompts', 'list', '--help'], {})).stdout).toContain('--collection <collection>');

    const file = join(dir, 'refund-reply.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'Refund reply',
        string: 'Refund {{who}}.',
        parameters: {},
        model: 'gpt-4o-mini',
      }),
    );
    expect(await runPk(['prompts', 'push', file], adminEnv())).toMatchObject({ code: 0, stderr: '' });

    // A collection at the top, one in it (by the parent's slug), and another at the top (--json).
    const support = await runPk(['prompts', 'collections', 'add', 'Support'], adminEnv());
    expect(support).toMatchObject({ code: 0, stderr: '' });
    const [, supportSlug = ''] =
      /^created collection (support-[a-z0-9]+) \(id \S+\)\n$/.exec(support.stdout) ?? [];
    expect(supportSlug).not.toBe('');
    const billing = await runPk(
      ['prompts', 'collections', 'add', 'Billing', '--parent', supportSlug],
      adminEnv(),
    );
    const [, billingSlug = '', billingId = ''] =
      /^created collection (billing-[a-z0-9]+) \(id (\S+)\)\n$/.exec(billing.stdout) ?? [];
    expect(billingId).not.toBe('');
    const sales = JSON.parse(
      (await runPk(['--json', 'prompts', 'collections', 'add', 'Sales'], adminEnv())).stdout,
    ) as { id: string; slug: string; name: string };
    expect(sales).toEqual({ id: expect.any(String), slug: expect.stringMatching(/^sales-/), name: 'Sales' });
    // A parent that does not exist: the gateway's 404.
    expect(
      await runPk(['prompts', 'collections', 'add', 'Orphan', '--parent', 'no-such-collection'], adminEnv()),
    ).toMatchObject({ code: 4, stderr: expect.stringContaining('no-such-collection') });

    // The prompt goes into the child; a collection that does not exist is refused before any change.
    expect(await runPk(['prompts', 'move', 'refund-reply', billingSlug], adminEnv())).toMatchObject({
      code: 0,
      stdout: `refund-reply: in collection ${billingSlug} (Billing)\n`,
    });
    expect(await runPk(['prompts', 'move', 'refund-reply', 'no-such-collection'], adminEnv())).toMatchObject({
      code: 4,
      stderr: 'pk: no collection "no-such-collection"\n',
    });
    expect((await runPk(['prompts', 'move', 'no-such-prompt', billingSlug], adminEnv())).code).toBe(4);

    // The tree: by name, each collection under its parent, with the prompts and collections in it.
    const tree = await runPk(['prompts', 'collections'], adminEnv());
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(
      new RegExp(
        `^NAME\\s+SLUG\\s+PROMPTS\\s+CHILDREN\\nSales\\s+${sales.slug}\\s+0\\s+0\\nSupport\\s+${supportSlug}\\s+0\\s+1\\n  Billing\\s+${billingSlug}\\s+1\\s+0\\n$`,
      ),
    );
    const listed = JSON.parse((await runPk(['--json', 'prompts', 'collections'], adminEnv())).stdout) as {
      slug: string;
      collection_details: Record<string, unknown>;
    }[];
    expect(listed.find((collection) => collection.slug === billingSlug)).toMatchObject({
      parent_collection_id: expect.any(String),
      collection_details: { prompts_count: 1, child_collections_count: 0 },
    });
    // --search keeps the names that contain it: the child alone, at the top.
    expect((await runPk(['prompts', 'collections', '--search', 'BILL'], adminEnv())).stdout).toMatch(
      new RegExp(`^NAME\\s+SLUG\\s+PROMPTS\\s+CHILDREN\\nBilling\\s+${billingSlug}\\s+1\\s+0\\n$`),
    );
    // A collection's prompts, by slug or id.
    expect((await runPk(['prompts', 'list', '--collection', billingSlug], adminEnv())).stdout).toMatch(
      /\nrefund-reply\s+Refund reply\s+gpt-4o-mini\s+1\s+1\s/,
    );
    expect(
      JSON.parse((await runPk(['--json', 'prompts', 'list', '--collection', billingId], adminEnv())).stdout),
    ).toEqual([expect.objectContaining({ slug: 'refund-reply', collection_id: billingId })]);
    expect((await runPk(['prompts', 'list', '--collection', supportSlug], adminEnv())).stdout).toMatch(
      /^SLUG\s+NAME\s+MODEL\s+PUBLISHED\s+LATEST\s+UPDATED\n$/,
    );

    // Not empty: the gateway's 409, its message on stderr, exit 5; nothing deleted.
    expect(await runPk(['prompts', 'collections', 'rm', supportSlug], adminEnv())).toMatchObject({
      code: 5,
      stdout: '',
      stderr: 'pk: collection "Support" holds 0 prompt(s) and 1 collection(s): move or delete them first\n',
    });
    expect(await runPk(['prompts', 'collections', 'rm', billingSlug], adminEnv())).toMatchObject({
      code: 5,
      stderr: 'pk: collection "Billing" holds 1 prompt(s) and 0 collection(s): move or delete them first\n',
    });

    // Renamed: its slug stays.
    expect(
      await runPk(['prompts', 'collections', 'rename', billingSlug, 'Billing and refunds'], adminEnv()),
    ).toMatchObject({ code: 0, stdout: `renamed collection ${billingSlug} to Billing and refunds\n` });
    expect((await runPk(['prompts', 'collections'], adminEnv())).stdout).toMatch(
      new RegExp(`\\n  Billing and refunds\\s+${billingSlug}\\s+1\\s+0\\n$`),
    );
    expect(
      (await runPk(['prompts', 'collections', 'rename', 'no-such-collection', 'X'], adminEnv())).code,
    ).toBe(4);

    // Emptied (the prompt in no collection, --json), then removed: by id, then by slug.
    expect(
      JSON.parse((await runPk(['--json', 'prompts', 'move', 'refund-reply', 'none'], adminEnv())).stdout),
    ).toEqual({ slug: 'refund-reply', collection: null });
    expect(
      JSON.parse((await runPk(['--json', 'prompts', 'list'], adminEnv())).stdout).find(
        (prompt: { slug: string }) => prompt.slug === 'refund-reply',
      ),
    ).toMatchObject({ collection_id: null });
    expect(await runPk(['prompts', 'collections', 'rm', billingId], adminEnv())).toMatchObject({
      code: 0,
      stdout: `deleted collection ${billingId}\n`,
    });
    expect(await runPk(['prompts', 'collections', 'rm', supportSlug], adminEnv())).toMatchObject({
      code: 0,
      stdout: `deleted collection ${supportSlug}\n`,
    });
    expect((await runPk(['prompts', 'collections', 'rm', supportSlug], adminEnv())).code).toBe(4);
    expect((await runPk(['prompts', 'collections'], adminEnv())).stdout).toMatch(
      new RegExp(`^NAME\\s+SLUG\\s+PROMPTS\\s+CHILDREN\\nSales\\s+${sales.slug}\\s+0\\s+0\\n$`),
    );
    expect((await runPk(['prompts', 'collections', 'rm', sales.slug], adminEnv())).code).toBe(0);
    expect((await runPk(['prompts', 'rm', 'refund-reply'], adminEnv())).code).toBe(0);

    // A wrong command line exits 2 before any call: PK_URL is a server that records what reaches it.
    const reached: string[] = [];
    const recorder = createServer((request, response) => {
      reached.push(`${request.method} ${request.url}`);
      response
        .writeHead(200, { 'content-type': 'application/json', 'x-portkey-trace-id': 'recorder' })
        .end('{"object":"list","data":[]}');
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    try {
      const recorderEnv = adminEnv({
        PK_URL: `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`,
      });
      const wrong = [
        ['prompts', 'collections', 'add'],
        ['prompts', 'collections', 'add', '  '],
        ['prompts', 'collections', 'add', 'X', '--parent'],
        ['prompts', 'collections', 'add', 'X', '--parent', ''],
        ['prompts', 'collections', 'add', 'X', '--search', 'y'],
        ['prompts', 'collections', 'rename', supportSlug],
        ['prompts', 'collections', 'rename', supportSlug, ''],
        ['prompts', 'collections', 'rm'],
        ['prompts', 'collections', 'rm', supportSlug, '--force'],
        ['prompts', 'collections', 'Support'],
        ['prompts', 'collections', '--search', ''],
        ['prompts', 'move', 'refund-reply'],
        ['prompts', 'move', 'refund-reply', ''],
        ['prompts', 'list', '--collection', ''],
        ['prompts', 'partials', 'list', '--collection', supportSlug],
      ];
      // In parallel: each is a process of its own, and none reaches the server.
      for (const [index, refused] of (
        await Promise.all(wrong.map((args) => runPk(args, recorderEnv)))
      ).entries()) {
        expect(refused.code, wrong[index]?.join(' ')).toBe(2);
        expect(refused.stdout, wrong[index]?.join(' ')).toBe('');
      }
      expect(reached).toEqual([]);
      // The same server does see a right one.
      expect(await runPk(['prompts', 'collections', '--search', 'x'], recorderEnv)).toMatchObject({
        code: 0,
        stdout: 'NAME  SLUG  PROMPTS  CHILDREN\n',
      });
      expect(reached).toEqual(['GET /v1/collections?search=x']);
    } finally {
      await new Promise((resolve) => recorder.close(resolve));
    }
  }, 60_000);

  it('vk add, keys create and integrations add-provider take rate limits; rate-limits shows, replaces (keeping on_store_failure) and removes them, and the gateway follows', async () => {
    const env = adminEnv({ RATED_KEY: ENV_SECRET });
    const added = await runPk(
      [
        'vk',
        'add',
        'rated',
        '--provider',
        'openai',
        '--key',
        'env:RATED_KEY',
        '--option',
        `custom_host=${upstreamUrl}`,
        '--rate-limit',
        '2/minute',
      ],
      env,
    );
    expect(added.code).toBe(0);
    const sent = seen.length;
    expect([await chat('rated'), await chat('rated'), await chat('rated')]).toEqual([200, 200, 429]);
    expect(seen.length).toBe(sent + 2);
    expect(await runPk(['vk', 'rate-limits', 'rated'], env)).toMatchObject({
      code: 0,
      stdout: 'rate limits  2 requests a minute\n',
    });

    // A field the CLI does not set, given through the API, is kept when the value changes.
    await fetch(`${gateway?.url}/v1/virtual-keys/rated`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-portkey-api-key': adminKey },
      body: JSON.stringify({
        rate_limits: [{ type: 'requests', unit: 'rpm', value: 2, on_store_failure: 'closed' }],
      }),
    });
    const raised = await runPk(
      ['vk', 'rate-limits', 'rated', '--rate-limit', '3/minute', '--token-limit', '100000/day'],
      env,
    );
    expect(raised).toMatchObject({
      code: 0,
      stdout: 'the rate limits of virtual key rated are now 3 requests a minute, 100,000 tokens a day\n',
    });
    expect(JSON.parse((await runPk(['--json', 'vk', 'rate-limits', 'rated'], env)).stdout)).toEqual({
      id: 'rated',
      rate_limits: [
        { type: 'requests', unit: 'rpm', value: 3, on_store_failure: 'closed' },
        { type: 'tokens', unit: 'rpd', value: 100000 },
      ],
    });
    expect([await chat('rated'), await chat('rated')]).toEqual([200, 429]);
    expect(await runPk(['vk', 'rate-limits', 'rated', 'none'], env)).toMatchObject({
      code: 0,
      stdout: 'removed the rate limits of virtual key rated\n',
    });
    expect(await chat('rated')).toBe(200);
    const wrong = await runPk(['vk', 'rate-limits', 'rated', '--rate-limit', '600/min'], env);
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringContaining('--rate-limit: expected') });
    expect((await runPk(['vk', 'rate-limits', 'no-such-key'], env)).code).toBe(4);
    expect((await runPk(['vk', 'rm', 'rated'], env)).code).toBe(0);

    // A gateway key's too.
    const created = await runPk(
      [
        '--json',
        'keys',
        'create',
        '--name',
        'rated key',
        '--rate-limit',
        '600/minute',
        '--token-limit',
        '5000/hour',
      ],
      env,
    );
    const { id } = JSON.parse(created.stdout) as { id: string };
    expect(await runPk(['keys', 'rate-limits', id], env)).toMatchObject({
      code: 0,
      stdout: 'rate limits  600 requests a minute, 5,000 tokens an hour\n',
    });
    expect((await runPk(['keys', 'revoke', id], env)).code).toBe(0);
  });

  it('integrations add (with its provider), add-provider with a budget, list, replace-key (both providers follow) and rm once the providers are gone', async () => {
    const env = adminEnv({ INTEGRATION_KEY: INTEGRATION_SECRET, ROTATED_KEY: INTEGRATION_ROTATED });
    const onArgv = await runPk(
      ['integrations', 'add', 'x', '--provider', 'openai', '--key', INTEGRATION_SECRET],
      env,
    );
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr + onArgv.stdout).not.toContain(INTEGRATION_SECRET);
    const added = await runPk(
      [
        'integrations',
        'add',
        'cli-openai',
        '--provider',
        'openai',
        '--key',
        'env:INTEGRATION_KEY',
        '--option',
        `custom_host=${upstreamUrl}`,
      ],
      env,
    );
    expect(added).toMatchObject({
      code: 0,
      stdout:
        'added integration cli-openai (openai) and its provider cli-openai: name it as @cli-openai/<model>\n',
    });
    const team = await runPk(
      [
        'integrations',
        'add-provider',
        'cli-openai',
        'cli-team',
        '--budget',
        '1000',
        '--budget-type',
        'tokens',
        '--rate-limit',
        '600/minute',
      ],
      env,
    );
    expect(team).toMatchObject({
      code: 0,
      stdout: 'added provider cli-team to integration cli-openai: name it as @cli-team/<model>\n',
    });
    expect(await runPk(['vk', 'rate-limits', 'cli-team'], env)).toMatchObject({
      stdout: 'rate limits  600 requests a minute\n',
    });
    expect((await runPk(['integrations', 'add-provider', 'nope', 'x'], env)).code).toBe(6);

    // The model catalog's @slug/model, and the other provider by name: the same key reaches the upstream.
    expect(await chatWith({}, { model: '@cli-openai/gpt-4o-mini' })).toBe(200);
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${INTEGRATION_SECRET}`);
    // (A bound that fits a 1,000-token budget: without max_tokens it is the model's whole output.)
    expect(await chat('cli-team', { max_tokens: 50 })).toBe(200);
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${INTEGRATION_SECRET}`);
    // cli-team's own budget refuses what cli-openai (no budget) lets through.
    const sent = seen.length;
    expect(await chat('cli-team', { max_tokens: 5000 })).toBe(412);
    expect(seen.length).toBe(sent);
    expect(await chatWith({}, { model: '@cli-openai/gpt-4o-mini', max_tokens: 5000 })).toBe(200);

    const listed = await runPk(['integrations', 'list'], env);
    expect(listed.stdout).toMatch(/cli-openai\s+openai\s+cli-openai\s+sk-…defg\s+cli-openai, cli-team/);
    const json = JSON.parse((await runPk(['--json', 'integrations', 'list'], env)).stdout);
    expect(json).toMatchObject([{ slug: 'cli-openai', providers: ['cli-openai', 'cli-team'] }]);
    expect((await runPk(['vk', 'list'], env)).stdout).toMatch(
      // One key, two budgets: cli-team's refused (exhausted), cli-openai's has none (active).
      /cli-openai\s+openai\s+cli-openai\s+sk-…defg\s+active\s+never\s+cli-openai\s.*\ncli-team\s+openai\s+cli-team\s+sk-…defg\s+exhausted\s+never\s+cli-openai/,
    );

    // A provider's key is its integration's: replaced there, the next request through either carries it.
    const onProvider = await runPk(['vk', 'replace-key', 'cli-team', '--key', 'env:ROTATED_KEY'], env);
    expect(onProvider).toMatchObject({
      code: 5,
      stderr: expect.stringContaining('the integration "cli-openai"'),
    });
    expect(
      await runPk(['integrations', 'replace-key', 'cli-openai', '--key', 'env:ROTATED_KEY'], env),
    ).toMatchObject({
      code: 0,
      stdout: 'replaced the provider key of integration cli-openai (and of its providers)\n',
    });
    expect(await chat('cli-team', { max_tokens: 50 })).toBe(200);
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${INTEGRATION_ROTATED}`);

    // Deleted once its providers are.
    const early = await runPk(['integrations', 'rm', 'cli-openai'], env);
    expect(early).toMatchObject({
      code: 5,
      stderr: expect.stringContaining('"cli-openai", "cli-team": delete them first'),
    });
    for (const slug of ['cli-team', 'cli-openai'])
      expect((await runPk(['vk', 'rm', slug], env)).code).toBe(0);
    expect(await runPk(['integrations', 'rm', 'cli-openai'], env)).toMatchObject({
      code: 0,
      stdout: 'deleted integration cli-openai\n',
    });
    expect((await runPk(['integrations', 'rm', 'cli-openai'], env)).code).toBe(4);
  });

  it('logs export: creates, runs and follows an export, then downloads its JSONL through PK_URL (behind a proxy) to --out; a wrong command line creates nothing; logs exports lists and rm deletes', async () => {
    const env = adminEnv({ EXPORT_KEY: EXPORT_SECRET });
    expect(
      (
        await runPk(
          [
            'integrations',
            'add',
            'export-openai',
            '--provider',
            'openai',
            '--key',
            'env:EXPORT_KEY',
            '--option',
            `custom_host=${upstreamUrl}`,
          ],
          env,
        )
      ).code,
    ).toBe(0);
    // Three chats of team a (one trace), two of team b.
    for (const [team, traceID] of [
      ['a', 'cli-trace-a'],
      ['a', 'cli-trace-a'],
      ['a', 'cli-trace-a'],
      ['b', 'cli-trace-b'],
      ['b', 'cli-trace-b'],
    ] as const)
      expect(await chatWith({ metadata: { team }, traceID }, { model: '@export-openai/gpt-4o-mini' })).toBe(
        200,
      );
    const logs = async (query: string) => {
      const response = await fetch(`${gateway?.url}/v1/logs?${query}`, {
        headers: { 'x-portkey-api-key': adminKey },
      });
      return ((await response.json()) as { data: Record<string, unknown>[] }).data;
    };
    const expected = await vi.waitFor(
      async () => {
        const found = await logs('metadata.team=a&limit=10');
        expect(found).toHaveLength(3);
        return found;
      },
      { timeout: 5000, interval: 100 },
    );
    const listExports = async () =>
      JSON.parse((await runPk(['--json', 'logs', 'exports'], env)).stdout) as Record<string, unknown>[];
    const before = await listExports();

    // A wrong command line: exit 2 before any call, so nothing is created.
    const out = join(dir, 'exports', 'team-a.jsonl');
    for (const wrong of [
      ['--metadata', 'nope'],
      ['--limit', 'many'],
      ['--limit', '50001'],
      ['--status', 'ok'],
      ['--from', 'yesterday'],
      ['--fields', ','],
      ['--out', join(dir, 'no-such-dir', 'x.jsonl')],
    ]) {
      const refused = await runPk(['logs', 'export', ...wrong], env);
      expect(refused.code, wrong.join(' ')).toBe(2);
      expect(refused.stderr, wrong.join(' ')).toMatch(/^pk: --\w+/);
      expect(refused.stdout).toBe('');
    }
    expect(await listExports()).toEqual(before);
    // A field the gateway does not know: its 400 (exit 6) names it, and no draft is left.
    const unknownField = await runPk(['logs', 'export', '--fields', 'id,prompt_tokens'], env);
    expect(unknownField).toMatchObject({ code: 6, stderr: expect.stringContaining('prompt_tokens') });
    expect(await listExports()).toEqual(before);

    // Through a proxy that serves the gateway under /pk and tells it another host name: the download
    // link names that host, which the CLI cannot reach; it takes the link's path and token only.
    const proxied: string[] = [];
    const proxy = createServer((request, response) => {
      proxied.push(request.url ?? '');
      const target = new URL(gateway?.url ?? '');
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: (request.url ?? '').replace(/^\/pk/, ''),
          headers: { ...request.headers, host: 'gateway.internal:8787' },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(forwarded);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/pk`;
    mkdirSync(join(dir, 'exports'));
    try {
      const run = await runPk(
        ['logs', 'export', '--metadata', 'team=a', '--description', 'team a', '--out', out],
        { ...env, PK_URL: proxyUrl },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^export \S+ started\n/);
      expect(run.stderr).toContain('exporting: 3/3 (100%)\n');
      expect(run.stderr).toContain(`wrote 3 records to ${out}\n`);
      expect(proxied.some((path) => /^\/pk\/v1\/logs\/exports\/[^/]+\/file\?token=/.test(path))).toBe(true);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
    // The file is complete under its name, nothing else beside it.
    expect(readdirSync(join(dir, 'exports'))).toEqual(['team-a.jsonl']);
    const text = readFileSync(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // Exactly team a's records, newest first, with the default fields in their order.
    expect(lines.map((line) => line.id)).toEqual(expected.map((record) => record.id));
    for (const line of lines) {
      expect(Object.keys(line)).toEqual([
        'id',
        'trace_id',
        'created_at',
        'ai_org',
        'ai_model',
        'req_units',
        'res_units',
        'total_units',
        'cost',
        'cost_currency',
        'response_time',
        'response_status_code',
        'metadata',
      ]);
      expect(line).toMatchObject({
        trace_id: 'cli-trace-a',
        ai_org: 'openai',
        ai_model: 'gpt-4o-mini',
        total_units: 2,
        response_status_code: 200,
        metadata: { team: 'a' },
      });
    }

    // Without --out the JSONL is stdout (and only it); --fields picks and orders the fields.
    const toStdout = await runPk(
      ['logs', 'export', '--trace', 'cli-trace-b', '--fields', 'trace_id,total_units', '--limit', '1'],
      env,
    );
    expect(toStdout).toMatchObject({ code: 0, stdout: '{"trace_id":"cli-trace-b","total_units":2}\n' });

    // The list: the finished exports with their counts, newest first; rm deletes one.
    const listed = await runPk(['logs', 'exports'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+STATUS\s+EXPORTED\s+CREATED\s+DESCRIPTION\n/);
    expect(listed.stdout).toMatch(/\n\S+\s+success\s+1\/1\s+\S+\s+-\n\S+\s+success\s+3\/3\s+\S+\s+team a\n$/);
    const [latest] = await listExports();
    expect(latest).toMatchObject({ status: 'success', total: 1, exported: 1 });
    expect(await runPk(['logs', 'exports', 'rm', String(latest?.id)], env)).toMatchObject({
      code: 0,
      stdout: `deleted log export ${latest?.id}\n`,
    });
    expect((await runPk(['logs', 'exports', 'rm', String(latest?.id)], env)).code).toBe(4);
    expect(await listExports()).toHaveLength(before.length + 1);
    // --failed: team c's refused request only (a virtual key that does not exist), not its answered one.
    expect(await chatWith({ metadata: { team: 'c' } }, { model: '@export-openai/gpt-4o-mini' })).toBe(200);
    const refusedStatus = await chatWith({ virtualKey: 'no-such-key', metadata: { team: 'c' } });
    expect(refusedStatus).toBeGreaterThanOrEqual(400);
    await vi.waitFor(async () => expect(await logs('metadata.team=c')).toHaveLength(2), {
      timeout: 5000,
      interval: 100,
    });
    const [refusedRecord] = await logs('metadata.team=c&failed=true');
    const failedOnly = await runPk(
      ['logs', 'export', '--metadata', 'team=c', '--failed', '--fields', 'response_status_code,error_code'],
      env,
    );
    expect(failedOnly).toMatchObject({
      code: 0,
      stdout: `${JSON.stringify({ response_status_code: refusedStatus, error_code: refusedRecord?.error_code })}\n`,
    });
    const byCode = await runPk(
      [
        'logs',
        'export',
        '--metadata',
        'team=c',
        '--error-code',
        String(refusedRecord?.error_code),
        '--fields',
        'id',
      ],
      env,
    );
    expect(byCode).toMatchObject({ code: 0, stdout: `${JSON.stringify({ id: refusedRecord?.id })}\n` });
    // (Its secret would count in the vault rotation below.)
    expect((await runPk(['vk', 'rm', 'export-openai'], env)).code).toBe(0);
    expect((await runPk(['integrations', 'rm', 'export-openai'], env)).code).toBe(0);
  });

  it('logs export: Ctrl-C while the export runs cancels it on the gateway and exits 130, leaving no file', async () => {
    // Enough records that the export runs for a while (seconds; its job reports every 500 records).
    const store = await openStore({
      dataDir: storeEnv(OLD_MASTER).PK_DATA_DIR,
      masterKey: 'env:PK_TEST_MASTER',
      env: storeEnv(OLD_MASTER),
      serve: false,
      onWarning: () => undefined,
    });
    try {
      await seedRequestLogs(store, 50_000);
    } finally {
      await store.close();
    }
    mkdirSync(join(dir, 'interrupted'));
    const out = join(dir, 'interrupted', 'all.jsonl');
    const running = startPk(['logs', 'export', '--fields', 'id,metadata', '--out', out], adminEnv());
    await vi.waitFor(() => expect(running.stderr()).toMatch(/^export \S+ started\n/), {
      timeout: 10_000,
      interval: 20,
    });
    running.kill('SIGINT');
    const run = await running.exited;
    const id = /^export (\S+) started/.exec(run.stderr)?.[1] as string;
    expect(run).toMatchObject({ code: 130, stdout: '' });
    expect(run.stderr).toContain(`pk: interrupted: export ${id} is cancelled`);
    const stopped = (await runPk(['--json', 'logs', 'exports'], adminEnv())).stdout;
    const state = (JSON.parse(stopped) as Record<string, unknown>[]).find((item) => item.id === id);
    expect(state).toMatchObject({ status: 'stopped', total: null });
    expect(state?.exported).toBeLessThan(50_000);
    expect(readdirSync(join(dir, 'interrupted'))).toEqual([]);
    expect(await runPk(['logs', 'exports', 'rm', id], adminEnv())).toMatchObject({ code: 0 });
  }, 60_000);

  it('vault rotate re-encrypts under the newest master key with progress; the old key can then go', async () => {
    // The gateway must hold the new key before secrets are written under it: restart it with the ring.
    await gateway?.stop();
    gateway = await startGateway(storeEnv(`${NEW_MASTER},${OLD_MASTER}`));
    const rotated = await runPk(['vault', 'rotate'], storeEnv(`${NEW_MASTER},${OLD_MASTER}`));
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^re-encrypted 2 secrets under master key [0-9a-f]{16}\n/);
    expect(rotated.stdout).toContain('the other keys may be removed from PK_MASTER_KEY');
    expect(rotated.stderr).toContain('re-encrypting: 0/2 (0%)');
    expect(rotated.stderr).toContain('re-encrypting: 2/2 (100%)');
    const newKeyId = /under master key ([0-9a-f]{16})/.exec(rotated.stdout)?.[1];
    expect(rotated.stderr).toContain(
      `pk: warning: every running gateway must already have master key ${newKeyId} in its PK_MASTER_KEY`,
    );
    expect(rotated.stderr).toContain('answers 503 PK_ERR_VIRTUAL_KEY_UNREADABLE');
    await gateway?.stop();
    gateway = await startGateway(storeEnv(NEW_MASTER));
    expect(await chat('from-stdin')).toBe(200);
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${STDIN_SECRET}`);
    const again = await runPk(['--json', 'vault', 'rotate'], storeEnv(NEW_MASTER));
    expect(JSON.parse(again.stdout)).toMatchObject({ reencrypted: 0 });
    expect(again.stderr).not.toContain('warning'); // nothing re-encrypted: nothing for gateways to miss
    const wrongKey = await runPk(['vault', 'rotate'], storeEnv(OLD_MASTER));
    expect(wrongKey).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('the master key does not fit this database'),
    });
  });
});
