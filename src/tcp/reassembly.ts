// TCP stream reassembly (RFC 9293 sequence space): per connection and direction, payload bytes
// are handed on in sequence order, once, with gaps marked and never bridged.
//
// Sequence numbers are uint32 and wrap, so every comparison is on the signed 32-bit difference
// `(a - b) | 0` (RFC 9293 §3.4: "arithmetic modulo 2^32"). Internally they are kept as int32
// (`| 0`, the same value modulo 2^32): int32s are small integers (Smis) for V8, where uint32s
// above 2^31 are heap numbers, boxed whenever they are passed around. The flow table is keyed by a
// symmetric numeric hash of the 4-tuple (no string per frame); colliding streams chain.

import type { Frame } from '../capture/types.js';
import { TcpFlag, type TcpSegment } from '../link/types.js';
import {
  DEFAULT_REASSEMBLY_LIMITS, TcpStream,
  type Dir, type ReassemblyLimits, type ReleaseReason, type StreamSink,
} from './types.js';

const EMPTY = new Uint8Array(0);

/** Signed distance a - b in sequence space. */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Out-of-order data held until the bytes before it arrive. `lost` bytes follow `data` that the
 *  capture cut off (snaplen), so the segment covers data.length + lost sequence numbers. */
interface Pending {
  seq: number;
  data: Uint8Array;
  lost: number;
}

/** One direction of a connection. */
class Half {
  started = false;
  /** ISN for a SYN-started direction, else the first sequence number seen. */
  base = 0;
  /** Next sequence number to deliver. */
  nextSeq = 0;
  /** Sequence number of FIN, or -1 before a FIN was seen (compared modulo 2^32 via `finSet`). */
  finSeq = 0;
  finSet = false;
  /** Gap to report with the next delivery: 0 none, > 0 bytes lost, -1 unknown (mid-stream). */
  gap = 0;
  pending: Pending[] = [];
  pendingBytes = 0;
  /** A buffer-limit warning was given and the buffer has not drained since. */
  overLimit = false;
  /** Highest sequence number the peer acknowledged for this direction (valid when ackSeen). */
  ackedTo = 0;
  ackSeen = false;

  /** Everything up to FIN delivered (nothing more will come in this direction). */
  done(): boolean {
    return this.finSet && this.pending.length === 0 && seqDiff(this.nextSeq, this.finSeq) >= 0;
  }
}

class Conn {
  readonly half: [Half, Half] = [new Half(), new Half()];
  /** Next stream with the same `key` (the flow table's chain, newest first). */
  chain: Conn | null = null;
  /** Next stream in the same lookup bucket (newest first). */
  next: Conn | null = null;
  releasedAt = 0;
  /** Endpoints as numbers, compared on every frame without touching the stream's byte arrays:
   *  address words (w1..w3 are 0 for IPv4) and ports of A (dir 0's sender) and B. */
  readonly addrLen: number;
  readonly a0: number; readonly a1: number; readonly a2: number; readonly a3: number;
  readonly b0: number; readonly b1: number; readonly b2: number; readonly b3: number;
  readonly aPort: number;
  readonly bPort: number;
  constructor(readonly stream: TcpStream, readonly key: number, readonly hash: number, seg: TcpSegment) {
    const v6 = seg.addrLen === 16;
    const sw = seg.srcWords;
    const dw = seg.dstWords;
    this.addrLen = seg.addrLen;
    this.a0 = sw[0]!; this.a1 = v6 ? sw[1]! : 0; this.a2 = v6 ? sw[2]! : 0; this.a3 = v6 ? sw[3]! : 0;
    this.b0 = dw[0]!; this.b1 = v6 ? dw[1]! : 0; this.b2 = v6 ? dw[2]! : 0; this.b3 = v6 ? dw[3]! : 0;
    this.aPort = seg.srcPort;
    this.bPort = seg.dstPort;
  }
}

export interface ReassemblyStats {
  streams: number;
  open: number;
  maxOpen: number;
  retransmissions: number;
  bufferLimitHits: number;
  /** Segments ignored because their stream was already released (late ACKs and the like). */
  afterRelease: number;
}

