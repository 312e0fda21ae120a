/**
 * Internal address ranges, one table for the whole project: `checkCustomHost` refuses IP literals in
 * them, and the providers' transport refuses to connect to them (checked on the address a DNS name
 * resolved to). Pure: no `node:net`, so the config model stays portable.
 */

/**
 * IPv4 blocks no custom host may reach unless trusted: "this network", private (RFC 1918), CGNAT,
 * loopback, link-local (cloud metadata 169.254.169.254 included), IETF protocol assignments,
 * documentation, benchmarking, multicast and reserved (behaviour reference §2.5).
 */
export const INTERNAL_IPV4_BLOCKS: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
];

/**
 * IPv6 blocks refused: unspecified, loopback, discard, documentation, unique-local (fc00::/7),
 * link-local, site-local and multicast; IPv6 forms that embed an IPv4 address are judged by it.
 */
export const INTERNAL_IPV6_BLOCKS: readonly (readonly [string, number])[] = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** True for a canonical dotted-decimal IPv4 address. */
export function isIpv4Literal(address: string): boolean {
  return IPV4_PATTERN.test(address);
}

/** True when a dotted-decimal IPv4 address lies in {@link INTERNAL_IPV4_BLOCKS}. */
export function isPrivateIpv4(address: string): boolean {
  const value = ipv4ToNumber(address);
  return INTERNAL_IPV4_BLOCKS.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = ipv4ToNumber(base);
    return value >= start && value < start + size;
  });
}

/** Eight 16-bit groups of an IPv6 address (brackets, zone and a dotted IPv4 tail handled), or `undefined`. */
export function ipv6Groups(address: string): number[] | undefined {
  let text = address
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '')
    .toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    if (!isIpv4Literal(dotted)) return undefined;
    const parts = dotted.split('.').map(Number);
    const high = (((parts[0] ?? 0) << 8) | (parts[1] ?? 0)).toString(16);
    const low = (((parts[2] ?? 0) << 8) | (parts[3] ?? 0)).toString(16);
    text = `${text.slice(0, -dotted.length)}${high}:${low}`;
  }
  if (!/^[0-9a-f:]+$/.test(text)) return undefined;
  const [head = '', tail, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part
          .split(':')
          .map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? Number.parseInt(group, 16) : Number.NaN));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  return groups.some((group) => Number.isNaN(group)) ? undefined : groups;
}

function inIpv6Block(groups: readonly number[], base: string, bits: number): boolean {
  const baseGroups = ipv6Groups(base) ?? [];
  for (let bit = 0; bit < bits; bit += 16) {
    const index = bit / 16;
    const width = Math.min(16, bits - bit);
    const mask = (0xffff << (16 - width)) & 0xffff;
    if (((groups[index] ?? 0) & mask) !== ((baseGroups[index] ?? 0) & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 address embeds (IPv4-mapped, NAT64 64:ff9b::/96, IPv4-compatible, 6to4 2002::/16). */
function embeddedIpv4(groups: readonly number[]): string | undefined {
  const dotted = (high: number, low: number): string => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const [g0 = 0, g1 = 0, g2 = 0] = groups;
  const g6 = groups[6] ?? 0;
  const g7 = groups[7] ?? 0;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) return dotted(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && groups.slice(2, 6).every((group) => group === 0)) return dotted(g6, g7);
  if (groups.slice(0, 6).every((group) => group === 0)) return dotted(g6, g7);
  if (g0 === 0x2002) return dotted(g1, g2);
  return undefined;
}

/** True when an IPv6 address is internal, or malformed (fail closed). */
export function isPrivateIpv6(address: string): boolean {
  const groups = ipv6Groups(address);
  if (groups === undefined) return true;
  if (INTERNAL_IPV6_BLOCKS.some(([base, bits]) => inIpv6Block(groups, base, bits))) return true;
  const embedded = embeddedIpv4(groups);
  return embedded !== undefined && isPrivateIpv4(embedded);
}

/**
 * True when an IP address (v4 or v6, brackets allowed) is internal: private, loopback, link-local,
 * metadata, reserved, or an IPv6 form embedding such an IPv4 address. Anything that is not a valid
 * address counts as internal (fail closed).
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIpv4Literal(bare)) return isPrivateIpv4(bare);
  return isPrivateIpv6(bare);
}
