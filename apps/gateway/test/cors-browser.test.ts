import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests, launchChromium } from './support/browser.js';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { chatChunks, chatCompletion, MOCK_ANSWER } from './support/provider-answers.js';

// A web page on another origin calling the BUILT gateway with the official `openai` SDK, in Chromium
// (the page's script: `__fixtures__/openai-sdk-page.mjs`):
// the browser enforces CORS (a Node client would not), so what the page's code can read of an
// answer is what the gateway exposes. The SDK's own files are served to the page as they are
// installed (its ES modules import nothing outside the package).
const chromiumPath = chromiumForTests('CORS browser tests');
const run = chromiumPath !== undefined;

const OPENAI_DIR = dirname(createRequire(import.meta.url).resolve('openai'));
const PAGE_SCRIPT = new URL('__fixtures__/openai-sdk-page.mjs', import.meta.url).pathname;
const PROVIDER_KEY = 'sk-browser-page-0123456789';
const UPSTREAM_REQUEST_ID = 'req_9f2c61a0b7d54e3c8a1f0e2d3c4b5a69';

/** OpenAI's quota headers on every answer, as its API sends them. */
const RATE_LIMIT_HEADERS = {
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '200000',
  'x-ratelimit-remaining-tokens': '199970',
  'x-ratelimit-reset-tokens': '9ms',
};

interface Received {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: { model?: string; stream?: boolean };
}

/** OpenAI's chat API on 127.0.0.1: answers, streams, or (model `busy`) a 429, with OpenAI's headers. */
function startOpenAIMock(received: Received[]): Promise<Server> {
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (piece: string) => {
      text += piece;
    });
    request.on('end', () => {
      const body = JSON.parse(text) as Received['body'];
      received.push({ url: request.url ?? '', headers: request.headers, body });
      const headers = {
        ...RATE_LIMIT_HEADERS,
        'x-request-id': UPSTREAM_REQUEST_ID,
        'openai-processing-ms': '212',
      };
      if (body.model === 'busy') {
        response.writeHead(429, { ...headers, 'content-type': 'application/json', 'retry-after': '1' });
        response.end(
          JSON.stringify({
            error: {
              message: 'Rate limit reached for requests',
              type: 'requests',
              param: null,
              code: 'rate_limit_exceeded',
            },
          }),
        );
        return;
      }
      if (body.stream === true) {
        response.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
        for (const frame of chatChunks(body.model ?? 'gpt-4o-mini')) response.write(`data: ${frame}\n\n`);
        response.end();
        return;
      }
      response.writeHead(200, { ...headers, 'content-type': 'application/json' });
      response.end(JSON.stringify(chatCompletion(body.model ?? 'gpt-4o-mini')));
    });
  });
  return listen(server);
}

/** The page's origin: the page and its script, and the installed `openai` package's files under `/openai/`. */
function startPageServer(): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        '<!doctype html><html lang="en"><title>page</title><script type="module" src="/page.mjs"></script></html>',
      );
      return;
    }
    if (path === '/page.mjs') {
      readFile(PAGE_SCRIPT).then((source) =>
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(source),
      );
      return;
    }
    const file = normalize(join(OPENAI_DIR, path.replace(/^\/openai\//, '')));
    if (!path.startsWith('/openai/') || !file.startsWith(`${OPENAI_DIR}/`) || !file.endsWith('.mjs')) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (source) => response.writeHead(200, { 'content-type': 'text/javascript' }).end(source),
      () => response.writeHead(404).end(),
    );
  });
  return listen(server);
}

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** What the page's code read of one call, answer or error. */
interface PageRead {
  readonly content?: string;
  readonly requestId?: string | null;
  readonly status?: number;
  readonly errorType?: string;
  readonly headers: Record<string, string | null>;
}

describe.runIf(run)(
  'a web page on another origin using the openai SDK through the gateway (Chromium)',
  () => {
    const received: Received[] = [];
    let mock: Server;
    let pageServer: Server;
    let gateway: FeatureGateway;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      mock = await startOpenAIMock(received);
      pageServer = await startPageServer();
      gateway = await startFeatureGateway({
        settings: {
          allowed_origins: [urlOf(pageServer)],
          virtual_keys: {
            web: { provider: 'openai', api_key: PROVIDER_KEY, options: { custom_host: `${urlOf(mock)}/v1` } },
          },
        },
      });
      browser = await launchChromium(chromiumPath as string);
      page = await browser.newPage();
      await page.goto(`${urlOf(pageServer)}/`);
      await page.waitForFunction('window.ready === true');
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await gateway?.stop();
      await Promise.all([mock, pageServer].map((server) => new Promise((resolve) => server?.close(resolve))));
    });

    /** Runs one chat call in the page with the official SDK (`__fixtures__/openai-sdk-page.mjs`). */
    const callInPage = (options: { model: string; stream: boolean }): Promise<PageRead> =>
      page.evaluate(
        `window.callChat(${JSON.stringify({ base: gateway.base, ...options })})`,
      ) as Promise<PageRead>;

    it('reads the answer, the provider’s request id and quota, and the x-portkey-* headers', async () => {
      const answer = await callInPage({ model: 'gpt-4o-mini', stream: false });
      expect(answer).toMatchObject({
        content: MOCK_ANSWER,
        requestId: UPSTREAM_REQUEST_ID,
        headers: {
          'x-portkey-provider': 'openai',
          'x-request-id': UPSTREAM_REQUEST_ID,
          'openai-processing-ms': '212',
          'x-ratelimit-remaining-requests': '9999',
          'x-ratelimit-reset-tokens': '9ms',
        },
      });
      expect(answer.headers['x-portkey-trace-id']).toMatch(/\S/);
      // The upstream got the virtual key's secret, not what the page holds.
      expect(received.at(-1)).toMatchObject({ url: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
      expect(received.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    });

    it('reads them on a stream, and on a 429 the SDK’s RateLimitError carries the request id and retry hints', async () => {
      const streamed = await callInPage({ model: 'gpt-4o-mini', stream: true });
      expect(streamed).toMatchObject({
        content: MOCK_ANSWER,
        requestId: UPSTREAM_REQUEST_ID,
        headers: { 'x-ratelimit-remaining-requests': '9999', 'x-portkey-provider': 'openai' },
      });
      expect(received.at(-1)?.body.stream).toBe(true);

      const refused = await callInPage({ model: 'busy', stream: false });
      expect(refused).toMatchObject({
        status: 429,
        errorType: 'RateLimitError',
        requestId: UPSTREAM_REQUEST_ID,
        headers: { 'retry-after': '1', 'x-ratelimit-remaining-requests': '9999' },
      });
      expect(received.at(-1)?.body.model).toBe('busy');
    });
  },
);
