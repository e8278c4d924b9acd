// Ethernet II (LINKTYPE_ETHERNET = 1) with IEEE 802.1Q VLAN tags, 802.1ad service tags and
// QinQ stacks (any number of tags, each 4 bytes: TPID, TCI).

import type { L3Start } from './l3.js';

export const LINKTYPE_ETHERNET = 1;

const ETH_HEADER = 14;
const TPID_8021Q = 0x8100;
const TPID_8021AD = 0x88a8;
/** Pre-standard QinQ TPIDs still seen in the wild. */
const TPID_QINQ_OLD1 = 0x9100;
const TPID_QINQ_OLD2 = 0x9200;

function isVlanTpid(t: number): boolean {
  return t === TPID_8021Q || t === TPID_8021AD || t === TPID_QINQ_OLD1 || t === TPID_QINQ_OLD2;
}

/** Fills `out` and returns true, or returns false when the captured bytes end inside the header. */
export function parseEthernet(buf: Uint8Array, off: number, end: number, out: L3Start): boolean {
  if (end - off < ETH_HEADER) return false;
  let p = off + 12;
  let type = (buf[p]! << 8) | buf[p + 1]!;
  p += 2;
  while (isVlanTpid(type)) {
    if (end - p < 4) return false;
    type = (buf[p + 2]! << 8) | buf[p + 3]!;
    p += 4;
  }
  // Values up to 1500 are an IEEE 802.3 length (LLC follows), not an EtherType: never IP for us.
  out.etherType = type <= 1500 ? 0 : type;
  out.off = p;
  return true;
}
