import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** One file of the built console. */
export interface ConsoleAsset {
  readonly contentType: string;
  readonly body: Buffer;
  /** Content-hashed file names (`assets/index-3f2a.js`) never change: cached for a year. */
  readonly immutable: boolean;
}

/** The built console's files, found and read only when the console is first asked for. */
export interface ConsoleAssets {
  /** The file at `path` (relative, `/`-separated), `index.html` for a view's path, or undefined. */
  get(path: string): Promise<ConsoleAsset | undefined>;
}

/** Where `@pk/console`'s build output is (its `dist`), resolved at run time. */
export function defaultConsoleDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@pk/console/package.json')), 'dist');
}

async function listFiles(root: string): Promise<Set<string>> {
  const files = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.add(relative(root, path).split(sep).join('/'));
    }
  };
  await walk(root);
  return files;
}

/**
 * Serves the console's build output. Nothing is resolved, listed or read before the first request
 * (an idle gateway holds none of it); then only the listed files can be served (no path is joined
 * from the URL, so no traversal), each read from disk when asked for, the small shell cached.
 * Any other path outside `assets/` is a view (`/console/logs`, `/console/traces/a.b`): `index.html`.
 */
export function createConsoleAssets(dir: () => string = defaultConsoleDir): ConsoleAssets {
  let listing: Promise<{ root: string; files: Set<string> }> | undefined;
  let index: ConsoleAsset | undefined;
  const list = () => {
    listing ??= (async () => {
      const root = dir();
      return { root, files: await listFiles(root) };
    })();
    listing.catch(() => {
      listing = undefined;
    });
    return listing;
  };
  const read = async (root: string, file: string): Promise<ConsoleAsset> => ({
    contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    body: await readFile(join(root, ...file.split('/'))),
    immutable: file.startsWith('assets/'),
  });
  return {
    async get(path) {
      const { root, files } = await list();
      if (path !== '' && path !== 'index.html' && files.has(path)) return read(root, path);
      if (path.startsWith('assets/')) return undefined;
      if (!files.has('index.html')) return undefined;
      index ??= await read(root, 'index.html');
      return index;
    },
  };
}
