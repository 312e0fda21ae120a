// The bench's reference: a bare fastify + undici proxy with no gateway logic. It forwards the body
// (as bytes: no JSON parse), the content type and the authorization to the `x-portkey-custom-host`
// the request names, and streams the upstream's answer back (status, content type, body). No
// validation, no logging, no headers of its own: what any proxy in front of a provider must do at the
// least, so pk's CPU per request can be stated as a ratio to it.
//
// As a process: `node bare-proxy.mjs` prints `bare proxy listening on http://127.0.0.1:<port>`.
import Fastify from 'fastify';
import { Pool } from 'undici';

const pools = new Map();
function poolOf(origin) {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 128, pipelining: 1 });
    pools.set(origin, pool);
  }
  return pool;
}

const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, bytes, done) => done(null, bytes));

const proxy = async (request, reply) => {
  const base = new URL(request.headers['x-portkey-custom-host']);
  const upstream = await poolOf(base.origin).request({
    path: `${base.pathname.replace(/\/$/, '')}${request.url.replace(/^\/v1/, '')}`,
    method: 'POST',
    headers: {
      'content-type': request.headers['content-type'],
      authorization: request.headers.authorization,
    },
    body: request.body,
  });
  reply.code(upstream.statusCode);
  reply.header('content-type', upstream.headers['content-type']);
  return reply.send(upstream.body);
};
app.post('/v1/chat/completions', proxy);
app.post('/v1/embeddings', proxy);

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`bare proxy listening on http://127.0.0.1:${app.server.address().port}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
