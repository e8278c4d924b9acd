// Linux "cooked" capture v1 (LINKTYPE_LINUX_SLL = 113), 16-byte header:
// packet type(2) ARPHRD type(2) address length(2) address(8) protocol type(2).

import type { L3Start } from './l3.js';

export const LINKTYPE_LINUX_SLL = 113;
const SLL_HEADER = 16;

export function parseSll(buf: Uint8Array, off: number, end: number, out: L3Start): boolean {
  if (end - off < SLL_HEADER) return false;
  // The protocol field holds an EtherType for Ethernet-like devices; small values (1 Novell 802.3,
  // 4 802.2 LLC, ...) are Linux ETH_P_* pseudo types and never IP.
  const proto = (buf[off + 14]! << 8) | buf[off + 15]!;
  out.etherType = proto <= 1500 ? 0 : proto;
  out.off = off + SLL_HEADER;
  return true;
}
