// Capture and packet builders for tests and benchmarks.
//
// CAPTURE FILES
//   Classic pcap (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/):
//     const w = new PcapWriter({ linkType: LINKTYPE.ETHERNET, nanos: false, bigEndian: false, snaplen: 65535 });
//     stream.write(w.header()); stream.write(w.record(tsSec, tsNsec, bytes, origLen?));
//     writePcap([{ tsSec, tsNsec, data, origLen? }, ...], opts?) -> Buffer   (the same in one call)
//   With nanos=false, tsNsec is truncated to microseconds (the file can only say µs).
//
//   pcapng (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/):
//     writePcapng(section | sections) -> Buffer, where a section is
//       { bigEndian?, interfaces: [{ linkType, snaplen?, tsresol?, tsoffset? }],
//         blocks: [ { type: 'epb', interfaceId?, tsSec, tsNsec, data, origLen? }      // or ts: bigint raw units
//                 | { type: 'pb', interfaceId?, tsSec, tsNsec, data, origLen? }       // obsolete Packet Block (type 2)
//                 | { type: 'spb', data, origLen? }                                   // Simple Packet Block, iface 0
//                 | { type: 'raw', blockType, body } ] }                             // any other block (NRB, ISB, unknown)
//     `tsresol` is the raw if_tsresol option byte: 6 = µs (default), 9 = ns, 0x80|10 = 2^-10 s.
//     `tsoffset` is if_tsoffset in seconds; tsSec/tsNsec are absolute and the writer subtracts it.
//     writePcapngRecords(records, { linkType, tsresol?, bigEndian? }) -> Buffer: one SHB + IDB + EPBs.
//     PcapngWriter: streaming twin of PcapWriter (header() = SHB+IDB, record() = EPB).
//
// PACKETS (all return Buffer; addresses as text, IPv6 may use '::'):
//   const seg = { src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 1883, seq: 1, ack: 0,
//                 flags: 'PA', payload: Buffer.from([0x30, 0x00]) };
//   ethernetIPv4Tcp(seg) / ethernetIPv6Tcp(seg)     Ethernet II (+ 802.1Q tag when seg.vlan is set)
//   rawIPv4Tcp / rawIPv6Tcp                         LINKTYPE_RAW (101), IPV4 (228), IPV6 (229)
//   sllIPv4Tcp / sllIPv6Tcp                         Linux cooked v1 (113)
//   sll2IPv4Tcp / sll2IPv6Tcp                       Linux cooked v2 (276)
//   nullIPv4Tcp / nullIPv6Tcp                       BSD loopback NULL (0): 4-byte host-order AF
//   ipv4Tcp(seg) / ipv6Tcp(seg) / tcpSegment(...)   the layers on their own, to wrap yourself
//   Flags are a number or letters from 'FSRPAUEC' (e.g. 'S', 'SA', 'PA', 'FA', 'R').
//   IPv4 header checksum is always correct; the TCP checksum is computed too (tcpChecksum: false
//   leaves it 0, which our pipeline and tshark's default both accept).

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

// ---------------------------------------------------------------------------------------------
// Classic pcap

export interface PcapOptions {
  linkType?: number;
  /** Nanosecond magic 0xa1b23c4d instead of the µs one 0xa1b2c3d4. */
  nanos?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
  /** Raw upper bits of the link-type field (FCS length etc.), for reader tests. */
  linkTypeHighBits?: number;
}

export interface PcapRecord {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  /** Length on the wire; defaults to data.length. */
  origLen?: number;
}

export class PcapWriter {
  readonly linkType: number;
  readonly nanos: boolean;
  readonly bigEndian: boolean;
  readonly snaplen: number;
  readonly linkTypeHighBits: number;

  constructor(opts: PcapOptions = {}) {
    this.linkType = opts.linkType ?? LINKTYPE.ETHERNET;
    this.nanos = opts.nanos ?? false;
    this.bigEndian = opts.bigEndian ?? false;
    this.snaplen = opts.snaplen ?? 262144;
    this.linkTypeHighBits = opts.linkTypeHighBits ?? 0;
  }

