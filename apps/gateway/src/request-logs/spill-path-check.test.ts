import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readOnlyVolume } from '@pk/dev-config/read-only-volume';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogStoreOptions } from './log-store-options.js';
import { checkSpillPath } from './spill-path-check.js';

const folder = mkdtempSync(join(tmpdir(), 'pk-spill-path-'));
const readOnly = readOnlyVolume('pk-spill-path-ro-');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('PK_LOG_SPILL_PATH', () => {
  it('is unset by default, resolved when relative, and must name a file', () => {
    expect(readLogStoreOptions({}).spillPath).toBeUndefined();
    expect(readLogStoreOptions({ PK_LOG_SPILL_PATH: '' }).spillPath).toBeUndefined();
    expect(readLogStoreOptions({ PK_LOG_SPILL_PATH: '/var/lib/pk/spill.jsonl' }).spillPath).toBe(
      '/var/lib/pk/spill.jsonl',
    );
    expect(readLogStoreOptions({ PK_LOG_SPILL_PATH: 'spill/records.jsonl' }).spillPath).toBe(
      resolve('spill/records.jsonl'),
    );
    expect(() => readLogStoreOptions({ PK_LOG_SPILL_PATH: '/var/lib/pk/' })).toThrow(
      'PK_LOG_SPILL_PATH must name a file (/var/lib/pk/request-log-spill.jsonl), got "/var/lib/pk/"',
    );
  });

  it('takes a file that exists or not yet, in folders the append creates', async () => {
    await expect(checkSpillPath(join(folder, 'spill.jsonl'))).resolves.toBeUndefined();
    await expect(checkSpillPath(join(folder, 'a', 'b', 'spill.jsonl'))).resolves.toBeUndefined();
    writeFileSync(join(folder, 'kept.jsonl'), '');
    await expect(checkSpillPath(join(folder, 'kept.jsonl'))).resolves.toBeUndefined();
  });

  it('refuses a folder, and a path under a file, saying what to do', async () => {
    await expect(checkSpillPath(folder)).rejects.toThrow(
      `PK_LOG_SPILL_PATH ${folder} is a folder: request log records the store refuses at shutdown could not be kept there. ` +
        'Name a file in a folder the gateway can write, or leave PK_LOG_SPILL_PATH unset (PK_DATA_DIR/request-log-spill.jsonl)',
    );
    writeFileSync(join(folder, 'plain'), '');
    await expect(checkSpillPath(join(folder, 'plain', 'spill.jsonl'))).rejects.toThrow(
      `is under ${join(folder, 'plain')}, which is not a folder`,
    );
  });

  it.runIf(readOnly.mounted)(
    'refuses a path on a read-only volume (root cannot write it either)',
    async () => {
      await expect(checkSpillPath(join(readOnly.path, 'spill.jsonl'))).rejects.toThrow(
        `PK_LOG_SPILL_PATH ${join(readOnly.path, 'spill.jsonl')} is not writable (${readOnly.path}: EROFS)`,
      );
    },
  );
});
