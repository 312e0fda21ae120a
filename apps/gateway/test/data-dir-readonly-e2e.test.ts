import { readOnlyVolume } from '@pk/dev-config/read-only-volume';
import { describe, expect, it } from 'vitest';
import { runGatewayExpectingExit } from './server-process.js';

// PK_DATA_DIR on a read-only volume (a tmpfs mounted read-only: root cannot write it either).
// Skipped where this process may not mount.
const { path: parent, mounted } = readOnlyVolume('pk-readonly-volume-');

describe.runIf(mounted)('a gateway whose PK_DATA_DIR is not writable', () => {
  it('exits 1 saying the folder is not writable and what to do', async () => {
    const { code, output } = await runGatewayExpectingExit({ PK_DATA_DIR: parent });
    expect(code).toBe(1);
    expect(output).toContain(
      `pk gateway: the data directory ${parent} (PK_DATA_DIR) is not writable (EROFS)`,
    );
    expect(output).toContain('set PK_DATA_DIR to a folder it can write');
    expect(output).not.toContain('unable to open database file');
  });
});
