// Streaming push parser for classic pcap and pcapng captures.
//
// Feed it chunks of the file in order with push(); it calls onFrame for every record, reusing ONE
// Frame object whose `buf`/`off` point straight into the pushed chunk when the record lies wholly
// inside it (the common case), or into an internal carry buffer when the record straddles chunks.
// end() says how the capture ended; nothing about the contents is ever thrown.
//
// Formats (names as in the specs):
//   pcap:   draft-ietf-opsawg-pcap — file header (24 bytes), record header (16 bytes) + data.
//   pcapng: draft-ietf-opsawg-pcapng — blocks: SHB, IDB, EPB, SPB, obsolete PB (type 2); every other
//           block type (NRB, ISB, DSB, custom, unknown) is skipped by its length.

import type { CaptureEnd, CaptureFormat, Frame } from './types.js';

/** Records or blocks larger than this are treated as corruption, not as data (Wireshark uses 256 MiB too). */
export const MAX_RECORD = 256 * 1024 * 1024;

const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const enum Phase {
  Sniff,
  PcapHeader,
  PcapRecords,
  Pcapng,
  Failed,
}

/** How an interface's 64-bit timestamps become seconds + nanoseconds (chosen once per IDB). */
const enum TsMode {
  /** 10^k units/s, k <= 9: ns = rem * mul. */
  DecMul,
  /** 10^k units/s, 9 < k <= 11: ns = floor(rem / mul). */
  DecDiv,
  /** 2^k units/s, k <= 23: ns = floor(rem * 1e9 / units), exact in a double. */
  Pow2,
  /** Anything else (huge resolutions): exact BigInt arithmetic, slow but rare. */
  Big,
}

const EMPTY = new Uint8Array(0);

export class CaptureReader {
  private readonly onFrame: (f: Frame) => void;
  private readonly onWarning: ((msg: string) => void) | undefined;
  private readonly frame: Frame = {
    no: 0,
    tsSec: 0,
    tsNsec: 0,
    tsDigits: 6,
    linkType: 0,
    interfaceId: 0,
    caplen: 0,
    origLen: 0,
    buf: EMPTY,
    off: 0,
  };

  private phase = Phase.Sniff;
  private format: CaptureFormat = 'pcap';
  private failure: { offset: number; reason: string } | undefined;
  /** Bytes pushed so far = file offset of the next chunk's first byte. */
  private total = 0;
  /** File offset of index 0 of the buffer being parsed (a chunk, or the carry). */
  private base = 0;

  // Bytes of a unit (record/block) that straddles chunks, gathered until it is whole.
  private carry = new Uint8Array(64 * 1024);
  private carryLen = 0;

  // Byte order of the file (pcap) or of the current section (pcapng).
  private be = false;

  // Classic pcap.
  private nanos = false;
  private snaplen = 0;
  private linkType = 0;

  // pcapng interfaces of the current section (reset at each SHB).
  private ifCount = 0;
  private ifLinkType: number[] = [];
  private ifSnaplen: number[] = [];
  private ifMode: TsMode[] = [];
  private ifUnits: number[] = [];
  private ifMul: number[] = [];
  private ifOffset: number[] = [];
  private ifDigits: number[] = [];
  private ifUnitsBig: bigint[] = [];
  private sectionNo = 0;

  private warned = new Set<string>();

  constructor(onFrame: (f: Frame) => void, onWarning?: (msg: string) => void) {
    this.onFrame = onFrame;
    this.onWarning = onWarning;
  }

