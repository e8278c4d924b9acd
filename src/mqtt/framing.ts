// MQTT packet boundaries in one direction of a TCP stream.
//
// "Boundary first, then body": the fixed header (type/flags byte + Remaining Length) tells where
// a control packet ends (MQTT 3.1.1 §2.2, 5.0 §2.1.1); the body is decoded elsewhere (decode.ts).
// Packets share segments and span them, so the framer is a small state machine fed with
// whatever bytes the reassembler hands over.

import type { FrameResult } from './types.js';

/** Largest Remaining Length a 4-byte Variable Byte Integer can carry (MQTT 5.0 §1.5.5). */
export const MAX_REMAINING_LENGTH = 268_435_455;
/** Largest whole packet: 1 type byte + 4 length bytes + MAX_REMAINING_LENGTH ("256 MB"). */
export const MAX_PACKET_SIZE = MAX_REMAINING_LENGTH + 5;

/**
 * Reads the fixed header at `buf[off .. off+len)`.
 * - ok: the header is complete; `totalLength` may exceed `len` (the caller compares).
 * - incomplete: `needed` more bytes are required to finish the *header* (the varint may be
 *   split across segments; we never guess).
 * - malformed: a 5th length byte would be needed (MQTT-1.5.5 / 3.1.1 §2.2.3: at most four);
 *   `offset` is relative to `off`.
 */
export function readFixedHeader(buf: Uint8Array, off: number, len: number): FrameResult {
  if (len < 2) return { status: 'incomplete', needed: 2 - len };
  let value = 0;
  let mult = 1;
  for (let i = 1; i <= 4; i++) {
    if (i >= len) return { status: 'incomplete', needed: 1 };
    const b = buf[off + i]!;
    value += (b & 0x7f) * mult;
    if ((b & 0x80) === 0) {
      return { status: 'ok', headerLength: i + 1, remainingLength: value, totalLength: i + 1 + value };
    }
    mult *= 128;
  }
  return { status: 'malformed', reason: 'remaining-length-too-long', offset: 4 };
}

const INCOMPLETE = -1;
const MALFORMED = -2;

/** Is `buf[start .. end)` a whole number of packets (by their Remaining Lengths, each within
 *  `limit`), the last ending exactly at `end`? */
export function tilesExactly(buf: Uint8Array, start: number, end: number, limit: number): boolean {
  let p = start;
  while (p < end) {
    const total = totalLengthAt(buf, p, end);
    if (total < 0 || total > limit) return false;
    p += total;
  }
  return p === end && end > start;
}

/**
 * readFixedHeader for the framer's hot path, without a result object: the total packet size at
 * `buf[off]` (always >= 2), INCOMPLETE when the header runs past `end`, MALFORMED when a 5th
 * Remaining Length byte would be needed (MQTT-1.5.5).
 */
function totalLengthAt(buf: Uint8Array, off: number, end: number): number {
  let value = 0;
  let mult = 1;
  for (let i = 1; i <= 4; i++) {
    if (off + i >= end) return INCOMPLETE;
    const b = buf[off + i]!;
    value += (b & 0x7f) * mult;
    if ((b & 0x80) === 0) return i + 1 + value;
    mult *= 128;
  }
  return MALFORMED;
}

/** Flags each packet type must carry (3.1.1 §2.2.2 Table 2.2, 5.0 §2.1.3); -1 = PUBLISH (any but QoS 3). */
const REQUIRED_FLAGS = [-2, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];
/** Smallest plausible Remaining Length per type (used only while hunting for a header). */
const MIN_REMAINING = [0, 10, 2, 2, 2, 2, 2, 2, 5, 3, 5, 2, 0, 0, 0, 0];
/** Largest plausible Remaining Length per type for fixed-size packets (-1 = no small bound). */
const MAX_REMAINING = [0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, -1, -1];

/**
 * Would a control packet plausibly start at `buf[p]`? Used only to resynchronise after a gap or
 * a broken length: type 1-15 (0 is reserved, never the first choice), the flags the spec
 * requires for that type, a complete Remaining Length within `limit`, and the first body fields
 * that the spec constrains tightly (bodyPlausible). Returns 1 (yes), 0 (no) or -1 (cannot tell yet: not enough bytes).
 */
