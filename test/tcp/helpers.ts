// A recording StreamSink and a segment builder for reassembly tests.

import type { Frame } from '../../src/capture/types.js';
import { TcpSegment } from '../../src/link/types.js';
import { TcpReassembler } from '../../src/tcp/reassembly.js';
import type { Dir, ReassemblyLimits, ReleaseReason, StreamSink, StreamWarning, TcpStream } from '../../src/tcp/types.js';

export interface Chunk { stream: number; dir: Dir; bytes: string; frame: number; gap: number }

export class Recorder implements StreamSink {
  readonly opened: TcpStream[] = [];
  readonly chunks: Chunk[] = [];
  readonly events: string[] = [];
  readonly retrans: { stream: number; dir: Dir; frame: number; bytes: string }[] = [];
  readonly released: { stream: number; reason: ReleaseReason }[] = [];
  readonly warnings: { stream: number; dir: Dir; code: StreamWarning; frame: number }[] = [];

  open(s: TcpStream, frame: Frame): void {
    this.opened.push(s);
    this.events.push(`open ${s.id} @${frame.no}`);
  }
  data(s: TcpStream, dir: Dir, buf: Uint8Array, start: number, end: number, frame: Frame, gapBefore: number): void {
    this.chunks.push({ stream: s.id, dir, bytes: Buffer.from(buf.subarray(start, end)).toString('latin1'), frame: frame.no, gap: gapBefore });
  }
  close(s: TcpStream, kind: 'fin' | 'rst', dir: Dir, frame: Frame): void {
    this.events.push(`${kind} ${s.id}/${dir} @${frame.no}`);
  }
  retransmission(s: TcpStream, dir: Dir, frame: Frame, payload: Uint8Array): void {
    this.retrans.push({ stream: s.id, dir, frame: frame.no, bytes: Buffer.from(payload).toString('latin1') });
  }
  warning(s: TcpStream, dir: Dir, code: StreamWarning, frame: Frame): void {
    this.warnings.push({ stream: s.id, dir, code, frame: frame.no });
  }
  release(s: TcpStream, reason: ReleaseReason): void {
    this.released.push({ stream: s.id, reason });
  }

  /** Concatenated bytes of one direction, with `|gap:N|` where a gap was marked. */
  text(stream: number, dir: Dir): string {
    return this.chunks
      .filter((c) => c.stream === stream && c.dir === dir)
      .map((c) => (c.gap !== 0 ? `|gap:${c.gap}|` : '') + c.bytes)
      .join('');
  }
}

export const A = { addr: [10, 0, 0, 1], port: 50000 };
export const B = { addr: [10, 0, 0, 2], port: 1883 };

export interface SegSpec {
  from?: 'A' | 'B';
  seq: number;
  ack?: number;
  flags?: string;
  data?: string;
  /** Payload bytes the capture cut off after `data`. */
  missing?: number;
  /** Override endpoints. */
  src?: { addr: number[]; port: number };
  dst?: { addr: number[]; port: number };
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16 };

export function makeSeg(spec: SegSpec): TcpSegment {
  const seg = new TcpSegment();
  const src = spec.src ?? (spec.from === 'B' ? B : A);
  const dst = spec.dst ?? (spec.from === 'B' ? A : B);
  seg.ipVersion = src.addr.length === 16 ? 6 : 4;
  seg.addrLen = src.addr.length === 16 ? 16 : 4;
  seg.src.set(src.addr);
  seg.dst.set(dst.addr);
  seg.srcPort = src.port;
  seg.dstPort = dst.port;
  seg.seq = spec.seq >>> 0;
  seg.ack = (spec.ack ?? 0) >>> 0;
  let f = 0;
  for (const c of spec.flags ?? (spec.ack !== undefined ? 'A' : '')) f |= FLAG_BITS[c]!;
  seg.flags = f;
  const data = Buffer.from(spec.data ?? '', 'latin1');
  // A larger buffer with the payload in the middle, so offsets are exercised.
  const buf = new Uint8Array(data.length + 16);
  buf.set(data, 8);
  seg.buf = buf;
  seg.off = 8;
  seg.len = data.length;
  seg.missing = spec.missing ?? 0;
  return seg;
}

export function frame(no: number): Frame {
  return { no, tsSec: 1000 + no, tsNsec: 0, tsDigits: 6, linkType: 1, interfaceId: 0, caplen: 0, origLen: 0, buf: new Uint8Array(0), off: 0 };
}

/** Runs the specs as frames 1..n through a fresh reassembler. */
export function play(specs: SegSpec[], limits: Partial<ReassemblyLimits> = {}, end = true): { rec: Recorder; r: TcpReassembler } {
  const rec = new Recorder();
  const r = new TcpReassembler(rec, limits);
  specs.forEach((s, i) => r.segment(makeSeg(s), frame(i + 1)));
  if (end) r.end();
  return { rec, r };
}

/** A SYN / SYN-ACK / ACK handshake with ISNs `ia` (A) and `ib` (B). */
export function handshake(ia: number, ib: number): SegSpec[] {
  return [
    { from: 'A', seq: ia, flags: 'S' },
    { from: 'B', seq: ib, ack: ia + 1, flags: 'SA' },
    { from: 'A', seq: ia + 1, ack: ib + 1, flags: 'A' },
  ];
}