  push(input: Uint8Array): void {
    // Frames are views into the chunk. Plain Uint8Array views are cheaper downstream than
    // Buffer ones (every subarray of a Buffer builds a Buffer), so drop the Buffer prototype.
    const chunk = input instanceof Buffer ? new Uint8Array(input.buffer, input.byteOffset, input.length) : input;
    const n = chunk.length;
    if (n === 0 || this.phase === Phase.Failed) {
      this.total += n;
      return;
    }
    let p = 0;

    if (this.carryLen > 0) {
      // Finish the unit that straddles the previous chunk(s). `need` grows as more of the unit is
      // known (header size first, then the whole unit), so we never copy past the unit's end.
      this.base = this.total - this.carryLen;
      for (;;) {
        const k = this.need(this.carry, 0, this.carryLen);
        if (k < 0) {
          this.total += n;
          return;
        }
        if (this.carryLen >= k) {
          this.consume(this.carry, 0, k);
          this.carryLen = 0;
          break;
        }
        const take = Math.min(k - this.carryLen, n - p);
        this.appendCarry(chunk, p, take);
        p += take;
        if (this.carryLen < k) {
          this.total += n;
          return;
        }
      }
    }

    this.base = this.total;
    p = this.phase === Phase.PcapRecords ? this.runPcap(chunk, p) : this.runGeneric(chunk, p);
    // (re-read: the parse above may have failed the file)
    if ((this.phase as Phase) !== Phase.Failed && p < n) this.appendCarry(chunk, p, n - p);
    this.total += n;
  }

  end(): CaptureEnd {
    const frames = this.frame.no;
    if (this.failure) return { status: 'invalid', frames, offset: this.failure.offset, reason: this.failure.reason };
    if (this.total === 0) return { status: 'invalid', frames, offset: 0, reason: 'empty file' };
    if (this.phase === Phase.Sniff) {
      return {
        status: 'invalid',
        frames,
        offset: 0,
        reason: `file too short to be a capture (${this.total} bytes: ${hex(this.carry, 0, this.carryLen)})`,
      };
    }
    if (this.carryLen > 0) {
      const at = this.total - this.carryLen;
      return { status: 'truncated', format: this.format, frames, offset: at, reason: this.cutReason(at) };
    }
    return { status: 'ok', format: this.format, frames };
  }

  // ------------------------------------------------------------------------------------------
  // Driving loops

  /** Hot loop for classic pcap records wholly inside `b`; returns where the first partial one starts. */
  private runPcap(b: Uint8Array, p: number): number {
    const n = b.length;
    const be = this.be;
    const f = this.frame;
    while (n - p >= PCAP_RECORD_HEADER) {
      const caplen = be ? rd32be(b, p + 8) : rd32le(b, p + 8);
      if (caplen > this.snaplen && !this.badCaplen(caplen, p)) return p;
      const len = PCAP_RECORD_HEADER + caplen;
      if (n - p < len) return p;
      f.no++;
      const frac = be ? rd32be(b, p + 4) : rd32le(b, p + 4);
      f.tsSec = be ? rd32be(b, p) : rd32le(b, p);
      f.tsNsec = this.nanos ? frac : frac * 1000;
      if (f.tsNsec >= 1_000_000_000) this.normaliseFraction(f);
      f.caplen = caplen;
      f.origLen = be ? rd32be(b, p + 12) : rd32le(b, p + 12);
      f.buf = b;
      f.off = p + PCAP_RECORD_HEADER;
      this.onFrame(f);
      p += len;
    }
    return p;
  }