  /** The 24-byte file header. */
  header(): Buffer {
    const b = Buffer.alloc(24);
    const w = u32w(b, this.bigEndian);
    w(0, this.nanos ? 0xa1b23c4d : 0xa1b2c3d4);
    u16w(b, this.bigEndian)(4, 2);
    u16w(b, this.bigEndian)(6, 4);
    w(8, 0); // thiszone
    w(12, 0); // sigfigs
    w(16, this.snaplen);
    w(20, ((this.linkTypeHighBits << 16) | (this.linkType & 0xffff)) >>> 0);
    return b;
  }

  /** One 16-byte record header plus the data. */
  record(tsSec: number, tsNsec: number, data: Uint8Array, origLen?: number): Buffer {
    const b = Buffer.alloc(16 + data.length);
    const w = u32w(b, this.bigEndian);
    w(0, tsSec >>> 0);
    w(4, this.nanos ? tsNsec : Math.floor(tsNsec / 1000));
    w(8, data.length);
    w(12, origLen ?? data.length);
    b.set(data, 16);
    return b;
  }
}

export function writePcap(records: readonly PcapRecord[], opts: PcapOptions = {}): Buffer {
  const w = new PcapWriter(opts);
  const parts: Buffer[] = [w.header()];
  for (const r of records) parts.push(w.record(r.tsSec, r.tsNsec, r.data, r.origLen));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// pcapng

export interface PcapngInterface {
  linkType: number;
  /** 0 = no limit. */
  snaplen?: number;
  /** Raw if_tsresol byte; omitted = option absent (10^-6). */
  tsresol?: number;
  /** if_tsoffset in seconds; omitted = option absent. */
  tsoffset?: number;
}

interface TimedBlock {
  interfaceId?: number;
  /** Absolute time; converted to the interface's units (minus tsoffset). Ignored when ts is given. */
  tsSec?: number;
  tsNsec?: number;
  /** Raw 64-bit timestamp in interface units. */
  ts?: bigint;
  data: Uint8Array;
  origLen?: number;
}

export type PcapngBlock =
  | ({ type: 'epb' } & TimedBlock)
  | ({ type: 'pb' } & TimedBlock)
  | { type: 'spb'; data: Uint8Array; origLen?: number }
  | { type: 'raw'; blockType: number; body: Uint8Array };

export interface PcapngSection {
  bigEndian?: boolean;
  interfaces: readonly PcapngInterface[];
  blocks: readonly PcapngBlock[];
}

export const BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 1,
  PB: 2,
  SPB: 3,
  NRB: 4,
  ISB: 5,
  EPB: 6,
  DSB: 0x0a,
} as const;

/** Units per second for a raw if_tsresol byte (pcapng §4.2: high bit set = power of two). */
export function tsresolUnits(tsresol: number | undefined): bigint {
  if (tsresol === undefined) return 1_000_000n;
  const v = BigInt(tsresol & 0x7f);
  return tsresol & 0x80 ? 1n << v : 10n ** v;
}

