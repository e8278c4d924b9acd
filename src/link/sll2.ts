// Linux "cooked" capture v2 (LINKTYPE_LINUX_SLL2 = 276), 20-byte header:
// protocol type(2) reserved(2) interface index(4) ARPHRD type(2) packet type(1)
// address length(1) address(8).

import type { L3Start } from './l3.js';

export const LINKTYPE_LINUX_SLL2 = 276;
const SLL2_HEADER = 20;

export function parseSll2(buf: Uint8Array, off: number, end: number, out: L3Start): boolean {
  if (end - off < SLL2_HEADER) return false;
  const proto = (buf[off]! << 8) | buf[off + 1]!;
  out.etherType = proto <= 1500 ? 0 : proto;
  out.off = off + SLL2_HEADER;
  return true;
}
