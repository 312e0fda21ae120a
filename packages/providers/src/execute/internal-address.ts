import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * IPv4 blocks no upstream connection may reach unless its host is trusted: "this network",
 * private (RFC 1918), CGNAT, loopback, link-local (cloud metadata 169.254.169.254 included), IETF
 * protocol assignments, documentation, benchmarking, multicast and reserved (behaviour reference §2.5).
 */
const INTERNAL_IPV4_BLOCKS: readonly (readonly [string, number])[] = [
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
 * link-local, site-local and multicast. IPv4-mapped addresses (`::ffff:10.0.0.1`) are matched against
 * the IPv4 blocks by `BlockList` itself; NAT64, 6to4 and IPv4-compatible forms are decoded below.
 */
const INTERNAL_IPV6_BLOCKS: readonly (readonly [string, number])[] = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

const internal = new BlockList();
for (const [base, bits] of INTERNAL_IPV4_BLOCKS) internal.addSubnet(base, bits, 'ipv4');
for (const [base, bits] of INTERNAL_IPV6_BLOCKS) internal.addSubnet(base, bits, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Eight 16-bit groups of an IPv6 address (brackets and zone removed), or `undefined` when malformed. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const parts = dotted.split('.').map(Number);
    const high = (((parts[0] ?? 0) << 8) | (parts[1] ?? 0)).toString(16);
    const low = (((parts[2] ?? 0) << 8) | (parts[3] ?? 0)).toString(16);
    text = `${text.slice(0, -dotted.length)}${high}:${low}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  return groups.some((group) => Number.isNaN(group) || group < 0 || group > 0xffff) ? undefined : groups;
}

/** The IPv4 address an IPv6 address embeds (NAT64 64:ff9b::/96, IPv4-compatible ::/96, 6to4 2002::/16). */
function embeddedIpv4(groups: readonly number[]): string | undefined {
  const dotted = (high: number, low: number): string => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const [g0 = 0, g1 = 0, g2 = 0] = groups;
  const g6 = groups[6] ?? 0;
  const g7 = groups[7] ?? 0;
  if (g0 === 0x64 && g1 === 0xff9b && groups.slice(2, 6).every((group) => group === 0)) return dotted(g6, g7);
  if (groups.slice(0, 6).every((group) => group === 0)) return dotted(g6, g7);
  if (g0 === 0x2002) return dotted(g1, g2);
  return undefined;
}

/**
 * True when an IP address (v4 or v6, brackets allowed) is internal: private, loopback, link-local,
 * metadata, reserved, or an IPv6 form embedding such an IPv4 address. Anything that is not a valid
 * address counts as internal (fail closed).
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIPv4(bare)) return internal.check(bare, 'ipv4');
  if (!isIPv6(bare)) return true;
  if (internal.check(bare, 'ipv6')) return true;
  const groups = ipv6Groups(bare);
  if (groups === undefined) return true;
  const embedded = embeddedIpv4(groups);
  return embedded !== undefined && internal.check(embedded, 'ipv4');
}

/** True for 127.0.0.0/8 and ::1 (IPv4-mapped loopback included). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIPv4(bare)) return loopback.check(bare, 'ipv4');
  return isIPv6(bare) && loopback.check(bare, 'ipv6');
}
