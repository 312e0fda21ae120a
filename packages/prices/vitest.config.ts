import { createVitestConfig } from '@pk/dev-config/vitest';

// Pure units with no module mocks or global stubs: files share loaded modules (isolating each
// file reloads them, most of this suite's time).
export default createVitestConfig({ isolate: false });