/** Symmetric hash of the 4-tuple: the same for both directions, kept a small integer (Smi). */
function endpointHash(addr: Uint8Array, len: number, port: number): number {
  let h = Math.imul(port ^ 0x9e3779b9, 0x85ebca6b);
  for (let i = 0; i < len; i++) h = Math.imul(h ^ addr[i]!, 0x01000193);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d);
}

/** Hash of one endpoint from its address words and port (int32 arithmetic only). */
function wordsHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(port ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ w0, 0xcc9e2d51);
  h = Math.imul(h ^ w1, 0x1b873593);
  h = Math.imul(h ^ w2, 0xcc9e2d51);
  h = Math.imul(h ^ w3, 0x1b873593);
  return h ^ (h >>> 16);
}

const INITIAL_BUCKETS = 1024;

/** Symmetric (the same for both directions) hash of a segment's 4-tuple, for the lookup buckets
 *  (and for splitting connections between worker threads). */
export function segmentHash(seg: TcpSegment): number {
  const sw = seg.srcWords;
  const dw = seg.dstWords;
  if (seg.addrLen === 16) {
    return (wordsHash(sw[0]!, sw[1]!, sw[2]!, sw[3]!, seg.srcPort) + wordsHash(dw[0]!, dw[1]!, dw[2]!, dw[3]!, seg.dstPort)) | 0;
  }
  return (wordsHash(sw[0]!, 0, 0, 0, seg.srcPort) + wordsHash(dw[0]!, 0, 0, 0, seg.dstPort)) | 0;
}

function bucketOf(hash: number, size: number): number {
  return (hash ^ (hash >>> 12)) & (size - 1);
}

export class TcpReassembler {
  /** The flow table, keyed by endpointHash: owns the streams and gives end() its order. Touched
   *  only when a stream is created or evicted. */
  private readonly table = new Map<number, Conn>();
  /** The per-frame lookup: buckets chained through Conn.next, indexed by wordsHash (no Map
   *  lookup and no byte loops per frame). Holds exactly the streams of `table`. */
  private buckets: (Conn | null)[] = new Array<Conn | null>(INITIAL_BUCKETS).fill(null);
  private bucketCount = 0;
  /** Direction of the segment relative to the stream `find` returned. */
  private foundDir: Dir = 0;
  private readonly limits: ReassemblyLimits;
  /** Released streams in release order, evicted from the table after `lingerFrames`. */
  private released: Conn[] = [];
  private releasedHead = 0;
  private nextId = 0;
  private openCount = 0;
  /** Snapshot of the last frame seen, for the callbacks made at end of capture. */
  private readonly last: Frame = {
    no: 0, tsSec: 0, tsNsec: 0, tsDigits: 6, linkType: 0, interfaceId: 0, caplen: 0, origLen: 0, buf: EMPTY, off: 0,
  };
  readonly stats: ReassemblyStats = {
    streams: 0, open: 0, maxOpen: 0, retransmissions: 0, bufferLimitHits: 0, afterRelease: 0,
  };

  constructor(private readonly sink: StreamSink, limits: Partial<ReassemblyLimits> = {}) {
    this.limits = { ...DEFAULT_REASSEMBLY_LIMITS, ...limits };
  }

  /** Streams currently held in the flow table (open plus recently released). */
  get tableSize(): number {
    let n = 0;
    for (const head of this.table.values()) {
      for (let c: Conn | null = head; c !== null; c = c.chain) n++;
    }
    return n;
  }