export function plausibleHeaderAt(buf: Uint8Array, p: number, end: number, limit: number): number {
  if (p >= end) return -1;
  const b0 = buf[p]!;
  const type = b0 >> 4;
  const req = REQUIRED_FLAGS[type]!;
  if (req === -2) return 0;
  if (req === -1) {
    if ((b0 & 0x06) === 0x06) return 0; // QoS 3 (MQTT-3.3.1-4)
  } else if ((b0 & 0x0f) !== req) {
    return 0;
  }
  let value = 0;
  let mult = 1;
  let i = 1;
  for (;;) {
    if (p + i >= end) return -1;
    const b = buf[p + i]!;
    value += (b & 0x7f) * mult;
    if ((b & 0x80) === 0) break;
    if (i === 4) return 0;
    mult *= 128;
    i++;
  }
  // Non-minimal encodings (MQTT-1.5.5-1) are rare enough in real traffic to reject here.
  if (i > 1 && buf[p + i] === 0) return 0;
  if (value < MIN_REMAINING[type]! || value + i + 1 > limit) return 0;
  const max = MAX_REMAINING[type]!;
  if (max >= 0 && value > max) return 0;
  return bodyPlausible(buf, p + i + 1, end, type, b0, value);
}

/** v5 reason codes valid per type (5.0 chapter 3), for the resync check only. */
const ACK_CODES = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
const REL_CODES = [0x00, 0x92];
const CONNACK_CODES = [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f];
const AUTH_CODES = [0x00, 0x18, 0x19];

/**
 * Cheap checks of the first body bytes of a candidate packet (body at `b`, `rl` bytes): the
 * fields whose values are tightly constrained by the spec. Reads only inside the packet.
 */
function bodyPlausible(buf: Uint8Array, b: number, end: number, type: number, b0: number, rl: number): number {
  const need = (n: number) => (n > rl ? rl : n);
  const has = (n: number) => b + need(n) <= end;
  switch (type) {
    case 1: // CONNECT: Protocol Name length 4 ("MQTT") or 6 ("MQIsdp"), starting with 'M'
      if (!has(3)) return -1;
      return buf[b] === 0 && (buf[b + 1] === 4 || buf[b + 1] === 6) && buf[b + 2] === 0x4d ? 1 : 0;
    case 2: { // CONNACK: flags 0/1; v3.1.1 codes 0-5, v5 codes + property length = the rest
      if (!has(3)) return -1;
      if (buf[b]! > 1) return 0;
      const rc = buf[b + 1]!;
      if (rl === 2) return rc <= 5 || CONNACK_CODES.includes(rc) ? 1 : 0;
      return CONNACK_CODES.includes(rc) ? propLengthIsRest(buf, b + 2, end, rl - 2) : 0;
    }
    case 3: { // PUBLISH: the Topic Length (and Packet Identifier) must fit
      if (!has(2)) return -1;
      const topicLen = (buf[b]! << 8) | buf[b + 1]!;
      return topicLen + 2 + ((b0 & 0x06) !== 0 ? 2 : 0) <= rl ? 1 : 0;
    }
    case 4: case 5: case 6: case 7: { // PUBACK..PUBCOMP: id, then v5 reason code + properties
      if (rl === 2) return 1;
      if (!has(3)) return -1;
      const rc = buf[b + 2]!;
      if (!(type === 6 || type === 7 ? REL_CODES : ACK_CODES).includes(rc)) return 0;
      return rl === 3 ? 1 : propLengthIsRest(buf, b + 3, end, rl - 3);
    }
    case 14: case 15: { // DISCONNECT / AUTH (v5): reason code + properties
      if (rl === 0) return type === 14 ? 1 : 0;
      if (!has(1)) return -1;
      const rc = buf[b]!;
      if (type === 15 && !AUTH_CODES.includes(rc)) return 0;
      if (type === 14 && rc !== 0 && rc !== 4 && rc < 0x80) return 0;
      return rl === 1 ? 1 : propLengthIsRest(buf, b + 1, end, rl - 1);
    }
    case 8: case 10: case 9: case 11: // a Packet Identifier is never 0 (MQTT-2.3.1-1)
      if (!has(2)) return -1;
      return buf[b] !== 0 || buf[b + 1] !== 0 ? 1 : 0;
    default:
      return 1;
  }
}

