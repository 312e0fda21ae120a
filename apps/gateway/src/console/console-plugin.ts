import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendPkError } from '../plugins/error-envelope.js';
import { type ConsoleApiOptions, consoleApi } from './console-api.js';
import { type ConsoleAssets, createConsoleAssets } from './console-assets.js';
import { CONSOLE_SECURITY_HEADERS } from './console-headers.js';

/** Where the console is served. */
export const CONSOLE_PREFIX = '/console';

/** What the console needs: its API's (absent without a data store) and where its files are. */
export interface ConsoleOptions {
  readonly api: ConsoleApiOptions | undefined;
  /** The built console's files (default: `@pk/console`'s `dist`, resolved on the first request). */
  readonly assets?: ConsoleAssets;
}

/**
 * Sends the console file at `path`; false when there is none. A boolean, not the reply: a fastify
 * reply is a thenable, so an async function returning it resolves to what it settles with
 * (`undefined`), and the caller then took a served file for a missing one and answered again.
 */
async function sendAsset(assets: ConsoleAssets, path: string, reply: FastifyReply): Promise<boolean> {
  let asset: Awaited<ReturnType<ConsoleAssets['get']>>;
  try {
    asset = await assets.get(path);
  } catch {
    asset = undefined;
  }
  if (!asset) return false;
  reply
    .type(asset.contentType)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .send(asset.body);
  return true;
}

/**
 * The console at `/console`: its page and assets (from `@pk/console`'s build, nothing read before the
 * first request), and its API at `/console/api` (see `consoleApi`). Every answer carries the
 * console's Content-Security-Policy. The access guard leaves `/console` to this plugin.
 */
export async function consolePlugin(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const assets = options.assets ?? createConsoleAssets();
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(CONSOLE_SECURITY_HEADERS);
    return payload;
  });
  if (options.api) {
    await app.register(consoleApi, { ...options.api, prefix: '/api' });
  }
  const serve = async (
    path: string,
    reply: FastifyReply,
    request: Parameters<typeof sendPkError>[1],
  ): Promise<FastifyReply> => {
    if (await sendAsset(assets, path, reply)) return reply;
    return sendPkError(
      reply,
      request,
      'PK_ERR_NOT_FOUND',
      path.startsWith('assets/') || path === ''
        ? `no console file ${JSON.stringify(path)} (is @pk/console built? run pnpm build)`
        : `no console file ${JSON.stringify(path)}`,
    );
  };
  app.get('/', async (request, reply) => serve('', reply, request));
  app.get<{ Params: { '*': string } }>('/*', async (request, reply) => {
    const path = request.params['*'];
    if (path === 'api' || path.startsWith('api/')) {
      return sendPkError(reply, request, 'PK_ERR_NOT_FOUND', `no console API route /console/${path}`);
    }
    return serve(path, reply, request);
  });
}
