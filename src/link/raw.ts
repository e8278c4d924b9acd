// Raw IP link types: no link header, the IP version nibble says v4 or v6.
// LINKTYPE_RAW = 101, and the old DLT_RAW values 12 and 14 that some writers still use;
// LINKTYPE_IPV4 = 228 and LINKTYPE_IPV6 = 229 fix the version.

import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, type L3Start } from './l3.js';

export const LINKTYPE_RAW = 101;
export const DLT_RAW_OLD_12 = 12;
export const DLT_RAW_OLD_14 = 14;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;

export function parseRaw(buf: Uint8Array, off: number, end: number, out: L3Start): boolean {
  if (end - off < 1) return false;
  const v = buf[off]! >> 4;
  out.etherType = v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : 0;
  out.off = off;
  return true;
}
