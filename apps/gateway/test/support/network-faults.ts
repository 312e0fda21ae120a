import { createServer as createNetServer } from 'node:net';

// Connection faults for the feature suite: a server that resets, a port that refuses.

/** A TCP server that resets every connection as soon as a request arrives; counts the connections. */
export interface ResettingServer {
  readonly url: string;
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts a {@link ResettingServer} on 127.0.0.1. */
export async function startResettingServer(): Promise<ResettingServer> {
  let connections = 0;
  const server = createNetServer((socket) => {
    connections += 1;
    socket.once('data', () => socket.resetAndDestroy());
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port on 127.0.0.1 that nothing listens on (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