/** Is there a property length at `p` covering exactly `rest` bytes (itself included)? */
function propLengthIsRest(buf: Uint8Array, p: number, end: number, rest: number): number {
  if (p >= end) return -1;
  const v0 = buf[p]!;
  if ((v0 & 0x80) === 0) return v0 + 1 === rest ? 1 : 0;
  if (p + 1 >= end) return -1;
  return (v0 & 0x7f) + buf[p + 1]! * 128 + 2 === rest ? 1 : 0;
}

export type FramerSkipReason = 'gap' | 'malformed-length' | 'oversize' | 'resync';

export interface FramerOptions {
  /** Packets declaring a larger total size are skipped, never buffered. Default MAX_PACKET_SIZE. */
  maxPacketSize?: number;
  /**
   * Told about every byte run that was not emitted as a packet:
   * 'gap' = a partial packet dropped because bytes are missing after it;
   * 'malformed-length' = a Remaining Length with a 5th byte (the bytes then hunted over are
   * reported as 'resync'); 'oversize' = a packet over the limit (`declared` = its total size),
   * skipped whole; 'resync' = bytes scanned over while looking for a plausible header.
   */
  onSkip?: (reason: FramerSkipReason, bytes: number, declared: number) => void;
}

const enum Mode {
  /** At a packet boundary, or inside a packet held in `pend`. */
  Sync,
  /** Looking for a plausible header after a gap or a broken length. */
  Hunt,
  /** Skipping the rest of an oversize packet. */
  Skip,
}

/** Header scan window: fixed header (5) + the body bytes bodyPlausible looks at (5). */
const WINDOW = 10;
const NO_BYTES = new Uint8Array(0);
/** Smallest `pend` buffer. */
const PEND_MIN = 256;

// Buffers of framers whose stream ended, for the framers of new streams. A `pend` is a typed
// array of its own memory (outside the JS heap above 64 bytes): making one, zeroed, and later
// freeing it cost microseconds, paid by every new stream that splits a packet. Sizes are powers
// of two from PEND_MIN to POOL_MAX_SIZE; at most POOL_PER_SIZE buffers are kept of each.
const POOL_MAX_SIZE = 1 << 16;
const POOL_PER_SIZE = 16;
/** pool[k] holds buffers of PEND_MIN << k bytes. */
const pool: Uint8Array[][] = [];
for (let size = PEND_MIN; size <= POOL_MAX_SIZE; size *= 2) pool.push([]);

function poolClass(size: number): number {
  return 31 - Math.clz32(size / PEND_MIN);
}

/** A buffer of `size` bytes (its old bytes left in place: a framer reads only what it wrote). */
function takeBuffer(size: number): Uint8Array {
  if (size <= POOL_MAX_SIZE && (size & (size - 1)) === 0 && size >= PEND_MIN) {
    const free = pool[poolClass(size)]!;
    if (free.length > 0) return free.pop()!;
  }
  return new Uint8Array(size);
}

/** Gives a buffer no packet refers to any more back to the pool (when it fits one). */
function giveBuffer(buf: Uint8Array): void {
  const size = buf.length;
  if (size > POOL_MAX_SIZE || (size & (size - 1)) !== 0 || size < PEND_MIN) return;
  const free = pool[poolClass(size)]!;
  if (free.length < POOL_PER_SIZE) free.push(buf);
}

/** dst[at ..] = src[from .. to): a plain loop for the short runs carried between feeds (no
 *  view to allocate), set() for long ones. */
function copyInto(dst: Uint8Array, at: number, src: Uint8Array, from: number, to: number): void {
  if (to - from < 64) {
    for (let i = from; i < to; i++) dst[at++] = src[i]!;
  } else {
    dst.set(src.subarray(from, to), at);
  }
}

