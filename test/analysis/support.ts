// Hand-made dissection event sequences for the analysis tests, so a test reads like the
// scenario it builds:  const s = scenario(); const sub = s.connect('sub'); sub.subscribe('a/#', 1);
// s.client('pub').publish('a/b', 'x', { qos: 1 }); sub.receive('a/b', 'x', { qos: 1 }); s.result()
// Frames are numbered 1, 2, ... in emission order; time advances 1 ms per frame unless set.

import type { ConnectionInfo, Direction } from '../../src/pipeline/events.js';
import type { MqttPacket, MqttVersion, Property } from '../../src/mqtt/types.js';
import { Analyzer, type AnalysisOptions } from '../../src/analysis/analyzer.js';
import type { AnalysisResult, Finding } from '../../src/analysis/schema.js';

const enc = new TextEncoder();
const BASE = 1_700_000_000;

const TYPE_NO: Record<string, number> = {
  CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7, SUBSCRIBE: 8, SUBACK: 9,
  UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14, AUTH: 15,
};
/** Fixed-header flags the spec requires (MQTT 3.1.1 §2.2.2). */
const REQUIRED_FLAGS: Record<string, number> = { PUBREL: 2, SUBSCRIBE: 2, UNSUBSCRIBE: 2 };

type Packet = MqttPacket;
type Dist<T> = T extends unknown ? Omit<T, 'headerFlags' | 'remainingLength' | 'length' | 'notes'> & { headerFlags?: number; notes?: Packet['notes'] } : never;
export type PacketSpec = Dist<Packet>;

