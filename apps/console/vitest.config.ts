import { createVitestConfig } from '@pk/dev-config/vitest';
import { mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.js';

// The build's JSX settings, the workspace's reporters (a JSON report in CI), a DOM for components.
export default mergeConfig(
  viteConfig,
  mergeConfig(createVitestConfig({ include: ['src/**/*.test.{ts,tsx}'] }), {
    test: { environment: 'happy-dom' },
  }),
);
