// Adds up the Vitest JSON reports (`test-results.json`, written when CI=true) of every package
// into the one plain line CI reads: `N passed, N failed[, N skipped]`. A failing step that is not a
// test (install, build, type-check, lint, format) counts as one failure so the line never hides it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const commandStatus = Number(process.argv[2] ?? '0');
let passed = 0;
let failed = 0;
let skipped = 0;
let reports = 0;
const failures = [];
for (const group of ['packages', 'apps', 'tooling', 'examples']) {
  if (!existsSync(group)) continue;
  for (const entry of readdirSync(group)) {
    const file = join(group, entry, 'test-results.json');
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    reports += 1;
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A test file that failed to load has no tests but still failed; one whose hook failed has only
    // passing tests but still failed.
    for (const suite of report.testResults ?? []) {
      const file = String(suite.name ?? '').replace(`${process.cwd()}/`, '');
      const results = suite.assertionResults ?? [];
      if (suite.status === 'failed' && results.length === 0) {
        failed += 1;
        failures.push(`${file}: did not load: ${firstLine(suite.message)}`);
      } else if (suite.status === 'failed' && !results.some((test) => test.status === 'failed')) {
        // Every test passed but the file failed: a hook (beforeAll/afterAll, a close that timed out)
        // or an error thrown between tests. It counts as one failure, named with its message.
        failed += 1;
        failures.push(
          `${file}: failed outside its tests (a hook or an unhandled error): ${firstLine(suite.message)}`,
        );
      }
      for (const test of suite.assertionResults ?? []) {
        if (test.status === 'failed') {
          failures.push(`${file} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
        }
      }
    }
  }
}
if (commandStatus !== 0 && failed === 0) {
  console.log(`a non-test step failed (exit ${commandStatus}); see the output above`);
  failed = 1;
}
// The failed tests are named last, next to the count, so a log cut to its tail still says which.
if (failures.length > 0) {
  console.log('failed tests:');
  for (const failure of failures) console.log(`  ${failure}`);
}
console.log(`(${reports} package reports)`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);

function firstLine(text) {
  return String(text ?? '')
    .split('\n')[0]
    .slice(0, 300);
}
