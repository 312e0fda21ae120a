import { createVitestConfig } from '@pk/dev-config/vitest';

export default createVitestConfig();
