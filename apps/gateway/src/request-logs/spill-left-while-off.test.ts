import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spillLeftWhileOffWarning } from './spill-left-while-off.js';

const directory = mkdtempSync(join(tmpdir(), 'pk-spill-off-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('spillLeftWhileOffWarning', () => {
  it('names the file and its lines, and that they wait for the log store', async () => {
    const path = join(directory, 'request-log-spill.jsonl');
    writeFileSync(path, '{"id":"log_1"}\n{"id":"log_2"}\n{"id":"log_bro');
    expect(await spillLeftWhileOffWarning(path)).toBe(
      `request log spill ${path} holds 3 lines of records the store refused at an earlier shutdown; ` +
        'PK_LOG_STORE=off: not replayed now, it will be when the gateway starts with the log store on',
    );
  });

  it('says nothing without a file, or of an empty one', async () => {
    expect(await spillLeftWhileOffWarning(join(directory, 'none.jsonl'))).toBeUndefined();
    const empty = join(directory, 'empty.jsonl');
    writeFileSync(empty, '\n');
    expect(await spillLeftWhileOffWarning(empty)).toBeUndefined();
  });
});
