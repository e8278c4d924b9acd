// A capture collected for checking expectations: every MQTT packet reduced to the fields a check
// reads (copied, since the pipeline may reuse its buffers), plus what happened to each
// connection. The checks are pure functions over this, so tests build a Trace by hand.

import type { CloseKind, ConnectionInfo, Direction, DissectionSink, MqttMessage } from '../pipeline/events.js';
import type { MqttPacket, PacketTypeName } from '../mqtt/types.js';

export interface TPacket {
  /** Index in Trace.packets (capture order). */
  i: number;
  frame: number;
  time: number;
  conn: number;
  dir: Direction;
  version: 3 | 4 | 5;
  /** 'MALFORMED' when nothing of the packet could be decoded. */
  type: PacketTypeName | 'MALFORMED';
  malformed: boolean;
  qos: number;
  retain: boolean;
  dup: boolean;
  /** PUBLISH topic; '' otherwise. */
  topic: string;
  packetId: number;
  /** Payload bytes as a latin1 string (1:1 with bytes, cheap to compare). */
  payload: string;
  /** SUBSCRIBE filters (with requested QoS) / UNSUBSCRIBE filters. */
  filters: { filter: string; qos: number }[];
  /** SUBACK return codes, CONNACK return code in [0]. */
  codes: number[];
  sessionPresent: boolean;
  /** v5 DISCONNECT reason code (0 when absent). */
  reasonCode: number;
}

