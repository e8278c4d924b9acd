// TCP header (RFC 9293 §3.1): fills the ports, numbers, flags and payload view of a TcpSegment.
// Options are skipped (the data offset says how long the header is).

import type { LinkOutcome, TcpSegment } from './types.js';

const TCP_MIN_HEADER = 20;

/**
 * `end` is where the captured IP payload ends; `missing` is how many more payload bytes the IP
 * header promises but the capture does not hold.
 */
export function decodeTcp(buf: Uint8Array, off: number, end: number, missing: number, seg: TcpSegment): LinkOutcome {
  const avail = end - off;
  if (avail < TCP_MIN_HEADER) return missing > 0 || avail < 0 ? 'truncated' : 'bad-header';
  const dataOffset = (buf[off + 12]! >> 4) * 4;
  if (dataOffset < TCP_MIN_HEADER) return 'bad-header';
  if (dataOffset > avail) return dataOffset <= avail + missing ? 'truncated' : 'bad-header';
  seg.srcPort = (buf[off]! << 8) | buf[off + 1]!;
  seg.dstPort = (buf[off + 2]! << 8) | buf[off + 3]!;
  seg.seq = ((buf[off + 4]! << 24) | (buf[off + 5]! << 16) | (buf[off + 6]! << 8) | buf[off + 7]!) >>> 0;
  seg.ack = ((buf[off + 8]! << 24) | (buf[off + 9]! << 16) | (buf[off + 10]! << 8) | buf[off + 11]!) >>> 0;
  seg.flags = ((buf[off + 12]! & 0x01) << 8) | buf[off + 13]!;
  seg.window = (buf[off + 14]! << 8) | buf[off + 15]!;
  seg.buf = buf;
  seg.off = off + dataOffset;
  seg.len = avail - dataOffset;
  seg.missing = missing;
  return 'tcp';
}
