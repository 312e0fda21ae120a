import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './workspace.js';

// `.ci/summarize-tests.mjs` turns every package's Vitest JSON report into the one line CI reads and
// names what failed: a test, a file that did not load, or a file whose hook failed while every test
// in it passed (an afterAll whose close timed out), which counts as a failure of its own.
const script = join(REPO_ROOT, '.ci', 'summarize-tests.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function summarize(reports: Record<string, unknown>, commandStatus: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'pk-ci-summary-'));
  dirs.push(dir);
  for (const [name, report] of Object.entries(reports)) {
    mkdirSync(join(dir, 'packages', name), { recursive: true });
    writeFileSync(join(dir, 'packages', name, 'test-results.json'), JSON.stringify(report));
  }
  return execFileSync(process.execPath, [script, String(commandStatus)], { cwd: dir, encoding: 'utf8' });
}

const passing = {
  name: '/repo/a.test.ts',
  status: 'passed',
  assertionResults: [{ status: 'passed', fullName: 'a' }],
};

describe('the CI summary line', () => {
  it('counts passes, failures and skips over every package and names the failed test', () => {
    const out = summarize(
      {
        one: { numPassedTests: 3, numFailedTests: 0, numPendingTests: 1, testResults: [passing] },
        two: {
          numPassedTests: 1,
          numFailedTests: 1,
          testResults: [
            {
              name: '/repo/b.test.ts',
              status: 'failed',
              assertionResults: [
                { status: 'failed', fullName: 'b breaks', failureMessages: ['expected 1\nstack'] },
              ],
            },
          ],
        },
      },
      1,
    );
    expect(out).toContain('b.test.ts > b breaks: expected 1');
    expect(out.trim().split('\n').at(-1)).toBe('4 passed, 1 failed, 1 skipped');
  });

  it('names a file whose hook failed while its tests passed, and counts it as a failure', () => {
    const out = summarize(
      {
        gateway: {
          numPassedTests: 2,
          numFailedTests: 0,
          testResults: [
            {
              name: '/repo/console-api.test.ts',
              status: 'failed',
              message: 'Hook timed out in 60000ms.\nIf this is a long-running hook…',
              assertionResults: [
                { status: 'passed', fullName: 'x' },
                { status: 'passed', fullName: 'y' },
              ],
            },
          ],
        },
      },
      1,
    );
    expect(out).toContain(
      'console-api.test.ts: failed outside its tests (a hook or an unhandled error): Hook timed out in 60000ms.',
    );
    expect(out.trim().split('\n').at(-1)).toBe('2 passed, 1 failed');
  });

  it('names a file that did not load, and counts a failing step that is not a test', () => {
    const broken = summarize(
      {
        one: {
          numPassedTests: 0,
          numFailedTests: 0,
          testResults: [
            { name: '/repo/c.test.ts', status: 'failed', message: 'SyntaxError', assertionResults: [] },
          ],
        },
      },
      1,
    );
    expect(broken).toContain('c.test.ts: did not load: SyntaxError');
    const build = summarize({ one: { numPassedTests: 1, numFailedTests: 0, testResults: [passing] } }, 2);
    expect(build).toContain('a non-test step failed (exit 2)');
    expect(build.trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });
});