  /** Processes one decoded segment of `frame` (defaults to `seg.frame`); `hash` is
   *  segmentHash(seg), for a caller that has it already. */
  segment(seg: TcpSegment, frame: Frame = seg.frame!, hash: number = segmentHash(seg)): void {
    const last = this.last;
    last.no = frame.no;
    last.tsSec = frame.tsSec;
    last.tsNsec = frame.tsNsec;
    last.tsDigits = frame.tsDigits;
    if ((frame.no & 1023) === 0) this.evictReleased(frame.no);

    let conn = this.find(seg, hash);
    let dir = this.foundDir;
    const flags = seg.flags;
    const pureSyn = (flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    if (conn !== null && pureSyn) {
      // Port reuse: a SYN whose ISN differs from the one this direction started with opens a new
      // connection (Wireshark does the same, whatever state the old one was in); so does any SYN
      // once the old connection is over (FIN both ways or RST), even one reusing the old ISN.
      const h = conn.half[dir];
      if (conn.stream.released || (h.started && h.base !== (seg.seq | 0))) {
        if (!conn.stream.released) this.release(conn, 'reused', frame);
        conn = null;
      }
    }
    if (conn === null) {
      conn = this.create(seg, hash, frame);
      dir = 0;
    }
    const s = conn.stream;
    s.lastFrame = frame.no;
    if (s.released) {
      this.stats.afterRelease++;
      this.sink.segment?.(s, dir, seg, frame);
      if (seg.len > 0) this.retransmitted(conn, dir, seg, frame);
      return;
    }
    this.process(conn, dir, seg, frame);
  }

  /** End of capture: delivers what is pending (after gap markers) and releases open streams. */
  end(frame: Frame = this.last): void {
    for (const head of this.table.values()) {
      for (let c: Conn | null = head; c !== null; c = c.chain) {
        if (c.stream.released) continue;
        for (let d: Dir = 0; d < 2; d = (d + 1) as Dir) {
          this.flush(c, d, frame);
          // Bytes known lost at the very end (a snaplen-cut last segment): still say so.
          const h = c.half[d];
          if (h.gap > 0) {
            this.sink.data(c.stream, d, EMPTY, 0, 0, frame, h.gap);
            h.gap = 0;
          }
        }
        this.release(c, 'end', frame);
      }
    }
    this.table.clear();
    this.buckets.fill(null);
    this.bucketCount = 0;
    this.released = [];
    this.releasedHead = 0;
  }

  // ---------------------------------------------------------------------------------------------

  /** The newest stream of the segment's 4-tuple (either direction), or null; sets foundDir. */
  private find(seg: TcpSegment, hash: number): Conn | null {
    const v6 = seg.addrLen === 16;
    const sw = seg.srcWords;
    const dw = seg.dstWords;
    const s0 = sw[0]!, s1 = v6 ? sw[1]! : 0, s2 = v6 ? sw[2]! : 0, s3 = v6 ? sw[3]! : 0;
    const d0 = dw[0]!, d1 = v6 ? dw[1]! : 0, d2 = v6 ? dw[2]! : 0, d3 = v6 ? dw[3]! : 0;
    const sp = seg.srcPort;
    const dp = seg.dstPort;
    const len = seg.addrLen;
    for (let c: Conn | null = this.buckets[bucketOf(hash, this.buckets.length)]!; c !== null; c = c.next) {
      if (c.hash !== hash || c.addrLen !== len) continue;
      if (c.aPort === sp && c.bPort === dp &&
        c.a0 === s0 && c.a1 === s1 && c.a2 === s2 && c.a3 === s3 &&
        c.b0 === d0 && c.b1 === d1 && c.b2 === d2 && c.b3 === d3) {
        this.foundDir = 0;
        return c;
      }
      if (c.aPort === dp && c.bPort === sp &&
        c.a0 === d0 && c.a1 === d1 && c.a2 === d2 && c.a3 === d3 &&
        c.b0 === s0 && c.b1 === s1 && c.b2 === s2 && c.b3 === s3) {
        this.foundDir = 1;
        return c;
      }
    }
    this.foundDir = 0;
    return null;
  }

  private create(seg: TcpSegment, hash: number, frame: Frame): Conn {
    const len = seg.addrLen;
    const key = (endpointHash(seg.src, len, seg.srcPort) + endpointHash(seg.dst, len, seg.dstPort)) & 0x3fffffff;
    const s = new TcpStream(
      this.nextId++,
      seg.ipVersion === 6 ? 6 : 4,
      { addr: seg.src.slice(0, len), port: seg.srcPort },
      { addr: seg.dst.slice(0, len), port: seg.dstPort },
      frame.no,
    );
    s.firstTime = frame.tsSec + frame.tsNsec / 1e9;
    const c = new Conn(s, key, hash, seg);
    // Newest first, so a reused 4-tuple finds the new stream before the released one.
    c.chain = this.table.get(key) ?? null;
    this.table.set(key, c);
    this.bucketInsert(c);
    this.stats.streams++;
    this.openCount++;
    this.stats.open = this.openCount;
    if (this.openCount > this.stats.maxOpen) this.stats.maxOpen = this.openCount;
    this.sink.open(s, frame);
    return c;
  }

  private process(conn: Conn, dir: Dir, seg: TcpSegment, frame: Frame): void {
    const s = conn.stream;
    this.sink.segment?.(s, dir, seg, frame);
    const h = conn.half[dir];
    const flags = seg.flags;
    const seq = seg.seq | 0;
    let dataSeq = seq;
    if (flags & TcpFlag.SYN) {
      if (!h.started) {
        h.started = true;
        h.base = seq;
        h.nextSeq = (seq + 1) | 0;
        h.gap = 0;
        if (s.synFrame[dir] === 0) s.synFrame[dir] = frame.no;
        if ((flags & TcpFlag.ACK) === 0 && s.synFrom === null) s.synFrom = dir;
      }
      // The SYN occupies one sequence number (RFC 9293 §3.4); data on a SYN follows it.
      dataSeq = (seq + 1) | 0;
    } else if (!h.started) {
      // Joined mid-stream: start at the first sequence number seen; what came before is unknown.
      h.started = true;
      h.base = seq;
      h.nextSeq = seq;
      h.gap = -1;
    }

    if (flags & TcpFlag.RST) {
      // RST ends the connection at once (RFC 9293 §3.10.7); data on an RST is diagnostic text.
      if (s.rstFrame[dir] === 0) {
        s.rstFrame[dir] = frame.no;
        this.sink.close(s, 'rst', dir, frame);
      }
      this.release(conn, 'closed', frame);
      return;
    }

    const span = seg.len + seg.missing;
    if (span > 0) this.data(conn, dir, h, dataSeq, seg, span, frame);

    if (flags & TcpFlag.FIN) {
      if (!h.finSet) {
        h.finSet = true;
        h.finSeq = (dataSeq + span) | 0;
        s.finFrame[dir] = frame.no;
        this.sink.close(s, 'fin', dir, frame);
      }
    }

    if (flags & TcpFlag.ACK) this.acked(conn, (dir ^ 1) as Dir, seg.ack | 0, frame);

    if (conn.half[0].done() && conn.half[1].done()) this.release(conn, 'closed', frame);
  }

  private data(conn: Conn, dir: Dir, h: Half, seq: number, seg: TcpSegment, span: number, frame: Frame): void {
    let rel = seqDiff(seq, h.nextSeq);
    if (h.finSet && seqDiff(seq, h.finSeq) >= 0) return; // bytes after FIN: not part of the stream
    if (rel + span <= 0) {
      this.retransmitted(conn, dir, seg, frame);
      return;
    }
    if (rel > 0 && h.ackSeen && seqDiff(h.ackedTo, seq) >= 0) {
      // The peer had already acknowledged the bytes before this segment, so the capture lost
      // them for good: no retransmission will fill the hole. Declare the gap now instead of
      // buffering (which would only delay this data to the frame of some later ACK); the
      // segment is then in order.
      h.nextSeq = seq;
      if (h.gap >= 0) h.gap += rel;
      rel = 0;
    }
    if (rel <= 0) {
      // In order, possibly overlapping what was delivered: the first copy wins, skip the overlap.
      const skip = -rel;
      const len = seg.len;
      if (skip < len) {
        this.deliver(conn, dir, h, seg.buf, seg.off + skip, seg.off + len, seg.missing, frame);
      } else {
        this.deliver(conn, dir, h, EMPTY, 0, 0, span - skip, frame);
      }
      this.drain(conn, dir, h, frame);
      return;
    }
    this.hold(conn, dir, h, seq, seg, frame);
  }

  /** Hands `buf[start .. end)`, the bytes at h.nextSeq, to the sink, then accounts `lostAfter`
   *  bytes the capture cut. */
  private deliver(conn: Conn, dir: Dir, h: Half, buf: Uint8Array, start: number, end: number, lostAfter: number, frame: Frame): void {
    if (end > start) {
      const gap = h.gap;
      h.gap = 0;
      h.nextSeq = (h.nextSeq + (end - start)) | 0;
      this.sink.data(conn.stream, dir, buf, start, end, frame, gap);
    }
    if (lostAfter > 0) {
      h.nextSeq = (h.nextSeq + lostAfter) | 0;
      if (h.gap >= 0) h.gap += lostAfter;
    }
  }

  /** Delivers buffered segments that have become in-order. */
  private drain(conn: Conn, dir: Dir, h: Half, frame: Frame): void {
    const p = h.pending;
    let i = 0;
    while (i < p.length) {
      const e = p[i]!;
      const rel = seqDiff(e.seq, h.nextSeq);
      if (rel > 0) break;
      i++;
      h.pendingBytes -= e.data.length;
      const span = e.data.length + e.lost;
      const skip = -rel;
      if (skip >= span) continue; // wholly covered by what came first
      if (skip < e.data.length) this.deliver(conn, dir, h, e.data, skip, e.data.length, e.lost, frame);
      else this.deliver(conn, dir, h, EMPTY, 0, 0, span - skip, frame);
    }
    if (i > 0) p.splice(0, i);
    if (p.length === 0) h.overLimit = false;
  }

  /** Buffers an out-of-order segment (a copy), sorted by sequence number; enforces the bounds. */
  private hold(conn: Conn, dir: Dir, h: Half, seq: number, seg: TcpSegment, frame: Frame): void {
    const p = h.pending;
    // Binary search for the first entry starting after `seq` (equal starts keep arrival order,
    // so the first copy is delivered first and later copies are trimmed away).
    let lo = 0;
    let hi = p.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqDiff(p[mid]!.seq, seq) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const span = seg.len + seg.missing;
    if (lo > 0) {
      const prev = p[lo - 1]!;
      // An exact or contained duplicate of something already held.
      if (seqDiff((prev.seq + prev.data.length + prev.lost) | 0, (seq + span) | 0) >= 0) {
        this.retransmitted(conn, dir, seg, frame);
        return;
      }
    }
    // A real copy: the capture reader reuses its chunk Buffer, and Buffer#slice is a view.
    const data = Uint8Array.prototype.slice.call(seg.buf, seg.off, seg.off + seg.len);
    p.splice(lo, 0, { seq, data, lost: seg.missing });
    h.pendingBytes += data.length;
    if (h.pendingBytes > this.limits.maxBufferedBytes || p.length > this.limits.maxPendingSegments) {
      if (!h.overLimit) {
        h.overLimit = true;
        this.stats.bufferLimitHits++;
        this.sink.warning?.(conn.stream, dir, 'buffer-limit', frame);
      }
      // The hole is not going to be filled in time: skip it (a gap) and deliver what follows,
      // until the buffer is back within its bounds.
      while (p.length > 0 &&
        (h.pendingBytes > this.limits.maxBufferedBytes || p.length > this.limits.maxPendingSegments)) {
        this.skipHole(conn, dir, h, frame);
      }
    }
  }

  /** Declares the bytes before the first buffered segment lost and delivers from there on. */
  private skipHole(conn: Conn, dir: Dir, h: Half, frame: Frame): void {
    const first = h.pending[0]!;
    const missing = seqDiff(first.seq, h.nextSeq);
    if (missing > 0) {
      h.nextSeq = first.seq;
      if (h.gap >= 0) h.gap += missing;
    }
    this.drain(conn, dir, h, frame);
  }

  /** The peer acknowledged `ack` for direction `dir`: bytes it acknowledged that the capture
   *  never showed are lost for good (the peer will not ask for them again). */
  private acked(conn: Conn, dir: Dir, ack: number, frame: Frame): void {
    const h = conn.half[dir];
    if (!h.started) return;
    if (!h.ackSeen || seqDiff(ack, h.ackedTo) > 0) {
      h.ackedTo = ack;
      h.ackSeen = true;
    }
    const ahead = seqDiff(ack, h.nextSeq);
    if (ahead <= 0) return;
    if (h.pending.length > 0) {
      // Only skip when the ACK covers the start of buffered data: then the hole is certain.
      if (seqDiff(ack, h.pending[0]!.seq) >= 0) {
        this.skipHole(conn, dir, h, frame);
      }
      return;
    }
    // Nothing buffered: only a FIN makes the hole certain (the ACK covers the FIN, and nothing
    // more will be sent), and the gap is reported with an empty chunk.
    if (h.finSet && seqDiff(ack, h.finSeq) > 0 && seqDiff(h.finSeq, h.nextSeq) > 0) {
      const missing = seqDiff(h.finSeq, h.nextSeq);
      h.nextSeq = h.finSeq;
      this.sink.data(conn.stream, dir, EMPTY, 0, 0, frame, h.gap < 0 ? -1 : h.gap + missing);
      h.gap = 0;
    }
  }

  /** Delivers everything still buffered in `dir` (after gap markers). */
  private flush(conn: Conn, dir: Dir, frame: Frame): void {
    const h = conn.half[dir];
    while (h.pending.length > 0) this.skipHole(conn, dir, h, frame);
  }

  private retransmitted(conn: Conn, dir: Dir, seg: TcpSegment, frame: Frame): void {
    if (seg.len === 0) return;
    this.stats.retransmissions++;
    this.sink.retransmission?.(conn.stream, dir, frame, seg.buf.subarray(seg.off, seg.off + seg.len));
  }

  private release(conn: Conn, reason: ReleaseReason, frame: Frame): void {
    const s = conn.stream;
    if (s.released) return;
    if (reason !== 'end') {
      // RST or reuse: nothing will fill the holes any more.
      this.flush(conn, 0, frame);
      this.flush(conn, 1, frame);
    }
    s.released = true;
    conn.half[0].pending = [];
    conn.half[1].pending = [];
    conn.releasedAt = frame.no;
    this.openCount--;
    this.stats.open = this.openCount;
    this.sink.release?.(s, reason);
    if (reason !== 'end') this.released.push(conn);
  }

  /** Drops released streams that have lingered long enough from the flow table. */
  private evictReleased(frameNo: number): void {
    const q = this.released;
    let i = this.releasedHead;
    while (i < q.length && frameNo - q[i]!.releasedAt > this.limits.lingerFrames) {
      this.unlink(q[i]!);
      i++;
    }
    this.releasedHead = i;
    if (i > 1024 && i * 2 > q.length) {
      this.released = q.slice(i);
      this.releasedHead = 0;
    }
  }

  /** Adds a new stream at the head of its bucket (newest first); grows the buckets past load 1. */
  private bucketInsert(conn: Conn): void {
    if (this.bucketCount >= this.buckets.length) this.growBuckets();
    const i = bucketOf(conn.hash, this.buckets.length);
    conn.next = this.buckets[i]!;
    this.buckets[i] = conn;
    this.bucketCount++;
  }

  private bucketRemove(conn: Conn): void {
    const i = bucketOf(conn.hash, this.buckets.length);
    let prev: Conn | null = null;
    for (let c: Conn | null = this.buckets[i]!; c !== null; prev = c, c = c.next) {
      if (c !== conn) continue;
      if (prev === null) this.buckets[i] = c.next;
      else prev.next = c.next;
      c.next = null;
      this.bucketCount--;
      return;
    }
  }

  /** Doubles the buckets; each chain is rebuilt in its old order, so newest stays first. */
  private growBuckets(): void {
    const old = this.buckets;
    const size = old.length * 2;
    const buckets = new Array<Conn | null>(size).fill(null);
    const tails = new Array<Conn | null>(size).fill(null);
    for (let c of old) {
      while (c !== null) {
        const next: Conn | null = c.next;
        const i = bucketOf(c.hash, size);
        c.next = null;
        const t = tails[i]!;
        if (t === null) buckets[i] = c;
        else t.next = c;
        tails[i] = c;
        c = next;
      }
    }
    this.buckets = buckets;
  }

  private unlink(conn: Conn): void {
    this.bucketRemove(conn);
    let c = this.table.get(conn.key) ?? null;
    let prev: Conn | null = null;
    for (; c !== null; prev = c, c = c.chain) {
      if (c !== conn) continue;
      if (prev === null) {
        if (c.chain === null) this.table.delete(conn.key);
        else this.table.set(conn.key, c.chain);
      } else {
        prev.chain = c.chain;
      }
      return;
    }
  }
}
