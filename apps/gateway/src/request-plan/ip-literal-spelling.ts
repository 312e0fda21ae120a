/**
 * The problem with an IPv6 literal host written in a non-canonical form (`[0:0:0:0:0:0:0:1]`,
 * `[0::1]`, upper case), or `undefined`. `URL` normalises such hosts (`[::1]`), so without this a
 * long spelling would pass as the trusted loopback `[::1]`; loopback is allowed in its canonical
 * spellings only (behaviour reference §2.5). IPv4 forms are checked by `@pk/config`'s `checkCustomHost`.
 */
export function nonCanonicalIpv6Problem(value: string): string | undefined {
  const afterScheme = value.slice(value.indexOf('://') + 3);
  const authority = afterScheme.split(/[/?#]/, 1)[0] ?? '';
  const hostStart = authority.lastIndexOf('@') + 1;
  if (authority[hostStart] !== '[') return undefined;
  const written = authority.slice(hostStart, authority.indexOf(']', hostStart) + 1);
  let normalised: string;
  try {
    normalised = new URL(value).hostname;
  } catch {
    return undefined; // checkCustomHost reports malformed URLs
  }
  return written === normalised
    ? undefined
    : `expected an IPv6 address in its canonical form (${normalised}), got ${written}`;
}