/** Receives one complete packet: `buf[start .. end)`, valid only during the call, or, when the
 *  feed names a frame, until the framer is fed for a later frame (see feedRange). */
export type PacketEmit = (buf: Uint8Array, start: number, end: number) => void;

/**
 * One per connection direction. `feed` emits each complete packet once, in order, as a byte range
 * that is valid only during the `emit` call: in the caller's bytes when the packet lies wholly
 * inside them (no copy, no view), else in an internal buffer reused across packets.
 */
export class MqttStreamFramer {
  private readonly limit: number;
  private readonly onSkip: FramerOptions['onSkip'];
  private mode: Mode = Mode.Sync;
  /** Bytes of a packet (or, while hunting, of an undecided tail) carried over between feeds.
   *  Allocated on first use: many directions never split a packet. */
  private pend: Uint8Array = NO_BYTES;
  private pendLen = 0;
  /** Total size of the packet in `pend`, 0 while its header is still incomplete. */
  private pendTotal = 0;
  private skipLeft = 0;
  /** Small scratch joining a carried-over tail with the start of the next feed (made when first
   *  needed: only after a gap or a broken length). */
  private join: Uint8Array = NO_BYTES;
  /** The frame being fed (-1: the caller asked for no more than "valid during emit"). */
  private frame = -1;
  /** The frame whose packet was last emitted from `pend` (its bytes must then stay as they are
   *  for the rest of that frame: the message's payload is a view of them). */
  private pendLent = -1;
  /** The previous `pend`, kept to be swapped back in, and the frame it was lent to. */
  private spare: Uint8Array = NO_BYTES;
  private spareLent = -1;

  constructor(opts: FramerOptions = {}) {
    this.limit = Math.min(opts.maxPacketSize ?? MAX_PACKET_SIZE, MAX_PACKET_SIZE);
    this.onSkip = opts.onSkip;
  }

  /** Bytes held for a packet not yet complete (or an undecided tail while hunting). */
  get pendingBytes(): number {
    return this.pendLen;
  }

  feed(bytes: Uint8Array, gapBefore: number, emit: PacketEmit): void {
    this.feedRange(bytes, 0, bytes.length, gapBefore, emit, -1);
  }

  /**
   * feed for the bytes `buf[start .. end)`, without a view of them (the reassembler hands over
   * offsets into the capture's own buffer). With `frame` >= 0 (a number that grows from frame
   * to frame), a packet emitted from the framer's own buffer stays intact until a feed for a
   * later frame: the packets of a frame are written out (payload views included) only once the
   * whole frame is dissected, and the same frame may carry the start of the next packet.
   */
  feedRange(bytes: Uint8Array, start: number, end: number, gapBefore: number, emit: PacketEmit, frame: number): void {
    this.frame = frame;
    // A direction joined mid-way (-1) may start inside a packet, so it is hunted for a plausible
    // header. Unless its first chunk is a whole number of packets: then it starts at a packet,
    // and is read from its first byte, as tshark reads it (a packet we would not find plausible,
    // such as a CONNACK with a reserved code, is still a packet).
    if (gapBefore !== 0 && !(gapBefore === -1 && this.fresh && tilesExactly(bytes, start, end, this.limit))) this.breakStream();
    this.fresh = false;
    let pos = start;
    while (pos < end) {
      if (this.mode === Mode.Skip) {
        const n = Math.min(this.skipLeft, end - pos);
        this.skipLeft -= n;
        pos += n;
        if (this.skipLeft === 0) this.mode = Mode.Sync;
        continue;
      }
      if (this.pendLen > 0) {
        pos = this.mode === Mode.Hunt ? this.huntJoin(bytes, pos, end) : this.fillPend(bytes, pos, end, emit);
        continue;
      }
      if (this.mode === Mode.Hunt) {
        pos = this.hunt(bytes, pos, end);
        continue;
      }
      // Fast path: packets wholly inside `bytes` are emitted in place, no copy.
      const total = totalLengthAt(bytes, pos, end);
      if (total > 0) {
        if (total > this.limit) {
          this.startSkip(total);
          continue;
        }
        if (total <= end - pos) {
          emit(bytes, pos, pos + total);
          pos += total;
          continue;
        }
        this.pendTotal = total;
        this.stash(bytes, pos, end);
        return;
      }
      if (total === INCOMPLETE) {
        this.pendTotal = 0;
        this.stash(bytes, pos, end);
        return;
      }
      this.onSkip?.('malformed-length', 1, 0);
      this.mode = Mode.Hunt;
      pos += 1;
    }
  }

