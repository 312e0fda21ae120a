import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type AppDependencies, buildApp } from '../../src/app.js';
import { closeAppPromptly } from '../../src/close-app.js';
import { resolveSettings } from '../../src/settings/load-settings.js';
import { createOutputLines, type OutputLines } from './output-lines.js';

/**
 * A gateway on a real port of 127.0.0.1, with every log line it writes kept for inspection. A
 * request's line is written after its answer: wait for it with `waitForLine`.
 */
export interface RunningGateway
  extends Pick<OutputLines, 'lines' | 'lineCount' | 'waitForLine' | 'waitForLines'> {
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every log line so far, as text. */
  logs(): string;
  close(): Promise<void>;
}

/** Starts the gateway app (built as `server.ts` builds it) with the given settings. */
export async function startGatewayApp(
  settingsInput: unknown,
  env: Record<string, string> = {},
  dependencies: Omit<AppDependencies, 'settings' | 'logger'> = {},
): Promise<RunningGateway> {
  const output = createOutputLines();
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      output.append(chunk.toString());
      callback();
    },
  });
  const app = await buildApp({
    ...dependencies,
    settings: resolveSettings(settingsInput, { env, files: new Map() }),
    logger: { level: 'info', stream },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    logs: output.text,
    lines: output.lines,
    lineCount: output.lineCount,
    waitForLine: output.waitForLine,
    waitForLines: output.waitForLines,
    async close() {
      // As the gateway closes: a connection the client's pool opened and never used is ended too.
      await closeAppPromptly(app);
      output.end('the gateway app closed');
    },
  };
}
