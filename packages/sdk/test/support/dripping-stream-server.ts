import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OpenAI-shaped upstream on 127.0.0.1 that streams one chat chunk every `intervalMs`. */
export interface DrippingStreamServer {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseURL: string;
  /** Content chunks the last request was sent before its connection closed or the stream ended. */
  readonly sent: number;
  /** Whether the last request's connection closed before all its chunks were sent. */
  readonly closedEarly: boolean;
  close(): Promise<void>;
}

const sse = (delta: Record<string, unknown>, finishReason: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-drip',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;

/** Starts the server: `chunks` content chunks (" 1", " 2" …), then `[DONE]`. */
export async function startDrippingStreamServer({
  chunks = 20,
  intervalMs = 50,
} = {}): Promise<DrippingStreamServer> {
  let sent = 0;
  let closedEarly = false;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      sent = 0;
      closedEarly = false;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(sse({ role: 'assistant', content: '' }));
      const timer = setInterval(() => {
        if (sent === chunks) {
          clearInterval(timer);
          response.end(`${sse({}, 'stop')}data: [DONE]\n\n`);
          return;
        }
        sent++;
        response.write(sse({ content: ` ${sent}` }));
      }, intervalMs);
      response.on('close', () => {
        clearInterval(timer);
        if (!response.writableFinished) closedEarly = true;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get sent() {
      return sent;
    },
    get closedEarly() {
      return closedEarly;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
