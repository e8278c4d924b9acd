// Helpers for the end-to-end tests: build a TCP conversation frame by frame (with our own seq
// numbers, so segmentations, reorderings, retransmissions and holes that real clients will not
// produce on demand can be made), write it as a capture, and run the whole pipeline over it.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ethernetIPv4Tcp, writePcap, type PcapRecord } from '../support/pcap-writer.js';
import { dissectCapture, type DissectOptions, type DissectSummary } from '../../src/pipeline/dissect.js';
import type { PacketRow } from '../../src/pipeline/rows.js';
import type { ConnectionInfo, Direction, MqttMessage } from '../../src/pipeline/events.js';

export const CLIENT = { addr: '10.0.0.1', port: 50000 };
export const SERVER = { addr: '10.0.0.2', port: 1883 };
const ISN = { c2s: 1000, s2c: 5000 } as const;

/** One TCP conversation between CLIENT and SERVER; every method appends one frame. */
export class Conversation {
  /** Next sequence number per direction (after the SYN). */
  readonly next: Record<Direction, number> = { c2s: ISN.c2s + 1, s2c: ISN.s2c + 1 };

  constructor(
    readonly client = CLIENT,
    readonly server = SERVER,
    /** Shared with other conversations to put several in one capture (frames 100 µs apart). */
    readonly records: PcapRecord[] = [],
  ) {}

  /** SYN, SYN/ACK, ACK. */
  handshake(): this {
    this.frame('c2s', ISN.c2s, 'S', new Uint8Array(0), 0);
    this.frame('s2c', ISN.s2c, 'SA', new Uint8Array(0), ISN.c2s + 1);
    this.frame('c2s', ISN.c2s + 1, 'A', new Uint8Array(0), ISN.s2c + 1);
    return this;
  }

  /** The next in-order segment of `dir`. */
  send(dir: Direction, payload: Uint8Array): this {
    this.frame(dir, this.next[dir], 'PA', payload, this.next[other(dir)]);
    this.next[dir] += payload.length;
    return this;
  }

  /** A segment at an explicit offset from the start of `dir`'s data (0 = first data byte);
   *  does not move `next`. For reordering, retransmission and holes. */
  at(dir: Direction, offset: number, payload: Uint8Array, ack?: number): this {
    this.frame(dir, ISN[dir] + 1 + offset, 'PA', payload, ack ?? this.next[other(dir)]);
    return this;
  }

  /** A pure ACK from `dir` acknowledging everything up to data offset `upTo` of the other side. */
  ackTo(dir: Direction, upTo: number): this {
    this.frame(dir, this.next[dir], 'A', new Uint8Array(0), ISN[other(dir)] + 1 + upTo);
    return this;
  }

  fin(dir: Direction): this {
    this.frame(dir, this.next[dir], 'FA', new Uint8Array(0), this.next[other(dir)]);
    this.next[dir] += 1;
    return this;
  }

  /** Set `next` to a data offset (after sending segments with `at`). */
  advance(dir: Direction, offset: number): this {
    this.next[dir] = ISN[dir] + 1 + offset;
    return this;
  }

  frame(dir: Direction, seq: number, flags: string, payload: Uint8Array, ack: number, snap?: number): this {
    const from = dir === 'c2s' ? this.client : this.server;
    const to = dir === 'c2s' ? this.server : this.client;
    const data = ethernetIPv4Tcp({ src: from.addr, dst: to.addr, sport: from.port, dport: to.port, seq, ack, flags, payload });
    const cut = snap === undefined ? data : data.subarray(0, snap);
    const usec = this.records.length * 100;
    this.records.push({ tsSec: 1_700_000_000 + Math.floor(usec / 1e6), tsNsec: (usec % 1e6) * 1000, data: cut, origLen: data.length });
    return this;
  }

  pcap(): Buffer {
    return writePcap(this.records);
  }
}

function other(d: Direction): Direction {
  return d === 'c2s' ? 's2c' : 'c2s';
}

let tmp: string | null = null;
/** Writes `bytes` into a fresh per-process temp dir and returns the path. */
export function tempFile(name: string, bytes: Uint8Array): string {
  tmp ??= mkdtempSync(join(tmpdir(), 'mqtt-e2e-'));
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

export interface Run {
  rows: PacketRow[];
  messages: MqttMessage[];
  connections: ConnectionInfo[];
  gaps: { dir: Direction; frame: number; bytes: number }[];
  closes: { kind: string; dir: Direction; frame: number }[];
  warnings: string[];
  summary: DissectSummary;
}

/** The whole pipeline over a capture file, everything it reports collected. */
export async function run(path: string, opts: DissectOptions = {}): Promise<Run> {
  const r: Omit<Run, 'summary'> = { rows: [], messages: [], connections: [], gaps: [], closes: [], warnings: [] };
  const summary = await dissectCapture(
    path,
    {
      row: (x) => r.rows.push(x),
      // Packet fields are views valid only during the call (the framer reuses its buffer): keep copies.
      message: (m) => r.messages.push({ ...m, result: copyDeep(m.result) }),
      connection: (c) => r.connections.push(c),
      gap: (_c, dir, frame, _t, bytes) => r.gaps.push({ dir, frame, bytes }),
      close: (_c, kind, dir, frame) => r.closes.push({ kind, dir, frame }),
    },
    { ...opts, onWarning: (w) => r.warnings.push(w) },
  );
  return { ...r, summary };
}

/** Builds the capture in a temp file and runs the pipeline over it. */
export async function runConversation(c: Conversation, name: string, opts: DissectOptions = {}): Promise<Run> {
  return run(tempFile(name, c.pcap()), opts);
}

/** A packet as plain data for deep comparison: type, fields and payload, without frame numbers. */
export function packetView(m: MqttMessage): unknown {
  const r = m.result;
  return { dir: m.dir, status: r.status, packet: r.packet ? plain(r.packet) : null };
}

function copyDeep<T>(v: T): T {
  // Uint8Array.from copies (Buffer#slice would not: it is a view).
  if (v instanceof Uint8Array) return Uint8Array.from(v) as T;
  if (Array.isArray(v)) return v.map(copyDeep) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyDeep(x)])) as T;
  return v;
}

function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export function sumSkipped(s: DissectSummary): number {
  return Object.values(s.skipped).reduce((a, b) => a + b, 0);
}
