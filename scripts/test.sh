#!/usr/bin/env bash
# `pnpm test`: build, type-check and lint, every package's tests, then the format check; each phase
# runs even if an earlier one failed, and the command fails if any did (decision 0001, "Test order").
set -u
cd "$(dirname "$0")/.."

# Type-check and lint beside the builds. Not beside the package suites: those keep both cores busy
# too, and the CLI's suite, which starts processes, took 314 s there instead of 129 s.
turbo run build type-check lint --continue
checks_status=$?

turbo run test --filter='!@pk/gateway' --concurrency=2 --only --continue
packages_status=$?

# The gateway's suite last: a third of its files time what they measure.
turbo run test --filter=@pk/gateway --continue
gateway_status=$?

biome ci .
format_status=$?

exit $((checks_status | packages_status | gateway_status | format_status))
