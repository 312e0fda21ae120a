import { type Catalog, createStaticCatalog, type SettingsRecords } from '@pk/store';
import type { GatewaySettings } from './load-settings.js';

/** The settings file's keys, virtual keys and configs as the store's read-only, file-managed records. */
export function settingsRecordsOf(settings: GatewaySettings, source: string): SettingsRecords {
  return {
    source,
    gatewayKeys: settings.gatewayKeys,
    virtualKeys: [...settings.virtualKeys.values()],
    configs: [...settings.configs.values()],
    guardrails: [...settings.guardrailDefinitions].map(([id, definition]) => ({ id, definition })),
  };
}

/** A catalog of the settings alone, never changing: the app without a store (tests, embedding). */
export function catalogOfSettings(settings: GatewaySettings): Catalog {
  return createStaticCatalog({
    gatewayKeys: settings.gatewayKeys,
    virtualKeys: settings.virtualKeys.values(),
    configs: settings.configs.values(),
  });
}
