/**
 * Every host named by a `custom_host` (or `customHost`) anywhere in a config. In-process, the config
 * is the application's own code (the operator's, not a remote caller's), so its hosts are trusted.
 */
export function customHostsOf(value: unknown, hosts: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) customHostsOf(item, hosts);
    return hosts;
  }
  if (typeof value !== 'object' || value === null) return hosts;
  for (const [key, child] of Object.entries(value)) {
    if ((key === 'custom_host' || key === 'customHost') && typeof child === 'string') {
      const host = hostOf(child);
      if (host !== undefined) hosts.push(host);
    } else customHostsOf(child, hosts);
  }
  return hosts;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}
