import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminGateway, startAdminGateway } from './support/admin-harness.js';

// Hostile and extreme input to the admin API, as an admin-key holder (or a buggy script) sends it:
// each request gets its status and PK_ERR_* code in the envelope with the top-level `message` the
// portkey-ai SDK reads and a trace id, nothing is written (every record and the audit log are as
// they were), and the next request is still served.
let admin: AdminGateway;

beforeAll(async () => {
  admin = await startAdminGateway({ virtual_keys: { mock: { provider: 'openai', api_key: 'sk-hostile' } } });
  // One record of each kind, the targets of the PUT and path rows.
  for (const [path, body] of [
    ['/configs', { name: 'base', slug: 'pc-base', config: { virtual_key: 'mock' } }],
    ['/virtual-keys', { name: 'base', slug: 'vk-base', provider: 'openai', key: 'sk-base' }],
    ['/guardrails', { name: 'base', slug: 'gr-base', checks: [{ id: 'pk.pii', parameters: {} }] }],
    ['/collections', { name: 'base' }],
    ['/prompts/partials', { name: 'base', string: 'hello' }],
  ] as const) {
    const created = await admin.call('POST', path, { body });
    expect(created.status, `${path}: ${JSON.stringify(created.body)}`).toBe(200);
  }
});

afterAll(async () => {
  await admin?.close();
});

/** Every record the admin API lists, and the audit log: what no refused request may change. */
async function storeState(): Promise<string> {
  const lists: unknown[] = [];
  for (const path of [
    '/configs',
    '/virtual-keys',
    '/integrations',
    '/guardrails',
    '/prompts',
    '/prompts/partials',
    '/collections',
  ]) {
    const answer = await admin.call('GET', path);
    expect(answer.status).toBe(200);
    lists.push(answer.body);
  }
  lists.push((await admin.store.gatewayKeys.list()).map((key) => [key.id, key.name]));
  lists.push(await admin.store.audit.list());
  return JSON.stringify(lists);
}

