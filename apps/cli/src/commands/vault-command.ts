import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { line, printJson } from '../output.js';
import { progressOn } from '../progress.js';

/**
 * `pk vault rotate`: re-encrypts every stored secret under the newest master key of PK_MASTER_KEY,
 * in the data store directly, in one transaction, with progress on stderr.
 */
export function registerVault(program: Command, context: CommandContext): void {
  const vault = program
    .command('vault')
    .description('the vault that encrypts provider secrets in the data store');
  vault
    .command('rotate')
    .description(
      're-encrypt every stored secret under the newest key of PK_MASTER_KEY (keys newest first, comma-separated); afterwards the older keys can be dropped',
    )
    .action(async () => {
      const output = context.output();
      const { openStoreFromEnvironment, storeLocationOf } = await import('../open-store-from-environment.js');
      output.stderr.write(`opening ${storeLocationOf(context.env)}…\n`);
      const store = await openStoreFromEnvironment(context.env, (message) =>
        output.stderr.write(`pk: ${message}\n`),
      );
      try {
        const result = await store.vault.rotate('cli', {
          onProgress: progressOn(output.stderr, 're-encrypting'),
        });
        const keys = store.vault.keyIds;
        if (result.reencrypted > 0) output.stderr.write(replicaWarning(result.keyId));
        if (output.json) {
          printJson(output, { key_id: result.keyId, reencrypted: result.reencrypted, key_ring: keys.all });
          return;
        }
        line(
          output,
          `re-encrypted ${result.reencrypted} secret${result.reencrypted === 1 ? '' : 's'} under master key ${result.keyId}`,
        );
        if (keys.all.length > 1) {
          line(
            output,
            `every secret now needs only ${result.keyId}: the other keys may be removed from PK_MASTER_KEY`,
          );
        }
      } finally {
        await store.close();
      }
    });
}

/**
 * What a rotation means for gateways already running: one without the new key in its key ring can
 * no longer decrypt the re-encrypted secrets (it answers 503 PK_ERR_VIRTUAL_KEY_UNREADABLE).
 */
function replicaWarning(keyId: string): string {
  return (
    `pk: warning: every running gateway must already have master key ${keyId} in its PK_MASTER_KEY ` +
    '(restarted with new,old before this rotation); one that lacks it cannot decrypt these secrets and ' +
    'answers 503 PK_ERR_VIRTUAL_KEY_UNREADABLE until it is restarted with the new key\n'
  );
}