export interface TWill {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

export interface TConnection {
  id: number;
  client: string;
  server: string;
  firstFrame: number;
  firstTime: number;
  /** From the CONNECT, when it was captured. */
  clientId: string | null;
  connectFrame: number;
  connectTime: number;
  keepAlive: number;
  cleanSession: boolean;
  will: TWill | null;
  version: 3 | 4 | 5;
  /** How the connection ended, as seen. */
  end: {
    kind: 'disconnect' | 'fin' | 'rst' | 'open';
    /** Who ended it: the client (DISCONNECT, or its FIN/RST) or the broker. */
    by: 'client' | 'broker' | null;
    frame: number;
    time: number;
    /** v5 DISCONNECT reason (0x04 = with will). */
    reasonCode: number;
  };
}

export interface FindingLike {
  id: string;
  severity: string;
  clause?: string;
  frames: number[];
  message: string;
}

export interface Trace {
  /** A label for messages (the capture's file name). */
  name: string;
  packets: TPacket[];
  conns: TConnection[];
  lastFrame: number;
  lastTime: number;
  /** Findings of the analysis passes (null when the analysis did not run). */
  findings: FindingLike[] | null;
  /** Set when the capture could be read only in part ("truncated at byte N: ..."). */
  readNote: string | null;
  /** Set when the collector hit its packet limit: later packets were not checked. */
  limitNote: string | null;
}

const latin1 = (b: Uint8Array | undefined): string => (b && b.length ? Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1') : '');

export function endpointText(e: { addr: string; port: number }): string {
  return e.addr.includes(':') ? `[${e.addr}]:${e.port}` : `${e.addr}:${e.port}`;
}

function newConnection(c: ConnectionInfo): TConnection {
  return {
    id: c.id,
    client: endpointText(c.client),
    server: endpointText(c.server),
    firstFrame: c.firstFrame,
    firstTime: c.firstTime,
    clientId: null,
    connectFrame: 0,
    connectTime: 0,
    keepAlive: 0,
    cleanSession: true,
    will: null,
    version: 4,
    end: { kind: 'open', by: null, frame: 0, time: 0, reasonCode: 0 },
  };
}

/** Reduce one decoded packet to a TPacket. */
export function toTPacket(i: number, frame: number, time: number, conn: number, dir: Direction, version: 3 | 4 | 5, p: MqttPacket | null, malformed: boolean): TPacket {
  const t: TPacket = {
    i, frame, time, conn, dir, version,
    type: p ? p.type : 'MALFORMED',
    malformed,
    qos: 0, retain: false, dup: false, topic: '', packetId: 0, payload: '',
    filters: [], codes: [], sessionPresent: false, reasonCode: 0,
  };
  if (!p) return t;
  switch (p.type) {
    case 'PUBLISH':
      t.qos = p.qos;
      t.retain = p.retain;
      t.dup = p.dup;
      t.topic = p.topic;
      t.packetId = p.packetId ?? 0;
      t.payload = latin1(p.payload);
      break;
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP':
      t.packetId = p.packetId;
      t.reasonCode = p.reasonCode ?? 0;
      break;
    case 'SUBSCRIBE':
      t.packetId = p.packetId;
      t.filters = p.subscriptions.map((s) => ({ filter: s.filter, qos: s.qos }));
      break;
    case 'UNSUBSCRIBE':
      t.packetId = p.packetId;
      t.filters = p.filters.map((f) => ({ filter: f, qos: 0 }));
      break;
    case 'SUBACK':
      t.packetId = p.packetId;
      t.codes = p.returnCodes.slice();
      break;
    case 'UNSUBACK':
      t.packetId = p.packetId;
      break;
    case 'CONNACK':
      t.sessionPresent = p.sessionPresent;
      t.codes = [p.returnCode];
      break;
    case 'DISCONNECT':
      t.reasonCode = p.reasonCode ?? 0;
      break;
    default:
      break;
  }
  return t;
}

/**
 * A DissectionSink that builds a Trace. Bounded: after `maxPackets` packets it stops collecting
 * and says so (a huge or hostile capture must not exhaust memory).
 */
export class TraceCollector implements DissectionSink {
  private readonly packets: TPacket[] = [];
  private readonly conns = new Map<number, TConnection>();
  private lastFrame = 0;
  private lastTime = 0;
  private limitHit = false;

  constructor(
    private readonly name: string,
    private readonly maxPackets = 2_000_000,
  ) {}

  connection(c: ConnectionInfo): void {
    if (!this.conns.has(c.id)) this.conns.set(c.id, newConnection(c));
  }

  private conn(c: ConnectionInfo): TConnection {
    let t = this.conns.get(c.id);
    if (!t) {
      t = newConnection(c);
      this.conns.set(c.id, t);
    }
    return t;
  }

  message(m: MqttMessage): void {
    const c = this.conn(m.conn);
    if (this.packets.length >= this.maxPackets) {
      this.limitHit = true;
      return;
    }
    const p = m.result.packet;
    const t = toTPacket(this.packets.length, m.frame, m.time, m.conn.id, m.dir, m.version, p, m.result.status === 'malformed');
    this.packets.push(t);
    if (p && p.type === 'CONNECT' && m.dir === 'c2s' && c.clientId === null) {
      c.clientId = p.clientId;
      c.connectFrame = m.frame;
      c.connectTime = m.time;
      c.keepAlive = p.keepAlive;
      c.cleanSession = p.cleanSession;
      c.version = p.protocolLevel === 5 ? 5 : p.protocolLevel === 3 ? 3 : 4;
      c.will = p.willFlag ? { topic: p.willTopic ?? '', payload: latin1(p.willPayload), qos: p.willQos, retain: p.willRetain } : null;
    } else if (p && p.type === 'DISCONNECT' && c.end.kind === 'open') {
      c.end = { kind: 'disconnect', by: m.dir === 'c2s' ? 'client' : 'broker', frame: m.frame, time: m.time, reasonCode: p.reasonCode ?? 0 };
    }
  }

  close(ci: ConnectionInfo, kind: CloseKind, dir: Direction, frame: number, time: number): void {
    const c = this.conn(ci);
    // The first FIN/RST decides how it ended, unless a DISCONNECT came before it.
    if (c.end.kind === 'open') c.end = { kind, by: dir === 'c2s' ? 'client' : 'broker', frame, time, reasonCode: 0 };
  }

  end(lastFrame: number, lastTime: number): void {
    this.lastFrame = lastFrame;
    this.lastTime = lastTime;
  }

  trace(findings: FindingLike[] | null, readNote: string | null = null): Trace {
    let lastFrame = this.lastFrame;
    let lastTime = this.lastTime;
    const lp = this.packets[this.packets.length - 1];
    if (lp && lp.frame > lastFrame) {
      lastFrame = lp.frame;
      lastTime = lp.time;
    }
    return {
      name: this.name,
      packets: this.packets,
      conns: [...this.conns.values()].sort((a, b) => a.id - b.id),
      lastFrame,
      lastTime,
      findings,
      readNote,
      limitNote: this.limitHit ? `only the first ${this.maxPackets} MQTT packets were checked` : null,
    };
  }
}