/** Absolute seconds + ns → raw interface units, truncating below the interface's resolution. */
export function toUnits(tsSec: number, tsNsec: number, iface: PcapngInterface): bigint {
  const ups = tsresolUnits(iface.tsresol);
  const sec = BigInt(tsSec) - BigInt(iface.tsoffset ?? 0);
  return sec * ups + (BigInt(tsNsec) * ups) / 1_000_000_000n;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** A whole block: type, total length, body (zero-padded to 4), total length again. */
function block(type: number, body: Uint8Array, be: boolean): Buffer {
  const total = 12 + pad4(body.length);
  const b = Buffer.alloc(total);
  const w = u32w(b, be);
  w(0, type);
  w(4, total);
  b.set(body, 8);
  w(total - 4, total);
  return b;
}

function options(opts: readonly { code: number; value: Uint8Array }[], be: boolean): Buffer {
  if (opts.length === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for (const o of opts) {
    const h = Buffer.alloc(4);
    u16w(h, be)(0, o.code);
    u16w(h, be)(2, o.value.length);
    const v = Buffer.alloc(pad4(o.value.length));
    v.set(o.value);
    parts.push(h, v);
  }
  parts.push(Buffer.alloc(4)); // opt_endofopt
  return Buffer.concat(parts);
}

export function shb(be: boolean): Buffer {
  const body = Buffer.alloc(16);
  u32w(body, be)(0, 0x1a2b3c4d);
  u16w(body, be)(4, 1);
  u16w(body, be)(6, 0);
  body.writeInt32LE(-1, 8); // section length -1 (unknown): all ones in either order
  body.writeInt32LE(-1, 12);
  return block(BLOCK.SHB, body, be);
}

export function idb(iface: PcapngInterface, be: boolean): Buffer {
  const head = Buffer.alloc(8);
  u16w(head, be)(0, iface.linkType);
  u32w(head, be)(4, iface.snaplen ?? 0);
  const opts: { code: number; value: Uint8Array }[] = [];
  if (iface.tsresol !== undefined) opts.push({ code: 9, value: Uint8Array.of(iface.tsresol) });
  if (iface.tsoffset !== undefined) {
    const v = Buffer.alloc(8);
    if (be) v.writeBigInt64BE(BigInt(iface.tsoffset));
    else v.writeBigInt64LE(BigInt(iface.tsoffset));
    opts.push({ code: 14, value: v });
  }
  return block(BLOCK.IDB, Buffer.concat([head, options(opts, be)]), be);
}

function timedUnits(b: TimedBlock, ifaces: readonly PcapngInterface[]): bigint {
  if (b.ts !== undefined) return b.ts;
  const iface = ifaces[b.interfaceId ?? 0] ?? { linkType: 1 };
  return toUnits(b.tsSec ?? 0, b.tsNsec ?? 0, iface);
}

export function epb(interfaceId: number, units: bigint, data: Uint8Array, origLen: number, be: boolean): Buffer {
  const head = Buffer.alloc(20);
  const w = u32w(head, be);
  w(0, interfaceId);
  w(4, Number(units >> 32n) >>> 0);
  w(8, Number(units & 0xffffffffn) >>> 0);
  w(12, data.length);
  w(16, origLen);
  const body = Buffer.alloc(20 + pad4(data.length));
  body.set(head);
  body.set(data, 20);
  return block(BLOCK.EPB, body, be);
}

function pb(interfaceId: number, units: bigint, data: Uint8Array, origLen: number, be: boolean): Buffer {
  const body = Buffer.alloc(20 + pad4(data.length));
  u16w(body, be)(0, interfaceId);
  u16w(body, be)(2, 0); // drops count
  const w = u32w(body, be);
  w(4, Number(units >> 32n) >>> 0);
  w(8, Number(units & 0xffffffffn) >>> 0);
  w(12, data.length);
  w(16, origLen);
  body.set(data, 20);
  return block(BLOCK.PB, body, be);
}

function spb(data: Uint8Array, origLen: number, be: boolean): Buffer {
  const body = Buffer.alloc(4 + pad4(data.length));
  u32w(body, be)(0, origLen);
  body.set(data, 4);
  return block(BLOCK.SPB, body, be);
}

export function writePcapngSection(s: PcapngSection): Buffer {
  const be = s.bigEndian ?? false;
  const parts: Buffer[] = [shb(be)];
  for (const i of s.interfaces) parts.push(idb(i, be));
  for (const b of s.blocks) {
    switch (b.type) {
      case 'epb':
        parts.push(epb(b.interfaceId ?? 0, timedUnits(b, s.interfaces), b.data, b.origLen ?? b.data.length, be));
        break;
      case 'pb':
        parts.push(pb(b.interfaceId ?? 0, timedUnits(b, s.interfaces), b.data, b.origLen ?? b.data.length, be));
        break;
      case 'spb':
        parts.push(spb(b.data, b.origLen ?? b.data.length, be));
        break;
      case 'raw':
        parts.push(block(b.blockType, b.body, be));
        break;
    }
  }
  return Buffer.concat(parts);
}

export function writePcapng(sections: PcapngSection | readonly PcapngSection[]): Buffer {
  const list = Array.isArray(sections) ? (sections as readonly PcapngSection[]) : [sections as PcapngSection];
  return Buffer.concat(list.map(writePcapngSection));
}

export interface PcapngSimpleOptions {
  linkType?: number;
  tsresol?: number;
  snaplen?: number;
  bigEndian?: boolean;
}

/** One section, one interface, one EPB per record: the pcapng twin of writePcap. */
export function writePcapngRecords(records: readonly PcapRecord[], opts: PcapngSimpleOptions = {}): Buffer {
  const iface: PcapngInterface = { linkType: opts.linkType ?? LINKTYPE.ETHERNET, snaplen: opts.snaplen ?? 0 };
  if (opts.tsresol !== undefined) iface.tsresol = opts.tsresol;
  return writePcapng({
    bigEndian: opts.bigEndian ?? false,
    interfaces: [iface],
    blocks: records.map((r) => ({ type: 'epb' as const, tsSec: r.tsSec, tsNsec: r.tsNsec, data: r.data, origLen: r.origLen })),
  });
}

/** Streaming pcapng with one interface: header() = SHB + IDB, record() = one EPB. */
export class PcapngWriter {
  readonly iface: PcapngInterface;
  readonly bigEndian: boolean;
  constructor(opts: PcapngSimpleOptions = {}) {
    this.iface = { linkType: opts.linkType ?? LINKTYPE.ETHERNET, snaplen: opts.snaplen ?? 0 };
    if (opts.tsresol !== undefined) this.iface.tsresol = opts.tsresol;
    this.bigEndian = opts.bigEndian ?? false;
  }
  header(): Buffer {
    return Buffer.concat([shb(this.bigEndian), idb(this.iface, this.bigEndian)]);
  }
  record(tsSec: number, tsNsec: number, data: Uint8Array, origLen?: number): Buffer {
    return epb(0, toUnits(tsSec, tsNsec, this.iface), data, origLen ?? data.length, this.bigEndian);
  }
}

// ---------------------------------------------------------------------------------------------
// Packets

export interface TcpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** Number, or letters from 'FSRPAUEC'. Default 'PA' with a payload, 'A' without. */
  flags?: number | string;
  payload?: Uint8Array | string;
  window?: number;
  /** Raw TCP options (padded to 4 bytes with NOPs... zeros = EOL). */
  tcpOptions?: Uint8Array;
  /** 802.1Q VLAN id (Ethernet only). */
  vlan?: number;
  ttl?: number;
  ipId?: number;
  /** Compute the TCP checksum (default true); false leaves 0. */
  tcpChecksum?: boolean;
  srcMac?: string;
  dstMac?: string;
}

export const ETHERTYPE = { IPV4: 0x0800, IPV6: 0x86dd, VLAN: 0x8100 } as const;
const IPPROTO_TCP = 6;

export function parseIPv4(s: string): Buffer {
  const parts = s.split('.');
  if (parts.length !== 4) throw new Error(`bad IPv4 address ${s}`);
  return Buffer.from(parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new Error(`bad IPv4 address ${s}`);
    return n;
  }));
}

