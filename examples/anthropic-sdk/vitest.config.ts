import { createVitestConfig } from '@pk/dev-config/vitest';

export default createVitestConfig({ testTimeout: 20_000 });
