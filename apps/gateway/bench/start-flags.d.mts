/** The flags a package.json's start script gives `node` (the `--` words after its last `node`). */
export declare function startScriptNodeFlags(packageJson: URL): string[];
/** The V8 flags `pnpm start` runs the gateway with (its start script; see the gateway README, "Memory"). */
export declare const PK_NODE_FLAGS: readonly string[];
