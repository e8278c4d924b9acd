// IPv4 (RFC 791 §3.1): header with options, total length (trims Ethernet padding; 0 means a
// segmentation-offload capture, so the captured length counts), fragments via FragmentTable.

import { decodeTcp } from './tcp.js';
import type { FragmentTable } from './fragments.js';
import type { LinkOutcome, TcpSegment } from './types.js';

const IPV4_MIN_HEADER = 20;
export const IPPROTO_TCP = 6;

/**
 * `capEnd` is the end of the captured bytes; `uncaptured` is how many bytes of the frame the
 * capture cut off (origLen - caplen).
 */
export function decodeIPv4(
  buf: Uint8Array, off: number, capEnd: number, uncaptured: number,
  seg: TcpSegment, frags: FragmentTable, frameNo: number,
): LinkOutcome {
  const capLen = capEnd - off;
  if (capLen < IPV4_MIN_HEADER) return 'truncated';
  const vihl = buf[off]!;
  if (vihl >> 4 !== 4) return 'bad-header';
  const hl = (vihl & 0x0f) * 4;
  if (hl < IPV4_MIN_HEADER) return 'bad-header';
  const wireLen = capLen + uncaptured;
  if (hl > capLen) return hl <= wireLen ? 'truncated' : 'bad-header';
  let total = (buf[off + 2]! << 8) | buf[off + 3]!;
  // Total length 0: TSO/GRO handed the capture a "super-packet" before the NIC split it.
  if (total === 0) total = wireLen;
  if (total < hl) return 'bad-header';
  // A total length past the frame's end is bogus (Wireshark flags it); use what the frame has.
  if (total > wireLen) total = wireLen;
  const captured = total < capLen ? total : capLen;
  const missing = total - captured;
  const proto = buf[off + 9]!;
  if (proto !== IPPROTO_TCP) return 'not-tcp';

  seg.ipVersion = 4;
  seg.addrLen = 4;
  seg.reassembled = false;
  copy4(buf, off + 12, seg.src);
  copy4(buf, off + 16, seg.dst);

  const fragWord = (buf[off + 6]! << 8) | buf[off + 7]!;
  const more = (fragWord & 0x2000) !== 0;
  const fragOff = (fragWord & 0x1fff) * 8;
  if (!more && fragOff === 0) {
    return decodeTcp(buf, off + hl, off + captured, missing, seg);
  }
  const id = (buf[off + 4]! << 8) | buf[off + 5]!;
  // A fragment cut by the snaplen can never complete its datagram truthfully.
  if (missing > 0) return 'truncated';
  const r = frags.add(4, buf, off + 12, off + 16, 4, id, proto, fragOff, more, buf, off + hl, captured - hl, frameNo);
  if (r === 'held') return 'fragment';
  if (r === 'dropped') return 'fragment-dropped';
  const d = frags.completed;
  const out = decodeTcp(d, 0, d.length, 0, seg);
  seg.reassembled = true;
  return out;
}

function copy4(buf: Uint8Array, off: number, to: Uint8Array): void {
  to[0] = buf[off]!;
  to[1] = buf[off + 1]!;
  to[2] = buf[off + 2]!;
  to[3] = buf[off + 3]!;
}