export function parseIPv6(s: string): Buffer {
  const out = Buffer.alloc(16);
  let text = s;
  // Trailing dotted quad (::ffff:1.2.3.4).
  let tail: Buffer | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    tail = parseIPv4(text.slice(lastColon + 1));
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 address ${s}`);
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - rest.length).fill('0'), ...rest] : head;
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${s}`);
  groups.forEach((g, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`bad IPv6 address ${s}`);
    out.writeUInt16BE(parseInt(g, 16), i * 2);
  });
  if (tail) out.set(tail, 12);
  return out;
}

function parseMac(s: string | undefined, dflt: number[]): Buffer {
  if (!s) return Buffer.from(dflt);
  return Buffer.from(s.split(/[:-]/).map((h) => parseInt(h, 16)));
}

export function tcpFlags(flags: number | string | undefined, hasPayload: boolean): number {
  if (typeof flags === 'number') return flags;
  const letters = flags ?? (hasPayload ? 'PA' : 'A');
  let f = 0;
  for (const c of letters.toUpperCase()) {
    const bit = 'FSRPAUEC'.indexOf(c);
    if (bit < 0) throw new Error(`bad TCP flag letter ${c}`);
    f |= 1 << bit;
  }
  return f;
}

function payloadBytes(p: Uint8Array | string | undefined): Uint8Array {
  if (p === undefined) return new Uint8Array(0);
  return typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
}

