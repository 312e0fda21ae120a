import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/** One HTTP answer as a test reads it: status, trace id and the body (parsed when it is JSON). */
export interface Answer {
  status: number;
  traceId: string | null;
  body: unknown;
  /** Response headers, lower-case (raw-socket answers only carry what was parsed). */
  headers?: Record<string, string>;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Splits the bytes of one connection into HTTP/1.1 responses (each framed by `content-length`, or
 * running to the end of the bytes without one).
 */
export function parseResponses(bytes: Buffer): Answer[] {
  const answers: Answer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const headEnd = bytes.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) break;
    const head = bytes.subarray(offset, headEnd).toString('latin1');
    const [statusLine = '', ...lines] = head.split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStart = headEnd + 4;
    const length = headers['content-length'];
    const bodyEnd = length === undefined ? bytes.length : bodyStart + Number(length);
    answers.push({
      status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
      traceId: headers['x-portkey-trace-id'] ?? null,
      body: parseBody(bytes.subarray(bodyStart, bodyEnd).toString('utf8')),
      headers,
    });
    offset = bodyEnd;
  }
  return answers;
}

/**
 * Sends `bytes` on a fresh socket and parses every response until the server closes it (the last
 * request should say `connection: close`). The socket is not half-closed: Node's HTTP server takes a
 * client's FIN as the client leaving and aborts requests still in flight.
 */
export function rawExchange(port: number, bytes: string | Buffer): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseResponses(Buffer.concat(chunks))));
    socket.write(bytes);
  });
}

/** Sends raw bytes on a fresh socket and answers with the first response. */
export async function raw(port: number, bytes: string | Buffer): Promise<Answer> {
  const [first] = await rawExchange(port, bytes);
  return first ?? { status: 0, traceId: null, body: '' };
}

/**
 * Uploads `totalBytes` of body through `node:http` (a real client, writing 1 MiB at a time and
 * honouring back-pressure), with `content-length` or chunked, and answers with the response once
 * the request has closed. Rejects with the socket error (`EPIPE`, `ECONNRESET`) when the server
 * closes the connection under the upload. (Node's client stops uploading by itself once it has a
 * complete `connection: close` response.)
 */
export function upload(
  port: number,
  path: string,
  headers: Record<string, string>,
  totalBytes: number,
  framing: 'content-length' | 'chunked',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      agent: false,
      headers: {
        ...headers,
        ...(framing === 'content-length' ? { 'content-length': String(totalBytes) } : {}),
      },
    });
    let answer: Answer | undefined;
    let failed = false;
    request.on('error', (error) => {
      failed = true;
      reject(error);
    });
    request.on('close', () => {
      if (failed) return;
      if (answer) resolve(answer);
      else reject(new Error('the connection closed before a complete response'));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        answer = {
          status: response.statusCode ?? 0,
          traceId: (response.headers['x-portkey-trace-id'] as string | undefined) ?? null,
          body: parseBody(Buffer.concat(chunks).toString('utf8')),
        };
      });
    });
    // The body is never read as JSON: it is over the limit, and only its size matters.
    const piece = Buffer.alloc(1024 * 1024, 'x');
    let sent = 0;
    const writeMore = (): void => {
      while (sent < totalBytes && !request.destroyed) {
        const size = Math.min(piece.length, totalBytes - sent);
        sent += size;
        if (!request.write(size === piece.length ? piece : piece.subarray(0, size))) {
          request.once('drain', writeMore);
          return;
        }
      }
      if (!request.destroyed) request.end();
    };
    writeMore();
  });
}
