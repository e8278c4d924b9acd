// A scenario builder for expectation tests: it feeds hand-made dissection events (one MQTT packet
// per frame) through the real TraceCollector, so tests read like the lab they describe:
//   const s = scenario(); const sub = s.client('sub'); sub.subscribe('a/#', 1); s.wait(1); ...

import type { ConnectionInfo, Direction, MqttMessage } from '../../src/pipeline/events.js';
import type { MqttPacket } from '../../src/mqtt/types.js';
import { TraceCollector, type FindingLike, type Trace } from '../../src/expect/trace.js';

const base = { headerFlags: 0, remainingLength: 0, length: 2, notes: [] };
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

export interface ClientOpts {
  keepAlive?: number;
  clean?: boolean;
  version?: 3 | 4 | 5;
  will?: { topic: string; payload: string; qos?: number; retain?: boolean };
  sessionPresent?: boolean;
}

export class Client {
  private nextId = 1;
  constructor(
    private readonly s: Scenario,
    readonly info: ConnectionInfo,
    readonly version: 3 | 4 | 5,
  ) {}

  send(dir: Direction, p: MqttPacket): number {
    return this.s.emit(this.info, dir, this.version, p);
  }

  subscribe(filter: string, qos = 0, granted = qos): number[] {
    const id = this.nextId++;
    const a = this.send('c2s', { ...base, type: 'SUBSCRIBE', packetId: id, subscriptions: [{ filter, qos, options: qos }] });
    const b = this.send('s2c', { ...base, type: 'SUBACK', packetId: id, returnCodes: [granted] });
    return [a, b];
  }

  /** A client → broker PUBLISH; with `complete` the QoS 1/2 handshake follows. */
  publish(topic: string, payload: string, o: { qos?: number; retain?: boolean; dup?: boolean; id?: number; complete?: boolean; steps?: number } = {}): number {
    return this.pub('c2s', topic, payload, o);
  }

  /** A broker → client PUBLISH (a delivery). */
  deliver(topic: string, payload: string, o: { qos?: number; retain?: boolean; dup?: boolean; id?: number; complete?: boolean; steps?: number } = {}): number {
    return this.pub('s2c', topic, payload, o);
  }

  private pub(dir: Direction, topic: string, payload: string, o: { qos?: number; retain?: boolean; dup?: boolean; id?: number; complete?: boolean; steps?: number }): number {
    const qos = o.qos ?? 0;
    const packetId = qos ? (o.id ?? this.nextId++) : undefined;
    const f = this.send(dir, { ...base, type: 'PUBLISH', qos, retain: o.retain ?? false, dup: o.dup ?? false, topic, packetId, payload: bytes(payload) });
    if (qos && o.complete !== false) {
      const other: Direction = dir === 'c2s' ? 's2c' : 'c2s';
      const seq: [Direction, 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP'][] =
        qos === 1 ? [[other, 'PUBACK']] : [[other, 'PUBREC'], [dir, 'PUBREL'], [other, 'PUBCOMP']];
      const n = o.steps ?? seq.length;
      for (const [d, type] of seq.slice(0, n)) this.send(d, { ...base, type, packetId: packetId! });
    }
    return f;
  }

  ping(): number {
    const f = this.send('c2s', { ...base, type: 'PINGREQ' });
    this.send('s2c', { ...base, type: 'PINGRESP' });
    return f;
  }

  disconnect(reasonCode?: number): number {
    const f = this.send('c2s', { ...base, type: 'DISCONNECT', ...(reasonCode !== undefined ? { reasonCode } : {}) });
    this.s.close(this.info, 'fin', 'c2s');
    return f;
  }

  /** Killed: the kernel closes the socket without DISCONNECT. */
  kill(kind: 'fin' | 'rst' = 'fin'): number {
    return this.s.close(this.info, kind, 'c2s');
  }
}

export class Scenario {
  private frame = 0;
  private time = 1_700_000_000;
  private connId = 0;
  private port = 40000;
  readonly collector: TraceCollector;

  constructor(name = 'scenario.pcap') {
    this.collector = new TraceCollector(name);
  }

  wait(seconds: number): this {
    this.time += seconds;
    return this;
  }

  client(clientId: string, o: ClientOpts = {}): Client {
    const info: ConnectionInfo = {
      id: this.connId++,
      client: { addr: '127.0.0.1', port: this.port++ },
      server: { addr: '127.0.0.1', port: 1883 },
      firstFrame: this.frame + 1,
      firstTime: this.time,
      sawSyn: true,
      transport: 'mqtt',
    };
    this.collector.connection(info);
    const version = o.version ?? 4;
    const c = new Client(this, info, version);
    const w = o.will;
    c.send('c2s', {
      ...base,
      type: 'CONNECT',
      protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
      protocolLevel: version,
      connectFlags: 0,
      cleanSession: o.clean ?? true,
      willFlag: Boolean(w),
      willQos: w?.qos ?? 0,
      willRetain: w?.retain ?? false,
      usernameFlag: false,
      passwordFlag: false,
      keepAlive: o.keepAlive ?? 60,
      clientId,
      ...(w ? { willTopic: w.topic, willPayload: bytes(w.payload) } : {}),
    });
    c.send('s2c', { ...base, type: 'CONNACK', ackFlags: o.sessionPresent ? 1 : 0, sessionPresent: o.sessionPresent ?? false, returnCode: 0 });
    return c;
  }

  emit(conn: ConnectionInfo, dir: Direction, version: 3 | 4 | 5, packet: MqttPacket): number {
    const frame = ++this.frame;
    const m: MqttMessage = { conn, dir, frame, time: this.time, version, versionKnown: true, indexInFrame: 0, result: { status: 'ok', packet } };
    this.collector.message(m);
    this.time += 0.001;
    return frame;
  }

  close(conn: ConnectionInfo, kind: 'fin' | 'rst', dir: Direction): number {
    const frame = ++this.frame;
    this.collector.close(conn, kind, dir, frame, this.time);
    this.time += 0.001;
    return frame;
  }

  trace(findings: FindingLike[] | null = []): Trace {
    this.collector.end(this.frame, this.time);
    return this.collector.trace(findings);
  }
}

export const scenario = (name?: string) => new Scenario(name);
