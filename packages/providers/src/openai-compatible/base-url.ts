import { PkError } from '@pk/config';
import { readTargetString } from '../shared/target-options.js';
import type { ProviderTarget } from '../spec/provider-adapter.js';
import type { OpenAICompatibleConfig } from './config.js';

function invalid(config: OpenAICompatibleConfig, option: string, message: string): PkError {
  return new PkError('PK_ERR_INVALID_CONFIG', `provider '${config.id}': ${message}`, { param: option });
}

/**
 * A URL-valued option on the vendor's own domains: `https:`, no credentials, and a host ending with
 * one of the vendor's suffixes. Any other host must be given as `custom_host`, which the gateway
 * checks against its trust rules.
 */
function checkedVendorUrl(config: OpenAICompatibleConfig, option: string, value: string): string {
  const allowed = config.baseUrlOption?.hostSuffixes ?? [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(config, option, `'${option}' is not a URL`);
  }
  const host = url.hostname.toLowerCase();
  if (
    url.protocol !== 'https:' ||
    url.username !== '' ||
    url.password !== '' ||
    !allowed.some((suffix) => host.endsWith(suffix))
  ) {
    throw invalid(
      config,
      option,
      `'${option}' must be an https URL on ${allowed.join(' or ')}; use custom_host for any other server`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The base URL of one call: the target's `custom_host`, else the vendor's URL option
 * (`azure_foundry_url` …), else the default base URL with its `{option}` placeholders filled from
 * the target. Values that build a URL are checked first: they may come from request headers, and an
 * account id like `evil.example/x#` would otherwise move the key to another host.
 */
export function resolveOpenAICompatibleBaseUrl(
  config: OpenAICompatibleConfig,
  target: ProviderTarget,
): string {
  const customHost = readTargetString(target, 'custom_host');
  if (customHost !== undefined) return customHost;
  const urlOption = config.baseUrlOption;
  const optionUrl = urlOption ? readTargetString(target, urlOption.option) : undefined;
  if (urlOption && optionUrl !== undefined) {
    return `${checkedVendorUrl(config, urlOption.option, optionUrl)}${urlOption.pathSuffix ?? ''}`;
  }
  let url = config.baseUrl;
  for (const { option, pattern, describe } of config.urlOptions ?? []) {
    const value = readTargetString(target, option);
    if (value === undefined) {
      throw invalid(config, option, `needs '${option}' (${describe}) or custom_host`);
    }
    if (!pattern.test(value)) throw invalid(config, option, `'${option}' does not look like ${describe}`);
    url = url.replace(`{${option}}`, value);
  }
  if (url === '') {
    const needed = urlOption ? `'${urlOption.option}' or custom_host` : 'custom_host';
    throw invalid(config, urlOption?.option ?? 'custom_host', `needs ${needed}`);
  }
  return url;
}
