// Internal ranges are @pk/config's, so the connect-time check and `checkCustomHost` agree.
export { isInternalAddress } from '@pk/config';

import { BlockList, isIPv4, isIPv6 } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8 and ::1 (IPv4-mapped loopback included). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIPv4(bare)) return loopback.check(bare, 'ipv4');
  return isIPv6(bare) && loopback.check(bare, 'ipv6');
}
