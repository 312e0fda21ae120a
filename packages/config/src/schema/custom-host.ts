import { z } from 'zod';
import { isPrivateIpv4, isPrivateIpv6 } from './ip-ranges.js';

/**
 * Hosts that skip the custom-host checks unless the operator says otherwise: Portkey's default
 * `TRUSTED_CUSTOM_HOSTS` (behaviour reference §2.5). A leading `*.` matches any sub-domain.
 */
export const DEFAULT_TRUSTED_CUSTOM_HOSTS: readonly string[] = [
  'localhost',
  '127.0.0.1',
  '::1',
  'host.docker.internal',
  '*.localhost',
];

/** Cloud metadata endpoints, refused by name (their IPs are refused as link-local or private anyway). */
const METADATA_HOSTS: ReadonlySet<string> = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.com',
  'metadata.tencentyun.com',
  'metadata.packet.net',
  'metadata.platformequinix.com',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** Top-level domains that only name hosts on private networks. */
const PRIVATE_TLDS = [
  'local',
  'internal',
  'localhost',
  'localdomain',
  'lan',
  'home',
  'corp',
  'intranet',
  'private',
  'invalid',
  'test',
  'arpa',
];

/** Longest accepted custom host URL. */
const MAX_CUSTOM_HOST_LENGTH = 2048;
/** Most DNS labels accepted in a host name. */
const MAX_HOST_LABELS = 10;

/** Options of {@link checkCustomHost}. */
export interface CustomHostOptions {
  /** Hosts that skip the host checks (default {@link DEFAULT_TRUSTED_CUSTOM_HOSTS}); `*.example.com` matches sub-domains. */
  readonly trustedHosts?: readonly string[] | undefined;
}

function isTrusted(host: string, trusted: readonly string[]): boolean {
  return trusted.some((entry) => {
    const pattern = entry
      .trim()
      .toLowerCase()
      .replace(/^\[|\]$/g, '');
    return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
  });
}

/** The host as written (between `://` and the first `/ ? #`, without port), before URL normalisation. */
function rawHostOf(value: string): string {
  const afterScheme = value.slice(value.indexOf('://') + 3);
  const authority = afterScheme.split(/[/?#]/, 1)[0] ?? '';
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  return authority.replace(/:\d*$/, '');
}

function checkHostName(host: string): string | undefined {
  if (host.startsWith('[')) {
    return isPrivateIpv6(host.slice(1, -1))
      ? 'expected a public host; loopback, link-local, unique-local and IPv4-mapped private IPv6 addresses are refused'
      : undefined;
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    return isPrivateIpv4(host)
      ? 'expected a public host; private, loopback, link-local and reserved IPv4 ranges are refused'
      : undefined;
  }
  if (host.endsWith('.')) return 'expected a host name without a trailing dot';
  const labels = host.split('.');
  if (labels.length > MAX_HOST_LABELS) return `expected a host name of at most ${MAX_HOST_LABELS} labels`;
  if (METADATA_HOSTS.has(host)) return 'expected a host other than a cloud metadata endpoint';
  const tld = labels.at(-1) ?? '';
  if (PRIVATE_TLDS.includes(tld) || host.endsWith('.home.arpa')) {
    return `expected a public host name; ".${tld}" names hosts on private networks`;
  }
  return undefined;
}

/**
 * What every custom host must not hold, wherever it is written (a config, a header, a virtual key):
 * credentials or any `@` (never sent, yet kept and shown in clear wherever the value is), and a
 * query string or fragment (the endpoint is appended to the URL as written: `/v1?token=X` would
 * call `/v1?token=X/chat/completions`). Returns what was expected, or `undefined`.
 */
export function customHostFormProblem(value: string): string | undefined {
  if (value.includes('@')) return 'expected a URL without credentials or "@"';
  if (/[?#]/.test(value)) {
    return 'expected a URL without a query string or fragment ("?" or "#"): the endpoint path is appended to it';
  }
  return undefined;
}

/**
 * Checks a `custom_host` (config key or `x-portkey-custom-host`) as Portkey's `isValidCustomHost`
 * does, syntactically only (behaviour reference §2.5): http/https only, no credentials or `@`, no
 * query string or fragment (pk's own: the endpoint is appended to the URL as written), no Portkey API host, no `%`, control characters or non-ASCII in the host, no trailing dot, at most 10
 * labels, no metadata hosts, private TLDs, private/reserved IPv4 or IPv6, or non-canonical IPv4 forms.
 * Trusted hosts skip the host checks. Returns what was expected, or `undefined` when the value is fine.
 * DNS resolution checks belong to the gateway.
 */
export function checkCustomHost(value: string, options: CustomHostOptions = {}): string | undefined {
  if (value.length > MAX_CUSTOM_HOST_LENGTH) {
    return `expected a URL of at most ${MAX_CUSTOM_HOST_LENGTH} characters`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\s]/.test(value)) return 'expected a URL without spaces or control characters';
  if (!/^https?:\/\//i.test(value)) return 'expected an http:// or https:// URL';
  const formProblem = customHostFormProblem(value);
  if (formProblem !== undefined) return formProblem;
  if (value.toLowerCase().includes('api.portkey')) return "expected a host other than Portkey's own API";
  const rawHost = rawHostOf(value);
  if (rawHost.includes('%')) return 'expected a host without "%"';
  if (/[^\u0020-\u007e]/.test(rawHost)) return 'expected a host name in ASCII (write IDNs as xn--…)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'expected an absolute URL such as https://llm.example.com/v1';
  }
  const host = url.hostname.toLowerCase();
  if (host.length === 0) return 'expected a URL with a host';
  // Checked before trust: `0x7f000001` must not pass as the trusted 127.0.0.1.
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) && rawHost.toLowerCase() !== host) {
    return 'expected an IPv4 address in dotted-decimal form; decimal, hex, octal and short forms are refused';
  }
  if (isTrusted(host.replace(/^\[|\]$/g, ''), options.trustedHosts ?? DEFAULT_TRUSTED_CUSTOM_HOSTS)) {
    return undefined;
  }
  return checkHostName(host);
}

/**
 * zod schema of `custom_host`: an http(s) URL. The host checks of {@link checkCustomHost} depend on
 * the operator's trusted hosts, so `parseConfig` runs them after this schema.
 */
export const customHostSchema = z
  .string({ error: 'expected an http:// or https:// URL' })
  .regex(/^https?:\/\//i, { error: 'expected an http:// or https:// URL' });
