// The V8 flags `pnpm start` gives node, read from a package.json's start script: one parser for the
// benches, the soak and the tests, so each starts the gateway as users do.
import { readFileSync } from 'node:fs';

/** The flags a package.json's start script gives `node` (the `--` words after its last `node`). */
export function startScriptNodeFlags(packageJson) {
  const words = JSON.parse(readFileSync(packageJson, 'utf8')).scripts.start.split(' ');
  return words.slice(words.lastIndexOf('node') + 1).filter((word) => word.startsWith('--'));
}

/** The V8 flags `pnpm start` runs the gateway with (its start script; see the gateway README, "Memory"). */
export const PK_NODE_FLAGS = Object.freeze(startScriptNodeFlags(new URL('../package.json', import.meta.url)));