/** RFC 1071 one's-complement sum over `parts`, folded and inverted. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = -1; // carry a dangling byte from one part into the next
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd < 0) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = -1;
      }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** TCP header + payload. `pseudo` (the IP pseudo-header) is only used for the checksum. */
export function tcpSegment(spec: TcpSpec, pseudoSrc?: Buffer, pseudoDst?: Buffer): Buffer {
  const payload = payloadBytes(spec.payload);
  const opt = spec.tcpOptions ?? new Uint8Array(0);
  const hlen = 20 + pad4(opt.length);
  const b = Buffer.alloc(hlen + payload.length);
  b.writeUInt16BE(spec.sport, 0);
  b.writeUInt16BE(spec.dport, 2);
  b.writeUInt32BE((spec.seq ?? 0) >>> 0, 4);
  b.writeUInt32BE((spec.ack ?? 0) >>> 0, 8);
  const flags = tcpFlags(spec.flags, payload.length > 0);
  b.writeUInt16BE(((hlen / 4) << 12) | (flags & 0x1ff), 12);
  b.writeUInt16BE(spec.window ?? 65535, 14);
  b.set(opt, 20);
  b.set(payload, hlen);
  if (pseudoSrc && pseudoDst && spec.tcpChecksum !== false) {
    const ph = Buffer.alloc(pseudoSrc.length === 4 ? 12 : 40);
    if (pseudoSrc.length === 4) {
      ph.set(pseudoSrc, 0);
      ph.set(pseudoDst, 4);
      ph[9] = IPPROTO_TCP;
      ph.writeUInt16BE(b.length, 10);
    } else {
      ph.set(pseudoSrc, 0);
      ph.set(pseudoDst, 16);
      ph.writeUInt32BE(b.length, 32);
      ph[39] = IPPROTO_TCP;
    }
    b.writeUInt16BE(internetChecksum(ph, b), 16);
  }
  return b;
}

/** IPv4 header (no options, DF set) + TCP. */
export function ipv4Tcp(spec: TcpSpec): Buffer {
  const src = parseIPv4(spec.src);
  const dst = parseIPv4(spec.dst);
  const tcp = tcpSegment(spec, src, dst);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + tcp.length, 2);
  ip.writeUInt16BE((spec.ipId ?? 0) & 0xffff, 4);
  ip.writeUInt16BE(0x4000, 6); // DF
  ip[8] = spec.ttl ?? 64;
  ip[9] = IPPROTO_TCP;
  ip.set(src, 12);
  ip.set(dst, 16);
  ip.writeUInt16BE(internetChecksum(ip), 10);
  return Buffer.concat([ip, tcp]);
}

/** IPv6 fixed header + TCP (no extension headers). */
export function ipv6Tcp(spec: TcpSpec): Buffer {
  const src = parseIPv6(spec.src);
  const dst = parseIPv6(spec.dst);
  const tcp = tcpSegment(spec, src, dst);
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(tcp.length, 4);
  ip[6] = IPPROTO_TCP;
  ip[7] = spec.ttl ?? 64;
  ip.set(src, 8);
  ip.set(dst, 24);
  return Buffer.concat([ip, tcp]);
}

export function ethernet(payload: Uint8Array, etherType: number, opts: { vlan?: number; srcMac?: string; dstMac?: string } = {}): Buffer {
  const dst = parseMac(opts.dstMac, [0x02, 0, 0, 0, 0, 0x02]);
  const src = parseMac(opts.srcMac, [0x02, 0, 0, 0, 0, 0x01]);
  const tag = opts.vlan !== undefined ? 4 : 0;
  const b = Buffer.alloc(14 + tag + payload.length);
  b.set(dst, 0);
  b.set(src, 6);
  if (opts.vlan !== undefined) {
    b.writeUInt16BE(ETHERTYPE.VLAN, 12);
    b.writeUInt16BE(opts.vlan & 0x0fff, 14);
  }
  b.writeUInt16BE(etherType, 12 + tag);
  b.set(payload, 14 + tag);
  return b;
}

