// IPv6 (RFC 8200): fixed header, then the extension header chain up to TCP. Hop-by-Hop (0),
// Routing (43), Destination Options (60) and AH (51, RFC 4302 §2.2: length in 4-octet units
// minus 2) are skipped; Fragment (44) is reassembled through the FragmentTable.

import { decodeTcp } from './tcp.js';
import type { FragmentTable } from './fragments.js';
import type { LinkOutcome, TcpSegment } from './types.js';

const IPV6_HEADER = 40;
const NH_HOP_BY_HOP = 0;
const NH_TCP = 6;
const NH_ROUTING = 43;
const NH_FRAGMENT = 44;
const NH_AH = 51;
const NH_DEST_OPTS = 60;
/** Bound on the header chain so hostile input cannot make us loop long. */
const MAX_EXT_HEADERS = 32;

export function decodeIPv6(
  buf: Uint8Array, off: number, capEnd: number, uncaptured: number,
  seg: TcpSegment, frags: FragmentTable, frameNo: number,
): LinkOutcome {
  const capLen = capEnd - off;
  if (capLen < IPV6_HEADER) return 'truncated';
  if (buf[off]! >> 4 !== 6) return 'bad-header';
  const wireLen = capLen + uncaptured;
  let payloadLen = (buf[off + 4]! << 8) | buf[off + 5]!;
  // 0 is a Jumbo Payload (RFC 2675) or a segmentation-offload capture: the frame decides.
  if (payloadLen === 0) payloadLen = wireLen - IPV6_HEADER;
  let total = IPV6_HEADER + payloadLen;
  if (total > wireLen) total = wireLen;
  const captured = total < capLen ? total : capLen;
  let missing = total - captured;
  let end = off + captured;
  let next = buf[off + 6]!;
  let p = off + IPV6_HEADER;
  const srcOff = off + 8;
  const dstOff = off + 24;
  let addrsSet = false;
  seg.reassembled = false;

  for (let n = 0; n < MAX_EXT_HEADERS; n++) {
    if (next === NH_TCP) {
      if (!addrsSet) setAddrs(buf, srcOff, dstOff, seg);
      seg.ipVersion = 6;
      seg.addrLen = 16;
      return decodeTcp(buf, p, end, missing, seg);
    }
    if (next === NH_HOP_BY_HOP || next === NH_ROUTING || next === NH_DEST_OPTS || next === NH_AH) {
      if (end - p < 2) return 'truncated';
      const len = next === NH_AH ? (buf[p + 1]! + 2) * 4 : (buf[p + 1]! + 1) * 8;
      next = buf[p]!;
      p += len;
      if (p > end) return missing > 0 ? 'truncated' : 'bad-header';
      continue;
    }
    if (next === NH_FRAGMENT) {
      if (end - p < 8) return 'truncated';
      const word = (buf[p + 2]! << 8) | buf[p + 3]!;
      const fragOff = word & 0xfff8;
      const more = (word & 1) !== 0;
      const nh = buf[p]!;
      // An "atomic" fragment (offset 0, M = 0) is a whole datagram (RFC 6946): just go on.
      if (fragOff === 0 && !more) {
        next = nh;
        p += 8;
        continue;
      }
      if (missing > 0) return 'truncated';
      const id = ((buf[p + 4]! << 24) | (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!) >>> 0;
      const r = frags.add(6, buf, srcOff, dstOff, 16, id, nh, fragOff, more, buf, p + 8, end - p - 8, frameNo);
      if (r === 'held') return 'fragment';
      if (r === 'dropped') return 'fragment-dropped';
      // Addresses come from the completing fragment's header (they are the key, so identical).
      setAddrs(buf, srcOff, dstOff, seg);
      addrsSet = true;
      buf = frags.completed;
      p = 0;
      end = buf.length;
      missing = 0;
      next = frags.completedProto;
      seg.reassembled = true;
      continue;
    }
    // No Next Header (59), UDP, ICMPv6, ESP, tunnels, ...: not TCP.
    return 'not-tcp';
  }
  return 'bad-header';
}

function setAddrs(buf: Uint8Array, srcOff: number, dstOff: number, seg: TcpSegment): void {
  for (let i = 0; i < 16; i++) {
    seg.src[i] = buf[srcOff + i]!;
    seg.dst[i] = buf[dstOff + i]!;
  }
}
