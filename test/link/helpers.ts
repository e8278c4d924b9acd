// Frame and packet builders for link/TCP tests that the shared pcap-writer does not cover:
// IPv4 options and fragments, IPv6 extension headers and fragments, QinQ.

import type { Frame } from '../../src/capture/types.js';
import { internetChecksum, ipv4Tcp, ipv6Tcp, type TcpSpec } from '../support/pcap-writer.js';

export function frameOf(data: Uint8Array, linkType: number, no = 1, origLen = data.length): Frame {
  return { no, tsSec: 1_700_000_000, tsNsec: 0, tsDigits: 6, linkType, interfaceId: 0, caplen: data.length, origLen, buf: data, off: 0 };
}

/** The same frame cut to `caplen` bytes, as a snaplen would (origLen stays the wire length). */
export function cut(data: Uint8Array, linkType: number, caplen: number, no = 1): Frame {
  return { ...frameOf(data.subarray(0, caplen), linkType, no), origLen: data.length };
}

export const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** IPv4 + TCP with `options` (a multiple of 4 bytes) inserted in the IP header. */
export function ipv4WithOptions(spec: TcpSpec, options: Uint8Array): Buffer {
  if (options.length % 4 !== 0) throw new Error('IPv4 options must be a multiple of 4 bytes');
  const plain = ipv4Tcp(spec);
  const hdr = Buffer.from(plain.subarray(0, 20));
  const out = Buffer.concat([hdr, options, plain.subarray(20)]);
  out[0] = 0x40 | ((20 + options.length) / 4);
  out.writeUInt16BE(out.length, 2);
  out.writeUInt16BE(0, 10);
  out.writeUInt16BE(internetChecksum(out.subarray(0, 20 + options.length)), 10);
  return out;
}

/**
 * Splits an IPv4 packet (20-byte header, no options) into fragments of the IP payload at the
 * given byte offsets (multiples of 8). Returns them in datagram order.
 */
export function ipv4Fragments(packet: Buffer, cuts: number[], id = 0x1234): Buffer[] {
  const hdr = packet.subarray(0, 20);
  const payload = packet.subarray(20);
  const bounds = [0, ...cuts, payload.length];
  const out: Buffer[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    out.push(ipv4Fragment(hdr, payload.subarray(bounds[i]!, bounds[i + 1]!), bounds[i]!, i + 2 < bounds.length, id));
  }
  return out;
}

export function ipv4Fragment(hdr: Uint8Array, part: Uint8Array, offset: number, more: boolean, id = 0x1234): Buffer {
  if (offset % 8 !== 0) throw new Error('fragment offset must be a multiple of 8');
  const h = Buffer.from(hdr);
  h.writeUInt16BE(20 + part.length, 2);
  h.writeUInt16BE(id, 4);
  h.writeUInt16BE((more ? 0x2000 : 0) | (offset / 8), 6);
  h.writeUInt16BE(0, 10);
  h.writeUInt16BE(internetChecksum(h), 10);
  return Buffer.concat([h, part]);
}

/** An IPv6 extension header of type `len8`*8 bytes (Hop-by-Hop / Routing / Destination Options). */
export function ext8(next: number, totalLen: number): Buffer {
  if (totalLen % 8 !== 0 || totalLen < 8) throw new Error('bad extension header length');
  const b = Buffer.alloc(totalLen);
  b[0] = next;
  b[1] = totalLen / 8 - 1;
  return b;
}

/** AH (RFC 4302): Payload Len is the length in 4-octet units minus 2. */
export function ah(next: number, totalLen: number): Buffer {
  const b = Buffer.alloc(totalLen);
  b[0] = next;
  b[1] = totalLen / 4 - 2;
  return b;
}

/** IPv6 + `exts` (a chain whose last header's Next Header is 6) + TCP; the fixed header's
 *  Next Header is `first`. */
export function ipv6WithExt(spec: TcpSpec, first: number, exts: Buffer[]): Buffer {
  const plain = ipv6Tcp(spec);
  const fixed = Buffer.from(plain.subarray(0, 40));
  const rest = Buffer.concat([...exts, plain.subarray(40)]);
  fixed[6] = first;
  fixed.writeUInt16BE(rest.length, 4);
  return Buffer.concat([fixed, rest]);
}

/** Fragments an IPv6 packet without extension headers: its whole payload is fragmentable. */
export function ipv6Fragments(packet: Buffer, cuts: number[], id = 0xabcdef01): Buffer[] {
  const fixed = packet.subarray(0, 40);
  const nh = packet[6]!;
  const payload = packet.subarray(40);
  const bounds = [0, ...cuts, payload.length];
  const out: Buffer[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const part = payload.subarray(bounds[i]!, bounds[i + 1]!);
    const fh = Buffer.alloc(8);
    fh[0] = nh;
    fh.writeUInt16BE((bounds[i]! & 0xfff8) | (i + 2 < bounds.length ? 1 : 0), 2);
    fh.writeUInt32BE(id, 4);
    const h = Buffer.from(fixed);
    h[6] = 44;
    h.writeUInt16BE(8 + part.length, 4);
    out.push(Buffer.concat([h, fh, part]));
  }
  return out;
}