  /**
   * Hot loop for pcapng: an EPB wholly inside `b` whose lengths and interface check out is
   * delivered inline; every other block (and any EPB that fails a check) takes the unit-by-unit
   * path, which also produces the failure verdicts, so both paths agree.
   */
  private runPcapng(b: Uint8Array, p: number): number {
    const n = b.length;
    const f = this.frame;
    for (;;) {
      if (this.phase !== Phase.Pcapng) return p; // failed
      const avail = n - p;
      if (avail >= 32) {
        const be = this.be;
        const len = be ? rd32be(b, p + 4) : rd32le(b, p + 4);
        if ((be ? rd32be(b, p) : rd32le(b, p)) === EPB && len <= avail && len >= 32 && (len & 3) === 0) {
          const i = be ? rd32be(b, p + 8) : rd32le(b, p + 8);
          const caplen = be ? rd32be(b, p + 20) : rd32le(b, p + 20);
          const trailer = be ? rd32be(b, p + len - 4) : rd32le(b, p + len - 4);
          if (i < this.ifCount && caplen <= len - 32 && trailer === len && len <= MAX_RECORD) {
            this.setTimestamp(f, i, be ? rd32be(b, p + 12) : rd32le(b, p + 12), be ? rd32be(b, p + 16) : rd32le(b, p + 16));
            f.no++;
            f.interfaceId = i;
            f.linkType = this.ifLinkType[i]!;
            f.tsDigits = this.ifDigits[i]!;
            f.caplen = caplen;
            f.origLen = be ? rd32be(b, p + 24) : rd32le(b, p + 24);
            f.buf = b;
            f.off = p + 28;
            this.onFrame(f);
            p += len;
            continue;
          }
        }
      }
      const k = this.needBlock(b, p, avail);
      if (k < 0 || avail < k) return p;
      this.block(b, p, k);
      p += k;
    }
  }

  /** Unit by unit: sniffing, file header, pcapng blocks. Switches to runPcap once records start. */
  private runGeneric(b: Uint8Array, p: number): number {
    const n = b.length;
    for (;;) {
      if (this.phase === Phase.PcapRecords) return this.runPcap(b, p);
      if (this.phase === Phase.Pcapng) return this.runPcapng(b, p);
      const k = this.need(b, p, n - p);
      if (k < 0 || n - p < k) return p;
      this.consume(b, p, k);
      p += k;
    }
  }

  /**
   * Bytes needed for the next unit starting at b[p], given `avail` bytes there: the header size
   * while the header is incomplete, then the whole unit. -1 once the file is invalid.
   */
  private need(b: Uint8Array, p: number, avail: number): number {
    switch (this.phase) {
      case Phase.Sniff:
        if (avail < 4) return 4;
        if (!this.sniff(b, p)) return -1;
        return this.need(b, p, avail);
      case Phase.PcapHeader:
        return PCAP_FILE_HEADER;
      case Phase.PcapRecords: {
        if (avail < PCAP_RECORD_HEADER) return PCAP_RECORD_HEADER;
        const caplen = this.be ? rd32be(b, p + 8) : rd32le(b, p + 8);
        if (caplen > this.snaplen && !this.badCaplen(caplen, p)) return -1;
        return PCAP_RECORD_HEADER + caplen;
      }
      case Phase.Pcapng:
        return this.needBlock(b, p, avail);
      case Phase.Failed:
        return -1;
    }
  }

  private consume(b: Uint8Array, p: number, len: number): void {
    switch (this.phase) {
      case Phase.PcapHeader:
        this.pcapHeader(b, p);
        return;
      case Phase.PcapRecords:
        this.runPcap(b.length === p + len ? b : b.subarray(0, p + len), p);
        return;
      case Phase.Pcapng:
        this.block(b, p, len);
        return;
      default:
        return;
    }
  }

