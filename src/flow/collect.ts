// What the diagram and the report need from one read of a capture, kept as plain data: the
// connections, one compact record per MQTT packet, the packet-list rows, TCP closes, and the
// analysis result. Nothing here holds on to the dissector's buffers (payloads are hashed, not
// kept), so memory is a few hundred bytes per packet.

import type { AnalysisResult } from '../analysis/schema.js';
import type { CloseKind, ConnectionInfo, Direction, DissectionSink, MqttMessage } from '../pipeline/events.js';
import type { PacketRow } from '../pipeline/rows.js';
import type { MqttVersion } from '../mqtt/types.js';
import { resultLabel, resultType } from './label.js';

export interface CollectedConnection {
  id: number;
  client: string;
  server: string;
  firstFrame: number;
  firstTime: number;
  sawSyn: boolean;
  transport: 'mqtt' | 'tls';
}

/** One MQTT control packet, reduced to what a picture of the exchange shows. */
export interface CollectedMessage {
  frame: number;
  /** Absolute time, seconds since the epoch. */
  time: number;
  conn: number;
  dir: Direction;
  version: MqttVersion;
  type: string;
  /** Arrow label (see label.ts). */
  label: string;
  malformed: boolean;
  topic?: string;
  packetId?: number;
  qos?: number;
  retain?: boolean;
  /** PUBLISH payload: length and FNV-1a hash, to recognise the broker's forwarded copies. */
  payloadLength?: number;
  payloadHash?: number;
  /** CONNECT only. */
  clientId?: string;
  keepAlive?: number;
  /** CONNECT with a will: its topic and payload, since the broker may later publish it. */
  willTopic?: string;
  willLength?: number;
  willHash?: number;
  /** SUBSCRIBE / UNSUBSCRIBE topic filters. */
  filters?: string[];
}

/** A packet-list row, kept: its packets as indices instead of the messages themselves. */
export interface CollectedRow extends Omit<PacketRow, 'protocol' | 'messages'> {
  /** Indices into Collected.messages. */
  msgs: number[];
  /** The row's `-V` text, when a detail function was given. */
  detail?: string;
}

export interface CollectedClose {
  conn: number;
  kind: CloseKind;
  dir: Direction;
  frame: number;
  time: number;
}

export interface Collected {
  /** Capture file name as the user gave it. */
  source: string;
  /** Absolute time of the capture's first frame: relative times are measured from it. */
  firstTime: number;
  lastFrame: number;
  lastTime: number;
  captureEnd: { status: 'ok' | 'truncated' | 'invalid'; reason?: string } | null;
  connections: CollectedConnection[];
  messages: CollectedMessage[];
  rows: CollectedRow[];
  closes: CollectedClose[];
  gaps: number;
  analysis: AnalysisResult | null;
}

export function emptyCollected(source: string): Collected {
  return {
    source,
    firstTime: Number.NaN,
    lastFrame: 0,
    lastTime: 0,
    captureEnd: null,
    connections: [],
    messages: [],
    rows: [],
    closes: [],
    gaps: 0,
    analysis: null,
  };
}

/** FNV-1a, 32 bit: cheap and good enough to tell payloads apart within one capture. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function collectMessage(m: MqttMessage): CollectedMessage {
  const r = m.result;
  const out: CollectedMessage = {
    frame: m.frame,
    time: m.time,
    conn: m.conn.id,
    dir: m.dir,
    version: m.version,
    type: resultType(r),
    label: resultLabel(r, m.version),
    malformed: r.status !== 'ok',
  };
  const p = r.packet;
  if (!p) return out;
  switch (p.type) {
    case 'CONNECT':
      out.clientId = p.clientId;
      out.keepAlive = p.keepAlive;
      if (p.willFlag && p.willTopic !== undefined) {
        out.willTopic = p.willTopic;
        out.willLength = p.willPayload?.length ?? 0;
        out.willHash = fnv1a(p.willPayload ?? new Uint8Array(0));
      }
      break;
    case 'PUBLISH':
      out.topic = p.topic;
      out.packetId = p.packetId;
      out.qos = p.qos;
      out.retain = p.retain;
      out.payloadLength = p.payload.length;
      out.payloadHash = fnv1a(p.payload);
      break;
    case 'PUBACK':
    case 'PUBREC':
    case 'PUBREL':
    case 'PUBCOMP':
    case 'SUBACK':
    case 'UNSUBACK':
      out.packetId = p.packetId;
      break;
    case 'SUBSCRIBE':
      out.packetId = p.packetId;
      out.filters = p.subscriptions.map((s) => s.filter);
      break;
    case 'UNSUBSCRIBE':
      out.packetId = p.packetId;
      out.filters = p.filters.slice();
      break;
    default:
      break;
  }
  return out;
}

/** A dissection sink (rows included) that fills a Collected. */
export class Collector implements DissectionSink {
  readonly data: Collected;

  constructor(
    source: string,
    private readonly detail?: (row: PacketRow) => string,
  ) {
    this.data = emptyCollected(source);
  }

  connection(c: ConnectionInfo): void {
    this.data.connections.push({
      id: c.id,
      client: endpoint(c.client.addr, c.client.port),
      server: endpoint(c.server.addr, c.server.port),
      firstFrame: c.firstFrame,
      firstTime: c.firstTime,
      sawSyn: c.sawSyn,
      transport: c.transport,
    });
  }

  row(r: PacketRow): void {
    const d = this.data;
    if (Number.isNaN(d.firstTime) && r.messages.length) d.firstTime = r.messages[0]!.time - Number(r.time);
    const msgs: number[] = [];
    for (const m of r.messages) {
      msgs.push(d.messages.length);
      d.messages.push(collectMessage(m));
    }
    const row: CollectedRow = {
      no: r.no,
      time: r.time,
      src: r.src,
      dst: r.dst,
      srcPort: r.srcPort,
      dstPort: r.dstPort,
      length: r.length,
      info: r.info,
      msgs,
    };
    if (this.detail) row.detail = this.detail(r);
    d.rows.push(row);
  }

  close(c: ConnectionInfo, kind: CloseKind, dir: Direction, frame: number, time: number): void {
    this.data.closes.push({ conn: c.id, kind, dir, frame, time });
  }

  gap(): void {
    this.data.gaps++;
  }

  end(lastFrame: number, lastTime: number): void {
    this.data.lastFrame = lastFrame;
    this.data.lastTime = lastTime;
    if (Number.isNaN(this.data.firstTime)) this.data.firstTime = this.data.connections[0]?.firstTime ?? lastTime;
  }
}

/** addr:port, with IPv6 in brackets (RFC 5952 §6). */
export function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
