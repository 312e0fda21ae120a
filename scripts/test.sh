#!/usr/bin/env bash
# `pnpm test`: build, type-check, lint, every package's tests, then the format check; each phase runs
# even if an earlier one failed, and the command fails if any did (decision 0001, "Test order").
set -u
cd "$(dirname "$0")/.."

turbo run build --continue
build_status=$?

# Type-check and lint need only the builds; they use both cores for about 100 s, while the package
# suites below mostly wait on PostgreSQL, npm and the processes they start. So they run beside those
# suites, at a lower priority so a suite's timed work comes first, and their output is shown after.
checks_log=$(mktemp -t pk-checks.XXXXXX)
(
  nice -n 10 turbo run type-check lint --only --continue --output-logs=errors-only >"$checks_log" 2>&1
  echo $? >"$checks_log.status"
) &
checks_pid=$!

turbo run test --filter='!@pk/gateway' --concurrency=2 --only --continue
packages_status=$?

wait "$checks_pid"
checks_status=$(cat "$checks_log.status" 2>/dev/null || echo 1)
echo "--- type-check and lint (ran beside the package suites) ---"
cat "$checks_log"
rm -f "$checks_log" "$checks_log.status"

# The gateway's suite last, alone: a third of its files time what they measure.
turbo run test --filter=@pk/gateway --continue
gateway_status=$?

biome ci .
format_status=$?

exit $((build_status | checks_status | packages_status | gateway_status | format_status))
