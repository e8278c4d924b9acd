// What the link/network layers hand to TCP reassembly: one reusable TcpSegment per decoder,
// filled in place for every frame that carries TCP (no allocation per frame).

import type { Frame } from '../capture/types.js';

/** Why a frame produced no TCP segment, or 'tcp' when `out` was filled. A fixed, small set. */
export type LinkOutcome =
  | 'tcp'
  /** The link layer carries something other than IPv4/IPv6 (ARP, LLC, ...). */
  | 'not-ip'
  /** IP, but the transport is not TCP (UDP, ICMP, ESP, no next header, ...). */
  | 'not-tcp'
  /** The frame's link type is not one we decode (reported once through the warning callback). */
  | 'unknown-linktype'
  /** The captured bytes end before a header we need is complete (snaplen cut, short frame). */
  | 'truncated'
  /** An IP fragment, held for reassembly (its TCP segment comes with the completing fragment). */
  | 'fragment'
  /** An IP fragment that could not be used (table full, oversize datagram, cut fragment). */
  | 'fragment-dropped'
  /** A header field is impossible (IP version, header length, TCP data offset, ...). */
  | 'bad-header';

export const LINK_OUTCOMES: readonly LinkOutcome[] = [
  'tcp', 'not-ip', 'not-tcp', 'unknown-linktype', 'truncated', 'fragment', 'fragment-dropped', 'bad-header',
];

/** TCP header flag bits (RFC 9293 §3.1). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/**
 * One TCP segment. The decoder owns one instance and refills it on every call, so everything in it
 * (addresses, the payload view) is valid only until the next `decode`.
 */
export class TcpSegment {
  /** 4 or 6 (0 before the first fill). */
  ipVersion: 0 | 4 | 6 = 0;
  /** Address bytes: the first `addrLen` bytes of src/dst (4 for IPv4, 16 for IPv6). Copied. */
  addrLen: 4 | 16 = 4;
  readonly src = new Uint8Array(16);
  readonly dst = new Uint8Array(16);
  /** The same address bytes as four 32-bit words (host byte order): lets flow lookup compare
   *  and hash addresses a word at a time. Views, so they follow every write to src/dst. */
  readonly srcWords = new Int32Array(this.src.buffer, 0, 4);
  readonly dstWords = new Int32Array(this.dst.buffer, 0, 4);
  srcPort = 0;
  dstPort = 0;
  /** Sequence and acknowledgement numbers as unsigned 32-bit values. */
  seq = 0;
  ack = 0;
  /** Low 8 flag bits (see TcpFlag); NS is bit 8. */
  flags = 0;
  window = 0;
  /** Payload view: `buf[off .. off+len)`; the captured part of the TCP payload. */
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;
  /** Payload bytes the IP header promises but the capture does not hold (snaplen cut). */
  missing = 0;
  /** The frame this segment was emitted for (the completing fragment for reassembled datagrams). */
  frame: Frame | null = null;
  /** The segment came out of IP fragment reassembly. */
  reassembled = false;

  payload(): Uint8Array {
    return this.buf.subarray(this.off, this.off + this.len);
  }
}

const EMPTY = new Uint8Array(0);

/** Called once per unknown link type, and for other rare conditions worth telling the user. */
export type LinkWarning = (code: 'unknown-linktype' | 'fragment-table-full', message: string, frameNo: number) => void;
