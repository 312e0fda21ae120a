import { openStore } from '@pk/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminGateway, startAdminGateway } from './support/admin-harness.js';
import { startGatewayApp } from './support/gateway-harness.js';
import { raw } from './support/raw-http.js';
import { msUntil, temporaryDataDir } from './support/store-fixtures.js';

// The console's own API on the gateway app over a real SQLite store: sign-in exchanges a gateway key
// for a session cookie that only the console's routes accept, writes need the CSRF token, other
// origins are refused, and revoking the key ends the session within a second.
let admin: AdminGateway;
let base: string;

beforeAll(async () => {
  admin = await startAdminGateway();
  base = admin.gateway.url;
});
afterAll(async () => {
  await admin?.close();
  for (const secret of [admin.adminKey, admin.userKey]) expect(admin.gateway.logs()).not.toContain(secret);
});

interface Session {
  readonly cookie: string;
  readonly csrf: string;
  readonly setCookie: string;
}

async function signIn(key: string): Promise<Session> {
  const response = await fetch(`${base}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ key }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { csrf_token: string };
  const setCookie = response.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0] ?? '', csrf: body.csrf_token, setCookie };
}

async function consoleCall(
  session: Session | undefined,
  method: string,
  path: string,
  options: { body?: unknown; csrf?: string | null; origin?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (session) headers.cookie = session.cookie;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const csrf = options.csrf === undefined ? session?.csrf : options.csrf;
  if (csrf) headers['x-pk-csrf'] = csrf;
  if (options.origin) headers.origin = options.origin;
  const response = await fetch(`${base}/console/api${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

describe('console sign-in', () => {
  it('gives an HttpOnly, SameSite=Strict cookie for /console only, 12 hours; the token is not the key', async () => {
    const session = await signIn(admin.adminKey);
    expect(session.setCookie).toMatch(
      /^pk_console=[\w-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=4319\d$/,
    );
    expect(session.setCookie).not.toContain(admin.adminKey);
    const who = await consoleCall(session, 'GET', '/session');
    expect(who.body).toMatchObject({
      signed_in: true,
      keyless: false,
      key: { id: 'admin-1', role: 'admin' },
    });
    expect(who.body.csrf_token).toBe(session.csrf);
  });

  it('refuses a wrong key and answers signed out without a cookie', async () => {
    const wrong = await consoleCall(undefined, 'POST', '/session', { body: { key: 'pk-nope' } });
    expect(wrong.status).toBe(401);
    const out = await consoleCall(undefined, 'GET', '/session');
    expect(out.body).toMatchObject({ signed_in: false, keyless: false, key: null });
    expect((await consoleCall(undefined, 'GET', '/configs')).status).toBe(401);
  });

  it('the cookie never authenticates /v1', async () => {
    const session = await signIn(admin.adminKey);
    const response = await fetch(`${base}/v1/configs`, { headers: { cookie: session.cookie } });
    expect(response.status).toBe(401);
    const chat = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBe(401);
  });

  it('serves the admin routes behind the session; writes need the CSRF token', async () => {
    const session = await signIn(admin.adminKey);
    const config = {
      strategy: { mode: 'fallback' },
      targets: [{ provider: 'openai' }, { provider: 'anthropic' }],
    };
    const noToken = await consoleCall(session, 'POST', '/configs', {
      body: { name: 'c', config },
      csrf: null,
    });
    expect(noToken.status).toBe(403);
    expect(noToken.body).toMatchObject({ error: { code: 'PK_ERR_FORBIDDEN', param: 'x-pk-csrf' } });
    const wrongToken = await consoleCall(session, 'POST', '/configs', {
      body: { name: 'c', config },
      csrf: 'x',
    });
    expect(wrongToken.status).toBe(403);
    const created = await consoleCall(session, 'POST', '/configs', { body: { name: 'console cfg', config } });
    expect(created.status).toBe(200);
    const slug = created.body.slug as string;
    // The same store and handlers as the admin API.
    const viaApi = await admin.call('GET', `/configs/${slug}`);
    expect(viaApi.body).toMatchObject({ slug, name: 'console cfg' });
    const listed = await consoleCall(session, 'GET', '/configs');
    expect(JSON.stringify(listed.body)).toContain(slug);
  });

  it('refuses other origins and cross-site fetches, before anything', async () => {
    const session = await signIn(admin.adminKey);
    const foreign = await consoleCall(session, 'GET', '/configs', { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    const response = await fetch(`${base}/console/api/configs`, {
      headers: { cookie: session.cookie, 'sec-fetch-site': 'cross-site' },
    });
    expect(response.status).toBe(403);
    const signInFromElsewhere = await consoleCall(undefined, 'POST', '/session', {
      body: { key: admin.adminKey },
      origin: 'http://evil.example',
    });
    expect(signInFromElsewhere.status).toBe(403);
  });

  it('checks a config as the editor types: parseConfig’s problems at their path', async () => {
    const session = await signIn(admin.adminKey);
    const bad = await consoleCall(session, 'POST', '/config-check', {
      body: { config: JSON.stringify({ strategy: { mode: 'single' }, targets: [{ provider: 'nope' }] }) },
    });
    expect(bad.body).toMatchObject({ ok: false, issues: [{ path: 'config.targets[0].provider' }] });
    const good = await consoleCall(session, 'POST', '/config-check', {
      body: { config: { provider: 'openai' } },
    });
    expect(good.body).toMatchObject({ ok: true, issues: [] });
    // What a save would refuse, said before saving: a virtual key that does not exist.
    const ghost = await consoleCall(session, 'POST', '/config-check', {
      body: {
        config: {
          strategy: { mode: 'fallback' },
          targets: [{ provider: 'openai' }, { virtual_key: 'nope-nope' }],
        },
      },
    });
    expect(ghost.body).toMatchObject({
      ok: false,
      issues: [{ path: 'config.targets[1].virtual_key', message: 'no virtual key has the id "nope-nope"' }],
    });
  });

  it('a user key signs in, sees the names it may use, and cannot manage', async () => {
    const session = await signIn(admin.userKey);
    expect((await consoleCall(session, 'GET', '/configs')).status).toBe(403);
    const catalog = await consoleCall(session, 'GET', '/catalog');
    expect(catalog.status).toBe(200);
    expect(catalog.body).toHaveProperty('virtual_keys');
  });

  it('a user key cannot run the config editor’s check, which would tell it which virtual keys exist', async () => {
    for (const slug of ['team-a-openai', 'team-b-openai']) {
      const created = await admin.call('POST', '/virtual-keys', {
        body: { name: slug, slug, provider: 'openai', key: `sk-${slug}` },
      });
      expect(created.status).toBe(200);
    }
    const limited = await admin.call('POST', '/api-keys/workspace/service', {
      body: { name: 'team a', workspace_id: 'team-a', virtual_keys: ['team-a-openai'] },
    });
    await admin.store.refresh();
    const session = await signIn(limited.body.key as string);
    for (const slug of ['team-b-openai', 'no-such-key']) {
      const check = await consoleCall(session, 'POST', '/config-check', {
        body: { config: { virtual_key: slug } },
      });
      expect(check.status).toBe(403);
      expect(check.body).toMatchObject({ error: { code: 'PK_ERR_FORBIDDEN', param: 'x-portkey-api-key' } });
      expect(JSON.stringify(check.body)).not.toContain(slug);
    }
    // What it may use, it is shown; the other team's key is not.
    expect((await consoleCall(session, 'GET', '/catalog')).body).toMatchObject({
      virtual_keys: ['team-a-openai'],
    });
    // An admin's editor still checks.
    const adminCheck = await consoleCall(await signIn(admin.adminKey), 'POST', '/config-check', {
      body: { config: { virtual_key: 'no-such-key' } },
    });
    expect(adminCheck.body).toMatchObject({ ok: false, issues: [{ path: 'config.virtual_key' }] });
  });

  it('signs out: the cookie is cleared and the session is gone', async () => {
    const session = await signIn(admin.adminKey);
    const response = await fetch(`${base}/console/api/session`, {
      method: 'DELETE',
      headers: { cookie: session.cookie, 'x-pk-csrf': session.csrf },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^pk_console=; .*Max-Age=0/);
    expect((await consoleCall(session, 'GET', '/configs')).status).toBe(401);
  });

  it('ends within a second when its key is revoked', async () => {
    const key = await admin.store.gatewayKeys.create({ name: 'short-lived', role: 'admin' }, 'cli');
    await admin.store.refresh();
    const session = await signIn(key.secret);
    expect((await consoleCall(session, 'GET', '/configs')).status).toBe(200);
    const revoked = await admin.call('DELETE', `/api-keys/${key.record.id}`);
    expect(revoked.status).toBe(200);
    const ms = await msUntil(
      async () => (await consoleCall(session, 'GET', '/configs')).status === 401,
      1000,
    );
    expect(ms).toBeLessThan(1000);
    expect((await consoleCall(session, 'GET', '/session')).body).toMatchObject({ signed_in: false });
  });
});

describe('console page', () => {
  it('is served with a CSP that allows no inline script and no other host', async () => {
    const response = await fetch(`${base}/console/logs?model=x`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await response.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}${script}`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/console/assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/console/assets/nope.js`)).status).toBe(404);
  });
});

describe('the zero-setup loopback default (no key yet)', () => {
  it('opens the console without sign-in; the management views say how to create an admin key', async () => {
    const dataDir = temporaryDataDir();
    const store = await openStore({ dataDir: dataDir.path, onWarning: () => undefined });
    const gateway = await startGatewayApp({}, {}, { store });
    try {
      const session = await fetch(`${gateway.url}/console/api/session`);
      expect(await session.json()).toMatchObject({
        signed_in: true,
        keyless: true,
        key: null,
        csrf_token: 'keyless',
      });
      const configs = await fetch(`${gateway.url}/console/api/configs`);
      expect(configs.status).toBe(401);
      expect(JSON.stringify(await configs.json())).toContain('pk init');
      // Writes still need the (keyless) CSRF header, so no other site can post a form here.
      const check = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"config":{}}',
      };
      expect((await fetch(`${gateway.url}/console/api/config-check`, check)).status).toBe(403);
      const withToken = await fetch(`${gateway.url}/console/api/config-check`, {
        ...check,
        headers: { ...check.headers, 'x-pk-csrf': 'keyless' },
      });
      expect(withToken.status).toBe(200);
      // A name other than loopback gets nothing (DNS rebinding), as on /v1.
      const port = Number(new URL(gateway.url).port);
      const rebound = await raw(
        port,
        'GET /console/api/session HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
      );
      expect(rebound.body).toMatchObject({ keyless: false, signed_in: false });
      const logs = await raw(
        port,
        'GET /console/api/catalog HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
      );
      expect(logs.status).toBe(403);
    } finally {
      await gateway.close();
      await store.close();
      dataDir.remove();
    }
  });
});