  private appendCarry(src: Uint8Array, p: number, len: number): void {
    const want = this.carryLen + len;
    if (want > this.carry.length) {
      const grown = new Uint8Array(Math.max(want, this.carry.length * 2));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(src.subarray(p, p + len), this.carryLen);
    this.carryLen = want;
  }

  private fail(offset: number, reason: string): void {
    this.phase = Phase.Failed;
    this.failure = { offset, reason };
  }

  private warn(key: string, msg: string): void {
    if (!this.onWarning || this.warned.has(key)) return;
    this.warned.add(key);
    this.onWarning(msg);
  }

  // ------------------------------------------------------------------------------------------
  // Format sniffing and classic pcap

  private sniff(b: Uint8Array, p: number): boolean {
    const le = rd32le(b, p);
    switch (le) {
      case 0xa1b2c3d4: // µs, written little-endian
      case 0xd4c3b2a1:
      case 0xa1b23c4d: // ns
      case 0x4d3cb2a1:
        this.format = 'pcap';
        this.be = le === 0xd4c3b2a1 || le === 0x4d3cb2a1;
        this.nanos = le === 0xa1b23c4d || le === 0x4d3cb2a1;
        this.phase = Phase.PcapHeader;
        return true;
      case SHB:
        this.format = 'pcapng';
        this.phase = Phase.Pcapng;
        return true;
    }
    if (b[p] === 0x1f && b[p + 1] === 0x8b) {
      this.fail(0, 'gzip-compressed data: decompress it before the capture reader (readCapture does)');
    } else {
      this.fail(0, `not a pcap or pcapng capture (starts with ${hex(b, p, 4)})`);
    }
    return false;
  }

  private pcapHeader(b: Uint8Array, p: number): void {
    const be = this.be;
    const major = rd16(b, p + 4, be);
    const minor = rd16(b, p + 6, be);
    if (major !== 2 || minor !== 4) this.warn('version', `pcap version ${major}.${minor} (expected 2.4); reading it as 2.4`);
    this.snaplen = rd32(b, p + 16, be);
    // A snaplen of 0 appears in some writers' files; treat it as "no limit" (max record size).
    if (this.snaplen === 0 || this.snaplen > MAX_RECORD) this.snaplen = MAX_RECORD;
    // The upper bits carry the FCS length and reserved flags (pcap draft §4, LinkType and
    // additional information); the link type proper is the low 16 bits, as libpcap's LT_LINKTYPE.
    this.linkType = rd32(b, p + 20, be) & 0xffff;
    const f = this.frame;
    f.linkType = this.linkType;
    f.interfaceId = 0;
    f.tsDigits = this.nanos ? 9 : 6;
    this.phase = Phase.PcapRecords;
  }

  /** caplen above snaplen: an invalid end (returns false), as the record length cannot be trusted. */
  private badCaplen(caplen: number, p: number): boolean {
    const at = this.base + p;
    const limit = this.snaplen === MAX_RECORD ? `the ${MAX_RECORD}-byte limit` : `the snaplen ${this.snaplen}`;
    this.fail(at, `record ${this.frame.no + 1} at offset ${at} has caplen ${caplen}, above ${limit}`);
    return false;
  }

  /** A µs/ns field of a full second or more: carry it into the seconds rather than emit nonsense. */
  private normaliseFraction(f: Frame): void {
    this.warn('frac', `frame ${f.no}: timestamp fraction of ${f.tsNsec} ns is a second or more; carried into seconds`);
    f.tsSec += Math.floor(f.tsNsec / 1_000_000_000);
    f.tsNsec %= 1_000_000_000;
  }

  // ------------------------------------------------------------------------------------------
  // pcapng

  private needBlock(b: Uint8Array, p: number, avail: number): number {
    if (avail < 8) return 8;
    const type = rd32le(b, p); // the SHB type is a palindrome: readable before we know the order
    if (type === SHB) {
      if (avail < 12) return 12;
      const bom = rd32le(b, p + 8);
      if (bom === BYTE_ORDER_MAGIC) this.be = false;
      else if (bom === 0x4d3c2b1a) this.be = true;
      else {
        this.fail(this.base + p + 8, `section header block with bad byte-order magic ${hex(b, p + 8, 4)}`);
        return -1;
      }
    }
    const len = rd32(b, p + 4, this.be);
    const at = this.base + p;
    // Block total length: at least type + length + trailing length, and a multiple of 4
    // (pcapng §3.1: block bodies are padded to 32 bits).
    if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
      this.fail(at, `block at offset ${at} (type 0x${typeHex(rd32(b, p, this.be))}) has impossible length ${len}`);
      return -1;
    }
    return len;
  }

