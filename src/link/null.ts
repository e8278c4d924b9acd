// BSD loopback encapsulations: a 4-byte address family before the IP packet.
// LINKTYPE_NULL (0) stores it in the *capturing host's* byte order, so both orders occur;
// LINKTYPE_LOOP (108, OpenBSD) stores it in network byte order.

import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, type L3Start } from './l3.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_LOOP = 108;

const AF_INET = 2;
/** AF_INET6 differs per BSD: 24 (NetBSD, OpenBSD, ...), 28 (FreeBSD), 30 (macOS/Darwin). */
const AF_INET6_BSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;
/** Linux AF_INET6 (10) shows up in some NULL captures written on Linux. */
const AF_INET6_LINUX = 10;

function familyToEtherType(af: number): number {
  if (af === AF_INET) return ETHERTYPE_IPV4;
  if (af === AF_INET6_BSD || af === AF_INET6_FREEBSD || af === AF_INET6_DARWIN || af === AF_INET6_LINUX) {
    return ETHERTYPE_IPV6;
  }
  return 0;
}

/** LINKTYPE_NULL: the family is a small number, so whichever byte order gives a value that fits
 *  in the low 16 bits is the right one (as Wireshark's null dissector reasons). */
export function parseNull(buf: Uint8Array, off: number, end: number, out: L3Start): boolean {
  if (end - off < 4) return false;
  const le = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
  const af = (le & 0xffff0000) !== 0
    ? ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0
    : le;
  out.etherType = familyToEtherType(af);
  out.off = off + 4;
  return true;
}

export function parseLoop(buf: Uint8Array, off: number, end: number, out: L3Start): boolean {
  if (end - off < 4) return false;
  const af = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
  out.etherType = familyToEtherType(af);
  out.off = off + 4;
  return true;
}