/** Linux cooked v1 (LINKTYPE_LINUX_SLL): 16-byte header. packetType 0 = to us, 4 = outgoing. */
export function sll(payload: Uint8Array, protocol: number, packetType = 0): Buffer {
  const b = Buffer.alloc(16 + payload.length);
  b.writeUInt16BE(packetType, 0);
  b.writeUInt16BE(1, 2); // ARPHRD_ETHER
  b.writeUInt16BE(6, 4);
  b.set([0x02, 0, 0, 0, 0, 0x01], 6);
  b.writeUInt16BE(protocol, 14);
  b.set(payload, 16);
  return b;
}

/** Linux cooked v2 (LINKTYPE_LINUX_SLL2): 20-byte header, protocol first. */
export function sll2(payload: Uint8Array, protocol: number, packetType = 0, ifindex = 1): Buffer {
  const b = Buffer.alloc(20 + payload.length);
  b.writeUInt16BE(protocol, 0);
  b.writeUInt32BE(ifindex, 4);
  b.writeUInt16BE(1, 8); // ARPHRD_ETHER
  b[10] = packetType;
  b[11] = 6;
  b.set([0x02, 0, 0, 0, 0, 0x01], 12);
  b.set(payload, 20);
  return b;
}

/** AF_ values seen in NULL/LOOP headers: IPv6 differs per OS (24 BSD, 28 FreeBSD, 30 macOS). */
export const AF = { INET: 2, INET6_BSD: 24, INET6_FREEBSD: 28, INET6_DARWIN: 30 } as const;

/** BSD loopback (LINKTYPE_NULL): 4-byte address family in the capturing host's byte order. */
export function nullLoopback(payload: Uint8Array, family: number, bigEndian = false): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  if (bigEndian) b.writeUInt32BE(family, 0);
  else b.writeUInt32LE(family, 0);
  b.set(payload, 4);
  return b;
}

export const ethernetIPv4Tcp = (s: TcpSpec): Buffer => ethernet(ipv4Tcp(s), ETHERTYPE.IPV4, s);
export const ethernetIPv6Tcp = (s: TcpSpec): Buffer => ethernet(ipv6Tcp(s), ETHERTYPE.IPV6, s);
export const rawIPv4Tcp = ipv4Tcp;
export const rawIPv6Tcp = ipv6Tcp;
export const sllIPv4Tcp = (s: TcpSpec): Buffer => sll(ipv4Tcp(s), ETHERTYPE.IPV4);
export const sllIPv6Tcp = (s: TcpSpec): Buffer => sll(ipv6Tcp(s), ETHERTYPE.IPV6);
export const sll2IPv4Tcp = (s: TcpSpec): Buffer => sll2(ipv4Tcp(s), ETHERTYPE.IPV4);
export const sll2IPv6Tcp = (s: TcpSpec): Buffer => sll2(ipv6Tcp(s), ETHERTYPE.IPV6);
export const nullIPv4Tcp = (s: TcpSpec): Buffer => nullLoopback(ipv4Tcp(s), AF.INET);
export const nullIPv6Tcp = (s: TcpSpec): Buffer => nullLoopback(ipv6Tcp(s), AF.INET6_BSD);

// ---------------------------------------------------------------------------------------------

function u32w(b: Buffer, be: boolean): (off: number, v: number) => void {
  return be ? (o, v) => b.writeUInt32BE(v >>> 0, o) : (o, v) => b.writeUInt32LE(v >>> 0, o);
}

function u16w(b: Buffer, be: boolean): (off: number, v: number) => void {
  return be ? (o, v) => b.writeUInt16BE(v & 0xffff, o) : (o, v) => b.writeUInt16LE(v & 0xffff, o);
}