  private block(b: Uint8Array, p: number, len: number): void {
    const be = this.be;
    const type = rd32(b, p, be);
    const at = this.base + p;
    if (rd32(b, p + len - 4, be) !== len) {
      this.fail(at, `block at offset ${at}: trailing length ${rd32(b, p + len - 4, be)} differs from leading length ${len}`);
      return;
    }
    switch (type) {
      case SHB:
        this.sectionHeader(b, p, len, at);
        return;
      case IDB:
        this.interfaceDescription(b, p, len, at);
        return;
      case EPB:
        this.enhancedPacket(b, p, len, at);
        return;
      case SPB:
        this.simplePacket(b, p, len, at);
        return;
      case PB:
        this.obsoletePacket(b, p, len, at);
        return;
      default:
        // NRB, ISB, DSB, custom and unknown blocks carry nothing we deliver (pcapng §3.1: a reader
        // skips blocks it does not understand).
        return;
    }
  }

  private sectionHeader(b: Uint8Array, p: number, len: number, at: number): void {
    if (len < 28) {
      this.fail(at, `section header block at offset ${at} is too short (${len} bytes)`);
      return;
    }
    const major = rd16(b, p + 12, this.be);
    const minor = rd16(b, p + 14, this.be);
    if (major !== 1) {
      this.fail(at, `section header block at offset ${at}: unsupported pcapng version ${major}.${minor}`);
      return;
    }
    // A new section starts with no interfaces (pcapng §4.1).
    this.ifCount = 0;
    this.sectionNo++;
  }