async function send(method: string, path: string, body?: string | Buffer, type = 'application/json') {
  const response = await fetch(`${admin.baseURL}${path}`, {
    method,
    headers: {
      'x-portkey-api-key': admin.adminKey,
      ...(body === undefined ? {} : { 'content-type': type }),
    },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {}
  return { status: response.status, traceId: response.headers.get('x-portkey-trace-id'), text, body: parsed };
}

const json = (value: unknown) => JSON.stringify(value);
const LONG_NAME = 'n'.repeat(100_000);
const DEEP = `{"name":"deep","config":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
/** Names that cannot be shown as they are: NUL, a line break, a bell, right-to-left overrides. */
const UNSHOWABLE = ['a\u0000b', 'line\nbreak', 'bell\u0007', 'invoice\u202Efdp.exe', 'iso\u2066late\u2069'];

interface Row {
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string | Buffer;
  readonly type?: string;
  readonly status: number;
  readonly code: string;
  readonly param?: string | null;
  /** What the message says (and that it does not repeat a long input). */
  readonly message?: RegExp;
}

const ROWS: Row[] = [
  {
    what: 'malformed JSON',
    method: 'POST',
    path: '/configs',
    body: '{"name":',
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
  },
  {
    what: 'an empty JSON body',
    method: 'POST',
    path: '/virtual-keys',
    body: '',
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
  },
  ...[
    '/configs',
    '/virtual-keys',
    '/integrations',
    '/guardrails',
    '/prompts',
    '/prompts/partials',
    '/collections',
  ].flatMap((path): Row[] =>
    ['[]', '"a string"', '42'].map((body) => ({
      what: `a body that is ${body}`,
      method: 'POST',
      path,
      body,
      status: 400,
      code: 'PK_ERR_INVALID_REQUEST',
      message: /expected a JSON object body/,
    })),
  ),
  {
    what: 'an array to a PUT',
    method: 'PUT',
    path: '/configs/pc-base',
    body: '[{"name":"x"}]',
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
  },
  {
    what: 'a 50 MB body',
    method: 'POST',
    path: '/configs',
    body: Buffer.alloc(50 * 1024 * 1024, 0x20),
    status: 413,
    code: 'PK_ERR_PAYLOAD_TOO_LARGE',
  },
  {
    what: 'JSON nested 10,000 deep',
    method: 'POST',
    path: '/configs',
    body: DEEP,
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
    message: /128 levels/,
  },
  {
    what: 'a form body',
    method: 'POST',
    path: '/configs',
    body: 'name=x',
    type: 'application/x-www-form-urlencoded',
    status: 415,
    code: 'PK_ERR_UNSUPPORTED_MEDIA_TYPE',
  },
  ...(
    [
      ['/configs', { config: { virtual_key: 'mock' } }],
      ['/virtual-keys', { provider: 'openai', key: 'sk-x' }],
      ['/integrations', { ai_provider_id: 'openai', key: 'sk-x' }],
      ['/guardrails', { checks: [{ id: 'pk.pii', parameters: {} }] }],
      ['/prompts/partials', { string: 'hi' }],
      ['/collections', {}],
    ] as const
  ).flatMap(([path, rest]): Row[] => [
    {
      what: 'a name of 100,000 characters',
      method: 'POST',
      path,
      body: json({ ...rest, name: LONG_NAME }),
      status: 400,
      code: 'PK_ERR_INVALID_REQUEST',
      message: /200 characters/,
    },
    ...UNSHOWABLE.map(
      (name): Row => ({
        what: `the name ${json(name)}`,
        method: 'POST',
        path,
        body: json({ ...rest, name }),
        status: 400,
        code: 'PK_ERR_INVALID_REQUEST',
        message: /control characters .* bidirectional overrides/,
      }),
    ),
  ]),
  ...UNSHOWABLE.map(
    (name): Row => ({
      what: `a rename to ${json(name)}`,
      method: 'PUT',
      path: '/configs/pc-base',
      body: json({ name }),
      status: 400,
      code: 'PK_ERR_INVALID_REQUEST',
      param: 'name',
    }),
  ),
  {
    what: 'a name that is a number',
    method: 'POST',
    path: '/configs',
    body: json({ name: 42, config: {} }),
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
    param: 'name',
  },
  {
    what: 'is_default as "yes"',
    method: 'POST',
    path: '/configs',
    body: json({ name: 'x', config: {}, is_default: 'yes' }),
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
    param: 'is_default',
  },
  {
    what: 'a negative page_size',
    method: 'GET',
    path: '/configs?page_size=-1',
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
    param: 'page_size',
  },
  {
    what: 'page_size NaN',
    method: 'GET',
    path: '/virtual-keys?page_size=NaN',
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
    param: 'page_size',
  },
  {
    what: 'a fractional current_page',
    method: 'GET',
    path: '/guardrails?page_size=1&current_page=1.5',
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
    param: 'current_page',
  },
  {
    what: 'an id with ..%2f',
    method: 'GET',
    path: '/configs/..%2f..%2fetc%2fpasswd',
    status: 404,
    code: 'PK_ERR_CONFIG_NOT_FOUND',
  },
  {
    what: 'a delete of ..%2f',
    method: 'DELETE',
    path: '/virtual-keys/..%2fvk-base',
    status: 404,
    code: 'PK_ERR_VIRTUAL_KEY_NOT_FOUND',
  },
  {
    what: 'an id with %00',
    method: 'DELETE',
    path: '/configs/pc-base%00',
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
    param: 'slug',
  },
  ...['/configs', '/virtual-keys', '/guardrails', '/prompts', '/collections', '/api-keys'].flatMap(
    (path): Row[] => [
      {
        what: 'an id of 5,000 characters',
        method: 'GET',
        path: `${path}/${'a'.repeat(5000)}`,
        status: 404,
        code: 'PK_ERR_RECORD_NOT_FOUND',
        message: /^no record has an id of 5000 characters/,
      },
      {
        what: 'an id that is not UTF-8 once decoded',
        method: 'DELETE',
        path: `${path}/%E0%A4%A`,
        status: 400,
        code: 'PK_ERR_INVALID_REQUEST',
        message: /not UTF-8/,
      },
    ],
  ),
  {
    what: 'a PUT of an id not UTF-8',
    method: 'PUT',
    path: '/configs/%FF',
    body: json({ name: 'x' }),
    status: 400,
    code: 'PK_ERR_INVALID_REQUEST',
  },
];

describe('hostile input to the admin API', () => {
  it.each(ROWS)('answers $what to $method $path with $status $code and writes nothing', async (row) => {
    const before = await storeState();
    const answer = await send(row.method, row.path, row.body, row.type);
    expect(answer.status, answer.text.slice(0, 300)).toBe(row.status);
    expect(answer.traceId).toBeTruthy();
    const error = answer.body.error as Record<string, unknown>;
    expect(error).toMatchObject({ code: row.code, type: expect.any(String), message: expect.any(String) });
    if (row.param !== undefined) expect(error.param).toBe(row.param);
    // The portkey-ai SDK's admin client reads the top-level message.
    expect(answer.body.message).toBe(error.message);
    if (row.message) expect(error.message).toMatch(row.message);
    // No answer repeats a huge input.
    expect(answer.text.length).toBeLessThan(2_000);
    expect(await storeState()).toBe(before);
    // The next request is served.
    expect((await admin.call('GET', '/configs/pc-base')).status).toBe(200);
  });

  it('keeps a name with emoji, right-to-left text and quotes as it was sent', async () => {
    const name = 'שלום 😀 "q" <b>';
    const created = await admin.call('POST', '/configs', { body: { name, config: { virtual_key: 'mock' } } });
    expect(created.status).toBe(200);
    expect((await admin.call('GET', `/configs/${created.body.slug}`)).body.name).toBe(name);
    expect((await admin.call('DELETE', `/configs/${created.body.slug}`)).status).toBe(200);
  });

  it('creates one of ten configs sent at once with the same slug, and answers the rest 409', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        admin.call('POST', '/configs', {
          body: { name: `race ${index}`, slug: 'pc-race', config: { virtual_key: 'mock' } },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    for (const answer of answers.filter((answer) => answer.status === 409))
      expect(answer.body).toMatchObject({ error: { code: 'PK_ERR_CONFLICT' }, message: expect.any(String) });
    const stored = await admin.call('GET', '/configs/pc-race');
    const winner = answers.find((answer) => answer.status === 200);
    expect(stored.body.id).toBe(winner?.body.id);
    const audit = await admin.store.audit.list({ entity: 'config', entityId: winner?.body.id as string });
    expect(audit.map((entry) => entry.action)).toEqual(['create']);
    expect((await admin.call('DELETE', '/configs/pc-race')).status).toBe(200);
  });

  it('refuses a PUT whose body names another record than its path, and changes neither', async () => {
    const other = await admin.call('POST', '/configs', {
      body: { name: 'other', slug: 'pc-other', config: { virtual_key: 'mock' } },
    });
    expect(other.status).toBe(200);
    const before = await storeState();
    const put = await admin.call('PUT', '/configs/pc-other', { body: { slug: 'pc-base', name: 'renamed' } });
    expect(put).toMatchObject({
      status: 400,
      body: { error: { code: 'PK_ERR_INVALID_REQUEST', param: 'slug' } },
    });
    const key = await admin.call('PUT', `/api-keys/${admin.adminKeyId}`, {
      body: { id: 'user-1', name: 'renamed' },
    });
    expect(key).toMatchObject({
      status: 400,
      body: { error: { code: 'PK_ERR_INVALID_REQUEST', param: 'id' } },
    });
    const guardrail = await admin.call('PUT', '/guardrails/gr-base', {
      body: { guardrail_id: 'gr-other', name: 'x' },
    });
    expect(guardrail).toMatchObject({ status: 400, body: { error: { param: 'guardrail_id' } } });
    expect(
      (await admin.call('PUT', '/guardrails/gr-base', { body: { slug: 'gr-other', name: 'x' } })).status,
    ).toBe(400);
    expect(await storeState()).toBe(before);
    // The SDK resends the record's own slug or id (the path may give its id): that is an update.
    const own = await admin.call('PUT', `/configs/${other.body.id}`, {
      body: { slug: 'pc-other', name: 'renamed' },
    });
    expect(own.status).toBe(200);
    expect((await admin.call('GET', '/configs/pc-other')).body.name).toBe('renamed');
    const ownKey = await admin.call('PUT', '/api-keys/user-1', { body: { id: 'user-1', name: 'user' } });
    expect(ownKey.status).toBe(200);
    expect(
      (await admin.call('PUT', '/guardrails/gr-base', { body: { slug: 'gr-base', name: 'base' } })).status,
    ).toBe(200);
    expect((await admin.call('DELETE', '/configs/pc-other')).status).toBe(200);
  });

  it('refuses a feedback PUT whose body names another piece than its path', async () => {
    const saved = await admin.call('POST', '/feedback', {
      body: [
        { trace_id: 't-put', value: 1 },
        { trace_id: 't-put', value: 2 },
      ],
    });
    const [first, second] = saved.body.feedback_ids as string[];
    const put = await admin.call('PUT', `/feedback/${first}`, { body: { feedback_id: second, value: 5 } });
    expect(put).toMatchObject({
      status: 400,
      body: { error: { code: 'PK_ERR_INVALID_REQUEST', param: 'feedback_id' } },
    });
    expect((await admin.store.feedback.listByTrace('t-put')).map((piece) => piece.value).sort()).toEqual([
      1, 2,
    ]);
    expect(
      (await admin.call('PUT', `/feedback/${first}`, { body: { feedbackID: first, value: 5 } })).status,
    ).toBe(200);
  });

  it('saves 10,000 pieces of feedback sent in one request, as a script batching them does', async () => {
    const pieces = Array.from({ length: 10_000 }, (_, index) => ({
      trace_id: 'hostile-batch',
      value: index % 10,
    }));
    const saved = await admin.call('POST', '/feedback', { body: pieces });
    expect(saved.status, JSON.stringify(saved.body).slice(0, 300)).toBe(200);
    expect(saved.body.feedback_ids).toHaveLength(10_000);
  });

  it('ignores query parameters it does not know and serves huge pages as empty', async () => {
    const list = await admin.call('GET', '/configs?foo=bar&limit=-5&offset=abc');
    expect(list).toMatchObject({ status: 200, body: { object: 'list' } });
    expect(
      await admin.call('GET', '/configs?page_size=1e308&current_page=99999999999999999999'),
    ).toMatchObject({
      status: 200,
      body: { object: 'list', data: [] },
    });
  });
});
