// Store contract suites, fake clock and seeded random for tests of code built on @pk/config.
export {
  type ContractTestApi,
  describeBreakerStoreContract,
  describeInspectableBreakerStoreContract,
  type MakeBreakerStore,
  type MakeInspectableBreakerStore,
} from './breaker-store-contract.js';
export { describeCacheStoreContract, type MakeCacheStore } from './cache-store-contract.js';
export { createFakeClock, type FakeClock, type FakeClockOptions } from './fake-clock.js';
export { type GroupSpec, group, type LeafSpec, leaf, type PlanOfOptions, planOf } from './plan-builders.js';
export {
  createScriptedAttempt,
  type ScriptedAttempt,
  type ScriptedCall,
  type ScriptStep,
} from './scripted-attempt.js';
export { createSeededRandom } from './seeded-random.js';
