import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

async function bodyOf(request: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  return Buffer.concat(pieces).toString('utf8');
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One call a mock received. */
export interface ReceivedCall {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/**
 * A guardrail webhook on 127.0.0.1 that answers as its path says: `/pass` `{verdict:true}`,
 * `/fail` `{verdict:false}`, `/boom` 500, `/garbage` HTML, `/hang` never (until closed).
 */
export async function startMockWebhook(): Promise<{
  url: string;
  calls: ReceivedCall[];
  close(): Promise<void>;
}> {
  const calls: ReceivedCall[] = [];
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const path = request.url ?? '/';
    calls.push({ path, headers: request.headers, body });
    if (path === '/hang') return; // never answers: the gateway's timeout must end the call
    if (path === '/boom')
      return void response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
    if (path === '/garbage')
      return void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    const verdict = path === '/pass';
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ verdict, data: { reason: verdict ? 'ok' : 'policy says no' } }));
  });
  const url = await listen(server);
  return {
    url,
    calls,
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const CREATED = 1_731_000_000;

function chunkFrame(delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-held',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'gpt-4o-mini',
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  })}\n\n`;
}

/**
 * An OpenAI upstream that streams `pieces` in OpenAI's chunk format, but holds every piece after
 * the first two until {@link release} is called: a test calls it only once its client has
 * received what it expects from the first two, so a gateway that buffered the stream never gets
 * the rest and the test fails instead of passing.
 */
export async function startGatedStreamUpstream(pieces: readonly string[]): Promise<{
  url: string;
  release(): void;
  /** Whether the pieces after the gate were sent, and when (ms since the epoch). */
  releasedAt(): number | undefined;
  close(): Promise<void>;
}> {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let releasedAt: number | undefined;
  const server = createServer(async (request, response) => {
    await bodyOf(request);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.write(chunkFrame({ role: 'assistant', content: '' }));
    response.write(chunkFrame({ content: pieces[0] }));
    response.write(chunkFrame({ content: pieces[1] }));
    // Bounded wait: a gateway that holds everything back makes the test fail on its own assertion.
    await Promise.race([gate, new Promise((resolve) => setTimeout(resolve, 5000))]);
    releasedAt = Date.now();
    for (const piece of pieces.slice(2)) response.write(chunkFrame({ content: piece }));
    response.write(chunkFrame({}, 'stop'));
    response.end('data: [DONE]\n\n');
  });
  const url = await listen(server);
  return {
    url,
    release: () => release(),
    releasedAt: () => releasedAt,
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