  private interfaceDescription(b: Uint8Array, p: number, len: number, at: number): void {
    const be = this.be;
    if (len < 20) {
      this.fail(at, `interface description block at offset ${at} is too short (${len} bytes)`);
      return;
    }
    const i = this.ifCount++;
    this.ifLinkType[i] = rd16(b, p + 8, be);
    const snap = rd32(b, p + 12, be);
    this.ifSnaplen[i] = snap === 0 ? MAX_RECORD : snap;
    let tsresol = 6;
    let offsetSec = 0;
    // Options: code, length, value padded to 32 bits, ending with opt_endofopt or the block end.
    const end = p + len - 4;
    let o = p + 16;
    while (o + 4 <= end) {
      const code = rd16(b, o, be);
      const olen = rd16(b, o + 2, be);
      if (code === 0) break;
      if (o + 4 + olen > end) {
        this.warn(`idbopt${this.sectionNo}.${i}`, `interface ${i}: option ${code} runs past the end of its block; options ignored from there`);
        break;
      }
      if (code === 9 && olen === 1) tsresol = b[o + 4]!;
      else if (code === 14 && olen === 8) {
        // if_tsoffset: signed 64-bit seconds, added to every timestamp of the interface.
        const hi = rd32(b, o + 4 + (be ? 0 : 4), be) | 0;
        const lo = rd32(b, o + 4 + (be ? 4 : 0), be);
        offsetSec = hi * 4294967296 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.setResolution(i, tsresol, offsetSec);
  }

  /** pcapng §4.2 if_tsresol: high bit clear = 10^-v s, set = 2^-v s; default 10^-6. */
  private setResolution(i: number, tsresol: number, offsetSec: number): void {
    const pow2 = (tsresol & 0x80) !== 0;
    const v = tsresol & 0x7f;
    this.ifOffset[i] = offsetSec;
    this.ifUnitsBig[i] = pow2 ? 1n << BigInt(v) : 10n ** BigInt(v);
    this.ifDigits[i] = tsharkDigits(pow2 ? 2 ** v : 10 ** v);
    if (!pow2 && v <= 9) {
      this.ifMode[i] = TsMode.DecMul;
      this.ifUnits[i] = 10 ** v;
      this.ifMul[i] = 10 ** (9 - v);
    } else if (!pow2 && v <= 11) {
      this.ifMode[i] = TsMode.DecDiv;
      this.ifUnits[i] = 10 ** v;
      this.ifMul[i] = 10 ** (v - 9);
    } else if (pow2 && v <= 23) {
      this.ifMode[i] = TsMode.Pow2;
      this.ifUnits[i] = 2 ** v;
      this.ifMul[i] = 0;
    } else {
      this.ifMode[i] = TsMode.Big;
      this.ifUnits[i] = 0;
      this.ifMul[i] = 0;
    }
  }

  /** Sets f.tsSec/f.tsNsec from a 64-bit timestamp (hi:lo) in interface i's units. */
  private setTimestamp(f: Frame, i: number, hi: number, lo: number): void {
    const mode = this.ifMode[i]!;
    if (mode === TsMode.Big) {
      const units = this.ifUnitsBig[i]!;
      const ts = (BigInt(hi) << 32n) | BigInt(lo);
      f.tsSec = Number(ts / units) + this.ifOffset[i]!;
      f.tsNsec = Number(((ts % units) * 1_000_000_000n) / units);
      return;
    }
    // Long division of hi·2^32 + lo by U. Every dividend stays below U·2^16 <= 2^53 (U <= 10^11
    // < 2^37), so it is an exact double; quotients come from a float division corrected by one
    // (no `%`: on doubles V8 calls fmod, which dominated the profile).
    const u = this.ifUnits[i]!;
    let q = Math.floor(hi / u);
    let r = hi - q * u;
    let sec = q * 4294967296;
    if (u <= 1048576) {
      // U <= 2^20 (µs, ms, 2^-20): r·2^32 + lo < 2^52 in one step.
      const x = r * 4294967296 + lo;
      q = Math.floor(x / u);
      r = x - q * u;
      if (r < 0) (q -= 1), (r += u);
      else if (r >= u) (q += 1), (r -= u);
      sec += q;
    } else {
      let x = r * 65536 + (lo >>> 16);
      q = Math.floor(x / u);
      r = x - q * u;
      if (r < 0) (q -= 1), (r += u);
      else if (r >= u) (q += 1), (r -= u);
      sec += q * 65536;
      x = r * 65536 + (lo & 0xffff);
      q = Math.floor(x / u);
      r = x - q * u;
      if (r < 0) (q -= 1), (r += u);
      else if (r >= u) (q += 1), (r -= u);
      sec += q;
    }
    f.tsSec = sec + this.ifOffset[i]!;
    if (mode === TsMode.DecMul) f.tsNsec = r * this.ifMul[i]!;
    else if (mode === TsMode.DecDiv) f.tsNsec = Math.floor(r / this.ifMul[i]!);
    else f.tsNsec = Math.floor((r * 1_000_000_000) / u); // r < 2^23: product < 2^53
  }

  private checkInterface(i: number, what: string, at: number): boolean {
    if (i < this.ifCount) return true;
    this.fail(at, `${what} at offset ${at} refers to interface ${i}, but the section defines ${this.ifCount}`);
    return false;
  }

  private deliver(b: Uint8Array, i: number, dataOff: number, caplen: number, origLen: number): void {
    const f = this.frame;
    f.no++;
    f.interfaceId = i;
    f.linkType = this.ifLinkType[i]!;
    f.tsDigits = this.ifDigits[i]!;
    f.caplen = caplen;
    f.origLen = origLen;
    f.buf = b;
    f.off = dataOff;
    this.onFrame(f);
  }

  private enhancedPacket(b: Uint8Array, p: number, len: number, at: number): void {
    const be = this.be;
    if (len < 32) {
      this.fail(at, `enhanced packet block at offset ${at} is too short (${len} bytes)`);
      return;
    }
    const i = rd32(b, p + 8, be);
    if (!this.checkInterface(i, 'enhanced packet block', at)) return;
    const caplen = rd32(b, p + 20, be);
    if (caplen > len - 32) {
      this.fail(at, `enhanced packet block at offset ${at}: caplen ${caplen} exceeds the block (${len} bytes)`);
      return;
    }
    this.setTimestamp(this.frame, i, rd32(b, p + 12, be), rd32(b, p + 16, be));
    this.deliver(b, i, p + 28, caplen, rd32(b, p + 24, be));
  }

  private obsoletePacket(b: Uint8Array, p: number, len: number, at: number): void {
    const be = this.be;
    if (len < 32) {
      this.fail(at, `packet block at offset ${at} is too short (${len} bytes)`);
      return;
    }
    const i = rd16(b, p + 8, be);
    if (!this.checkInterface(i, 'packet block', at)) return;
    const caplen = rd32(b, p + 20, be);
    if (caplen > len - 32) {
      this.fail(at, `packet block at offset ${at}: caplen ${caplen} exceeds the block (${len} bytes)`);
      return;
    }
    this.setTimestamp(this.frame, i, rd32(b, p + 12, be), rd32(b, p + 16, be));
    this.deliver(b, i, p + 28, caplen, rd32(b, p + 24, be));
  }

  private simplePacket(b: Uint8Array, p: number, len: number, at: number): void {
    if (len < 16) {
      this.fail(at, `simple packet block at offset ${at} is too short (${len} bytes)`);
      return;
    }
    // pcapng §4.4: an SPB belongs to interface 0, has no timestamp, and its captured length is
    // the original length cut to interface 0's snaplen (the block itself is padded).
    if (!this.checkInterface(0, 'simple packet block', at)) return;
    const origLen = rd32(b, p + 8, this.be);
    const caplen = Math.min(origLen, this.ifSnaplen[0]!, len - 16);
    const f = this.frame;
    f.tsSec = 0;
    f.tsNsec = 0;
    this.deliver(b, 0, p + 12, caplen, origLen);
  }

  // ------------------------------------------------------------------------------------------

  /** Which unit the file ends inside, for a `truncated` end whose partial unit starts at `at`. */
  private cutReason(at: number): string {
    const have = this.carryLen;
    const next = this.frame.no + 1;
    switch (this.phase) {
      case Phase.PcapHeader:
        return `file ends inside the pcap file header (${have} of ${PCAP_FILE_HEADER} bytes)`;
      case Phase.PcapRecords: {
        if (have < PCAP_RECORD_HEADER) {
          return `file ends inside the record header of frame ${next} at offset ${at} (${have} of ${PCAP_RECORD_HEADER} bytes)`;
        }
        const want = PCAP_RECORD_HEADER + rd32(this.carry, 8, this.be);
        return `file ends inside the record of frame ${next} at offset ${at} (${have} of ${want} bytes)`;
      }
      default: {
        if (have < 8 || (have < 12 && rd32le(this.carry, 0) === SHB)) {
          return `file ends inside a block header at offset ${at} (${have} bytes)`;
        }
        const type = rd32(this.carry, 0, this.be);
        const want = rd32(this.carry, 4, this.be);
        return `file ends inside a block (type 0x${typeHex(type)}) at offset ${at} (${have} of ${want} bytes)`;
      }
    }
  }
}

/**
 * Digits of the fraction tshark shows for a resolution: Wireshark sorts resolutions into
 * s/ds/cs/ms/µs/ns buckets (wiretap's WTAP_TSPREC_*), rounding down, so 10^-4 and 2^-10 show 3
 * digits and 2^-20 shows 6. Matching it lets our Time column equal tshark's.
 */
export function tsharkDigits(unitsPerSecond: number): number {
  if (unitsPerSecond >= 1e9) return 9;
  if (unitsPerSecond >= 1e6) return 6;
  if (unitsPerSecond >= 1e3) return 3;
  if (unitsPerSecond >= 100) return 2;
  if (unitsPerSecond >= 10) return 1;
  return 0;
}

function rd32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function rd32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function rd32(b: Uint8Array, o: number, be: boolean): number {
  return be ? rd32be(b, o) : rd32le(b, o);
}

function rd16(b: Uint8Array, o: number, be: boolean): number {
  return be ? (b[o]! << 8) | b[o + 1]! : b[o]! | (b[o + 1]! << 8);
}

function hex(b: Uint8Array, p: number, n: number): string {
  const out: string[] = [];
  for (let i = p; i < p + n && i < b.length; i++) out.push(b[i]!.toString(16).padStart(2, '0'));
  return out.join(' ');
}

function typeHex(t: number): string {
  return t.toString(16).padStart(8, '0');
}
