/** IPv4 blocks refused as custom hosts: private, loopback, link-local, CGNAT, documentation, multicast, reserved. */
const PRIVATE_IPV4_BLOCKS: readonly (readonly [string, number])[] = [
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

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** True when a dotted-decimal IPv4 address is private, loopback, link-local, CGNAT, documentation, multicast or reserved. */
export function isPrivateIpv4(address: string): boolean {
  const value = ipv4ToNumber(address);
  return PRIVATE_IPV4_BLOCKS.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = ipv4ToNumber(base);
    return value >= start && value < start + size;
  });
}

/** Expands an IPv6 address (without brackets, as `URL` normalises it) into eight 16-bit groups. */
function expandIpv6(address: string): number[] | undefined {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  return groups.some((group) => Number.isNaN(group)) ? undefined : groups;
}

/**
 * True when an IPv6 address is loopback, unspecified, unique-local (fc00::/7), link-local
 * (fe80::/10), site-local, multicast, or embeds a private IPv4 address (IPv4-mapped, NAT64).
 */
export function isPrivateIpv6(address: string): boolean {
  const groups = expandIpv6(address.toLowerCase());
  if (groups === undefined) return true;
  const [first = 0] = groups;
  if (groups.every((group, index) => group === (index === 7 ? 1 : 0))) return true;
  if (groups.every((group) => group === 0)) return true;
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return true;
  if ((first & 0xff00) === 0xff00) return true;
  const isMapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const isNat64 = first === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  const isCompatible = groups.slice(0, 6).every((group) => group === 0);
  if (isMapped || isNat64 || isCompatible) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return isPrivateIpv4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  return false;
}