  /** End of stream: what is still held is a truncated packet, for the caller to report. */
  flush(): { pendingBytes: number } {
    // An undecided hunting tail is junk, not a truncated packet; an oversize skip was reported.
    const pendingBytes = this.mode === Mode.Sync ? this.pendLen : 0;
    this.pendLen = 0;
    this.pendTotal = 0;
    this.skipLeft = 0;
    this.mode = Mode.Sync;
    this.releaseBuffers();
    return { pendingBytes };
  }

  /** The stream ended: its buffers go to the pool, except one holding a packet of the frame
   *  being fed (whose row is not written yet). */
  private releaseBuffers(): void {
    if (this.frame < 0 || this.pendLent !== this.frame) giveBuffer(this.pend);
    if (this.frame < 0 || this.spareLent !== this.frame) giveBuffer(this.spare);
    this.pend = NO_BYTES;
    this.spare = NO_BYTES;
    this.pendLent = -1;
    this.spareLent = -1;
  }

  /** Bytes are missing before the next feed: never join across the hole. */
  private breakStream(): void {
    if (this.pendLen > 0) this.onSkip?.('gap', this.pendLen, this.pendTotal);
    else if (this.mode === Mode.Skip) this.onSkip?.('gap', 0, 0);
    this.pendLen = 0;
    this.pendTotal = 0;
    this.skipLeft = 0;
    this.mode = Mode.Hunt;
  }

  private startSkip(total: number): void {
    this.onSkip?.('oversize', total, total);
    this.mode = Mode.Skip;
    this.skipLeft = total;
  }

  private stash(bytes: Uint8Array, from: number, to: number): void {
    this.keepLent();
    const n = to - from;
    this.ensurePend(Math.max(n, this.pendTotal > 0 ? Math.min(this.pendTotal, 1 << 16) : n));
    copyInto(this.pend, 0, bytes, from, to);
    this.pendLen = n;
  }

  /** About to write `pend` from its start: if its bytes were a packet of this frame, write into
   *  the spare buffer instead (or a new one, when that too holds a packet of this frame). */
  private keepLent(): void {
    if (this.frame < 0 || this.pendLent !== this.frame) return;
    const lent = this.pend;
    this.pend = this.spareLent === this.frame ? NO_BYTES : this.spare;
    this.spare = lent;
    this.spareLent = this.pendLent;
    this.pendLent = -1;
  }

  private ensurePend(n: number): void {
    if (n <= this.pend.length) return;
    let size = Math.max(this.pend.length, PEND_MIN);
    while (size < n) size *= 2;
    const next = takeBuffer(Math.min(size, Math.max(n, this.limit)));
    copyInto(next, 0, this.pend, 0, this.pendLen);
    if (this.frame < 0 || this.pendLent !== this.frame) giveBuffer(this.pend);
    this.pend = next;
  }

