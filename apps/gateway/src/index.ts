export { type AppDependencies, buildApp } from './app.js';
export { createShutdownState, type ShutdownState } from './plugins/shutdown.js';
export {
  defaultSettings,
  type GatewayKey,
  type GatewaySettings,
  loadSettingsFile,
  resolveSettings,
  SettingsError,
  type VirtualKey,
} from './settings/load-settings.js';
export { settingsJsonSchema } from './settings/settings-json-schema.js';