function finish(p: PacketSpec): Packet {
  let flags = p.headerFlags;
  if (flags === undefined) {
    flags = TYPE_NO[p.type]! << 4;
    if (p.type === 'PUBLISH') flags |= (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
    else flags |= REQUIRED_FLAGS[p.type] ?? 0;
  }
  // A PUBLISH's size as on the wire (fixed header of 2, topic, packet id, payload; a property
  // length byte when it has properties); 2 for the rest, which no check measures.
  const length = p.type === 'PUBLISH'
    ? 2 + 2 + enc.encode(p.topic).length + (p.qos > 0 ? 2 : 0) + (p.properties ? 1 : 0) + (p.payload?.length ?? 0)
    : 2;
  return { ...p, headerFlags: flags, remainingLength: length - 2, length, notes: p.notes ?? [] } as Packet;
}

export interface ConnectOpts {
  version?: MqttVersion;
  keepAlive?: number;
  clean?: boolean;
  will?: { topic: string; payload: string; qos?: number; retain?: boolean; delay?: number };
  sessionExpiry?: number;
  /** CONNACK return code (default 0) and Session Present (default false). */
  code?: number;
  sessionPresent?: boolean;
  /** Emit no CONNACK. */
  noConnack?: boolean;
  /** Capture starts mid-connection: no SYN, no CONNECT. */
  midstream?: boolean;
  protocolName?: string;
  connectFlags?: number;
  serverKeepAlive?: number;
  /** v5 Maximum Packet Size in the CONNECT (what the client accepts) and the CONNACK (the broker). */
  maxPacketSize?: number;
  serverMaxPacketSize?: number;
}

export interface PubOpts {
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  id?: number;
  /** Emit the acknowledgements of the handshake right away (default true). */
  ack?: boolean;
  properties?: Property[];
}

let streams = 0;

export class Scenario {
  readonly analyzer: Analyzer;
  frame = 0;
  time = BASE;
  private nextPort = 50000;
  private readonly clients = new Map<string, Client>();

  constructor(opts?: AnalysisOptions) {
    this.analyzer = new Analyzer(opts);
  }

  /** Advance the clock by `dt` seconds. */
  wait(dt: number): this {
    this.time += dt;
    return this;
  }

  /** Frame number and time for the next event. */
  tick(): [number, number] {
    this.frame++;
    this.time += 0.001;
    return [this.frame, this.time];
  }

  connect(clientId: string, o: ConnectOpts = {}): Client {
    const c = new Client(this, clientId, o, streams++, this.nextPort++);
    this.clients.set(clientId, c);
    return c;
  }

  client(clientId: string): Client {
    const c = this.clients.get(clientId);
    if (c === undefined) throw new Error(`no client ${clientId}`);
    return c;
  }

  result(): AnalysisResult {
    const [f, t] = this.tick();
    this.analyzer.end(f, t);
    return this.analyzer.result();
  }
}

export class Client {
  readonly info: ConnectionInfo;
  readonly version: MqttVersion;
  private nextId = 1;

  constructor(readonly s: Scenario, readonly clientId: string, o: ConnectOpts, id: number, port: number) {
    this.version = o.version ?? 4;
    const [frame, time] = s.tick();
    this.info = {
      id, client: { addr: '127.0.0.1', port }, server: { addr: '127.0.0.1', port: 1883 }, firstFrame: frame, firstTime: time,
      sawSyn: !o.midstream, transport: 'mqtt',
    };
    s.analyzer.connection(this.info);
    if (o.midstream) return;
    const v = this.version;
    const w = o.will;
    const props: Property[] = [];
    if (o.sessionExpiry !== undefined) props.push({ id: 0x11, name: 'Session Expiry Interval', value: o.sessionExpiry });
    if (o.maxPacketSize !== undefined) props.push({ id: 0x27, name: 'Maximum Packet Size', value: o.maxPacketSize });
    const clean = o.clean ?? true;
    this.send('c2s', {
      type: 'CONNECT', protocolName: o.protocolName ?? (v === 3 ? 'MQIsdp' : 'MQTT'), protocolLevel: v,
      connectFlags: o.connectFlags ?? ((clean ? 2 : 0) | (w ? 4 | ((w.qos ?? 0) << 3) | (w.retain ? 32 : 0) : 0)),
      cleanSession: clean, willFlag: w !== undefined, willQos: w?.qos ?? 0, willRetain: w?.retain ?? false,
      usernameFlag: false, passwordFlag: false, keepAlive: o.keepAlive ?? 60, clientId,
      ...(v === 5 ? { properties: props } : {}),
      ...(w ? {
        willTopic: w.topic, willPayload: enc.encode(w.payload),
        ...(v === 5 ? { willProperties: w.delay ? [{ id: 0x18, name: 'Will Delay Interval', value: w.delay }] : [] } : {}),
      } : {}),
    });
    if (o.noConnack) return;
    const cprops: Property[] = [];
    if (o.serverKeepAlive !== undefined) cprops.push({ id: 0x13, name: 'Server Keep Alive', value: o.serverKeepAlive });
    if (o.serverMaxPacketSize !== undefined) cprops.push({ id: 0x27, name: 'Maximum Packet Size', value: o.serverMaxPacketSize });
    this.send('s2c', {
      type: 'CONNACK', ackFlags: o.sessionPresent ? 1 : 0, sessionPresent: o.sessionPresent ?? false, returnCode: o.code ?? 0,
      ...(v === 5 ? { properties: cprops } : {}),
    });
  }

  /** Emit one packet; returns its frame number. */
  send(dir: Direction, p: PacketSpec, versionKnown = true): number {
    const [frame, time] = this.s.tick();
    this.s.analyzer.message({
      conn: this.info, dir, frame, time, version: this.version, versionKnown, indexInFrame: 0,
      result: { status: 'ok', packet: finish(p) },
    });
    return frame;
  }

  malformed(dir: Direction, reason: string, headerFlags = 0x30, versionKnown = true): number {
    const [frame, time] = this.s.tick();
    this.s.analyzer.message({
      conn: this.info, dir, frame, time, version: this.version, versionKnown, indexInFrame: 0,
      result: { status: 'malformed', reason, offset: 2, packet: null, headerFlags },
    });
    return frame;
  }

  id(): number {
    return this.nextId++;
  }

  /** Client → broker PUBLISH, with the broker's acknowledgements unless ack is false. Returns its frame. */
  publish(topic: string, payload: string, o: PubOpts = {}): number {
    return this.pub('c2s', topic, payload, o);
  }

  /** Broker → client PUBLISH (a delivery), with the client's acknowledgements unless ack is false. */
  receive(topic: string, payload: string, o: PubOpts = {}): number {
    return this.pub('s2c', topic, payload, o);
  }

  private pub(dir: Direction, topic: string, payload: string, o: PubOpts): number {
    const qos = o.qos ?? 0;
    const id = qos > 0 ? (o.id ?? this.id()) : undefined;
    const f = this.send(dir, {
      type: 'PUBLISH', dup: o.dup ?? false, qos, retain: o.retain ?? false, topic, payload: enc.encode(payload),
      ...(id !== undefined ? { packetId: id } : {}), ...(o.properties ? { properties: o.properties } : {}),
    });
    if (qos > 0 && o.ack !== false) this.ackFlow(dir, qos, id!);
    return f;
  }

  /** The rest of a QoS 1/2 flow for a PUBLISH sent in `dir`. */
  ackFlow(dir: Direction, qos: number, id: number): void {
    const back: Direction = dir === 'c2s' ? 's2c' : 'c2s';
    if (qos === 1) {
      this.send(back, { type: 'PUBACK', packetId: id });
      return;
    }
    this.send(back, { type: 'PUBREC', packetId: id });
    this.send(dir, { type: 'PUBREL', packetId: id });
    this.send(back, { type: 'PUBCOMP', packetId: id });
  }

  ack(dir: Direction, type: 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP', id: number, headerFlags?: number): number {
    return this.send(dir, { type, packetId: id, ...(headerFlags !== undefined ? { headerFlags } : {}) });
  }

  /** SUBSCRIBE + SUBACK (granted = requested unless given; 0x80 for a failure). */
  subscribe(filter: string, qos = 0, o: { granted?: number; options?: number; noSuback?: boolean } = {}): number {
    const id = this.id();
    const f = this.send('c2s', { type: 'SUBSCRIBE', packetId: id, subscriptions: [{ filter, qos, options: o.options ?? qos }] });
    if (!o.noSuback) this.send('s2c', { type: 'SUBACK', packetId: id, returnCodes: [o.granted ?? qos] });
    return f;
  }

  unsubscribe(filter: string): number {
    const id = this.id();
    const f = this.send('c2s', { type: 'UNSUBSCRIBE', packetId: id, filters: [filter] });
    this.send('s2c', { type: 'UNSUBACK', packetId: id });
    return f;
  }

  ping(answer = true): number {
    const f = this.send('c2s', { type: 'PINGREQ' });
    if (answer) this.send('s2c', { type: 'PINGRESP' });
    return f;
  }

  disconnect(reasonCode?: number): number {
    return this.send('c2s', { type: 'DISCONNECT', ...(reasonCode !== undefined ? { reasonCode } : {}) });
  }

  /** A FIN or RST sent by `dir`'s sender; returns its frame. */
  close(kind: 'fin' | 'rst' = 'fin', dir: Direction = 'c2s'): number {
    const [frame, time] = this.s.tick();
    this.s.analyzer.close(this.info, kind, dir, frame, time);
    return frame;
  }

  gap(dir: Direction, bytes = 100): number {
    const [frame, time] = this.s.tick();
    this.s.analyzer.gap(this.info, dir, frame, time, bytes);
    return frame;
  }
}

export function scenario(opts?: AnalysisOptions): Scenario {
  return new Scenario(opts);
}

/** Findings with this id (any severity but not-observable unless asked). */
export function findings(r: AnalysisResult, id: string, withNotObservable = false): Finding[] {
  return r.findings.filter((f) => f.id === id && (withNotObservable || f.severity !== 'not-observable'));
}

export function ids(r: AnalysisResult): string[] {
  return [...new Set(r.findings.filter((f) => f.severity !== 'not-observable').map((f) => f.id))].sort();
}

export function violations(r: AnalysisResult): Finding[] {
  return r.findings.filter((f) => f.severity === 'violation');
}
