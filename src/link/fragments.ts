// IP fragment reassembly shared by IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5).
// Fragments are rare in MQTT captures, so this favours bounded memory and clarity over speed:
// a small table scanned linearly, entries expire after a number of frames, and the first copy
// of any byte wins when fragments overlap (overlaps are kept as received, never rewritten,
// which is also what RFC 5722 asks of IPv6 receivers in spirit: do not let a later copy win).

/** Largest reassembled payload: the IPv4 total length / IPv6 payload length field is 16 bits. */
export const MAX_DATAGRAM = 65535;

export interface FragmentLimits {
  /** Datagrams being reassembled at once; the oldest is dropped when full. */
  maxDatagrams: number;
  /** A datagram not completed within this many frames after its last fragment is dropped. */
  timeoutFrames: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = { maxDatagrams: 64, timeoutFrames: 10_000 };

class Datagram {
  version = 4;
  addrLen = 4;
  readonly src = new Uint8Array(16);
  readonly dst = new Uint8Array(16);
  id = 0;
  /** IPv4 protocol (part of the key), or for IPv6 the Next Header of the offset-0 fragment. */
  proto = -1;
  buf = new Uint8Array(0);
  /** Received byte ranges, sorted and merged: [start0, end0, start1, end1, ...]. */
  ranges: number[] = [];
  /** Payload length once the last fragment (MF = 0) was seen, else -1. */
  total = -1;
  lastFrame = 0;
  /** IPv6: Next Header carried by the offset-0 fragment's fragment header (-1 until seen). */
  firstNext = -1;
}

export type FragmentAdd =
  /** Held; more fragments needed. */
  | 'held'
  /** The datagram is complete: see `completed`. */
  | 'complete'
  /** Unusable fragment (oversize, contradicts the known length). */
  | 'dropped';

function sameAddr(a: Uint8Array, b: Uint8Array, off: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[i] !== b[off + i]) return false;
  return true;
}

export class FragmentTable {
  private readonly table: Datagram[] = [];
  /** The datagram most recently completed: valid until the next `add`. */
  completed: Uint8Array = new Uint8Array(0);
  /** IPv4 protocol / IPv6 next header of the completed datagram. */
  completedProto = -1;
  /** Count of datagrams evicted because the table was full or they timed out. */
  evicted = 0;
  /** Set when the last `add` had to evict a datagram because the table was full. */
  overflowed = false;

  constructor(private readonly limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS) {}

  get size(): number {
    return this.table.length;
  }

  /**
   * Adds one fragment's captured bytes. `fragOff` is in bytes; `more` is the MF flag.
   * For IPv6 `proto` is the fragment header's Next Header and only counts on the first fragment.
   */
  add(
    version: 4 | 6,
    buf: Uint8Array, srcOff: number, dstOff: number, addrLen: number,
    id: number, proto: number,
    fragOff: number, more: boolean,
    data: Uint8Array, dataOff: number, dataLen: number,
    frameNo: number,
  ): FragmentAdd {
    this.overflowed = false;
    this.expire(frameNo);
    const end = fragOff + dataLen;
    if (end > MAX_DATAGRAM) return 'dropped';
    let d = this.find(version, buf, srcOff, dstOff, addrLen, id, proto);
    if (d === null) {
      if (this.table.length >= this.limits.maxDatagrams) {
        this.table.shift();
        this.evicted++;
        this.overflowed = true;
      }
      d = new Datagram();
      d.version = version;
      d.addrLen = addrLen;
      d.src.set(buf.subarray(srcOff, srcOff + addrLen));
      d.dst.set(buf.subarray(dstOff, dstOff + addrLen));
      d.id = id;
      d.proto = version === 4 ? proto : -1;
      this.table.push(d);
    }
    d.lastFrame = frameNo;
    if (version === 6 && fragOff === 0) d.firstNext = proto;
    if (!more) {
      // Two different "last" fragments, or data already received past this end: inconsistent.
      if ((d.total >= 0 && d.total !== end) || maxEnd(d.ranges) > end) {
        this.remove(d);
        return 'dropped';
      }
      d.total = end;
    } else if (d.total >= 0 && end > d.total) {
      this.remove(d);
      return 'dropped';
    }
    if (dataLen > 0) store(d, data, dataOff, fragOff, dataLen);
    if (d.total >= 0 && d.ranges.length === 2 && d.ranges[0] === 0 && d.ranges[1] === d.total) {
      this.remove(d);
      this.completed = d.buf.subarray(0, d.total);
      this.completedProto = version === 4 ? d.proto : d.firstNext;
      return 'complete';
    }
    return 'held';
  }

  private find(
    version: number, buf: Uint8Array, srcOff: number, dstOff: number, addrLen: number, id: number, proto: number,
  ): Datagram | null {
    for (let i = 0; i < this.table.length; i++) {
      const d = this.table[i]!;
      // RFC 791: source, destination, protocol and identification; RFC 8200: source,
      // destination and identification.
      if (d.version === version && d.id === id && (version === 6 || d.proto === proto) &&
          sameAddr(d.src, buf, srcOff, addrLen) && sameAddr(d.dst, buf, dstOff, addrLen)) {
        return d;
      }
    }
    return null;
  }

  private remove(d: Datagram): void {
    const i = this.table.indexOf(d);
    if (i >= 0) this.table.splice(i, 1);
  }

  private expire(frameNo: number): void {
    const limit = this.limits.timeoutFrames;
    for (let i = this.table.length - 1; i >= 0; i--) {
      if (frameNo - this.table[i]!.lastFrame > limit) {
        this.table.splice(i, 1);
        this.evicted++;
      }
    }
  }
}

function maxEnd(ranges: number[]): number {
  return ranges.length === 0 ? 0 : ranges[ranges.length - 1]!;
}

/** Copies only the bytes of [at, at+len) not received yet (first copy wins), then merges ranges. */
function store(d: Datagram, data: Uint8Array, dataOff: number, at: number, len: number): void {
  const end = at + len;
  if (d.buf.length < end) {
    const grown = new Uint8Array(Math.min(MAX_DATAGRAM, Math.max(end, d.buf.length * 2, 1500)));
    grown.set(d.buf);
    d.buf = grown;
  }
  const r = d.ranges;
  let cur = at;
  for (let i = 0; i < r.length && cur < end; i += 2) {
    const s = r[i]!;
    const e = r[i + 1]!;
    if (e <= cur) continue;
    if (s >= end) break;
    if (s > cur) d.buf.set(data.subarray(dataOff + (cur - at), dataOff + (s - at)), cur);
    cur = Math.max(cur, e);
  }
  if (cur < end) d.buf.set(data.subarray(dataOff + (cur - at), dataOff + len), cur);
  // Merge [at, end) into the sorted range list.
  const merged: number[] = [];
  let ns = at;
  let ne = end;
  let placed = false;
  for (let i = 0; i < r.length; i += 2) {
    const s = r[i]!;
    const e = r[i + 1]!;
    if (e < ns) {
      merged.push(s, e);
    } else if (s > ne) {
      if (!placed) { merged.push(ns, ne); placed = true; }
      merged.push(s, e);
    } else {
      ns = Math.min(ns, s);
      ne = Math.max(ne, e);
    }
  }
  if (!placed) merged.push(ns, ne);
  d.ranges = merged;
}