  /** Continue a packet held in `pend` with new bytes; returns the new read position. */
  private fillPend(bytes: Uint8Array, pos: number, end: number, emit: PacketEmit): number {
    if (this.pendTotal === 0) {
      // The header itself was split: add bytes one at a time until it parses (at most 4).
      while (pos < end) {
        this.ensurePend(this.pendLen + 1);
        this.pend[this.pendLen++] = bytes[pos++]!;
        const r = readFixedHeader(this.pend, 0, this.pendLen);
        if (r.status === 'incomplete') continue;
        if (r.status === 'malformed') {
          // Hunt again from the byte after the bad header's first byte.
          this.onSkip?.('malformed-length', 1, 0);
          this.pend.copyWithin(0, 1, this.pendLen);
          this.pendLen -= 1;
          this.mode = Mode.Hunt;
          return pos;
        }
        if (r.totalLength > this.limit) {
          const had = this.pendLen;
          this.pendLen = 0;
          this.startSkip(r.totalLength);
          this.skipLeft -= had;
          if (this.skipLeft === 0) this.mode = Mode.Sync;
          return pos;
        }
        this.pendTotal = r.totalLength;
        break;
      }
      if (this.pendTotal === 0) return pos;
    }
    const want = this.pendTotal - this.pendLen;
    const n = Math.min(want, end - pos);
    this.ensurePend(this.pendLen + n);
    copyInto(this.pend, this.pendLen, bytes, pos, pos + n);
    this.pendLen += n;
    pos += n;
    if (this.pendLen === this.pendTotal) {
      const total = this.pendTotal;
      this.pendLen = 0;
      this.pendTotal = 0;
      this.pendLent = this.frame;
      emit(this.pend, 0, total);
    }
    return pos;
  }

  /** Nothing fed yet. */
  private fresh = true;

  /** Hunt through `bytes[pos..end)`; on a plausible header, switch back to Sync there. */
  private hunt(bytes: Uint8Array, pos: number, end: number): number {
    const start = pos;
    for (; pos < end; pos++) {
      const v = plausibleHeaderAt(bytes, pos, end, this.limit);
      if (v === 1) {
        if (this.nextHeaderPlausible(bytes, pos, end)) break;
        continue;
      }
      if (v === -1) {
        // Undecidable near the end: keep the short tail for the next feed.
        if (pos > start) this.onSkip?.('resync', pos - start, 0);
        this.keepLent();
        this.ensurePend(end - pos);
        copyInto(this.pend, 0, bytes, pos, end);
        this.pendLen = end - pos;
        this.pendTotal = 0;
        return end;
      }
    }
    if (pos > start) this.onSkip?.('resync', pos - start, 0);
    if (pos < end) this.mode = Mode.Sync;
    return pos;
  }

  /**
   * A candidate found while hunting that ends inside the bytes at hand must be followed by
   * another plausible header (or end exactly there, or be undecidable): payload bytes often look
   * like one header by chance, rarely like two in a row.
   */
  private nextHeaderPlausible(bytes: Uint8Array, pos: number, end: number): boolean {
    const r = readFixedHeader(bytes, pos, end - pos);
    if (r.status !== 'ok') return true;
    const next = pos + r.totalLength;
    if (next >= end) return true;
    return plausibleHeaderAt(bytes, next, end, this.limit) !== 0;
  }

  /**
   * Hunting with an undecided tail (< WINDOW bytes) in `pend`: look at tail + the first bytes of
   * the new feed. A header found inside the tail becomes a packet in `pend`; otherwise the tail
   * is dropped and hunting goes on in `bytes` itself.
   */
  private huntJoin(bytes: Uint8Array, pos: number, end: number): number {
    const tail = this.pendLen;
    if (this.join.length === 0) this.join = new Uint8Array(WINDOW * 4);
    const take = Math.min(end - pos, this.join.length - tail);
    this.join.set(this.pend.subarray(0, tail), 0);
    this.join.set(bytes.subarray(pos, pos + take), tail);
    const jEnd = tail + take;
    for (let i = 0; i < tail; i++) {
      const v = plausibleHeaderAt(this.join, i, jEnd, this.limit);
      if (v === 0) continue;
      if (i > 0) this.onSkip?.('resync', i, 0);
      if (v === -1) {
        // Still undecided (the new feed was tiny): keep everything from i.
        this.ensurePend(jEnd - i);
        this.pend.set(this.join.subarray(i, jEnd), 0);
        this.pendLen = jEnd - i;
        return pos + take;
      }
      // A packet starts in the tail: it continues in `bytes` from `pos`.
      this.pend.copyWithin(0, i, tail);
      this.pendLen = tail - i;
      this.pendTotal = 0;
      this.mode = Mode.Sync;
      return pos;
    }
    this.onSkip?.('resync', tail, 0);
    this.pendLen = 0;
    return pos;
  }
}
