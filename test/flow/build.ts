// Builds a Collected by hand, the way the dissector would feed it: connections, then one
// packet-list row per frame. Every expected value in the tests follows from what is built here.

import type { ConnectionInfo, Direction, MqttMessage } from '../../src/pipeline/events.js';
import type { MqttPacket } from '../../src/mqtt/types.js';
import type { PacketRow } from '../../src/pipeline/rows.js';
import { Collector, type Collected } from '../../src/flow/collect.js';
import type { Finding } from '../../src/analysis/schema.js';

const base = { headerFlags: 0, remainingLength: 0, length: 2, notes: [] };

export const pk = {
  connect: (clientId: string, keepAlive = 60): MqttPacket => ({
    ...base,
    type: 'CONNECT',
    protocolName: 'MQTT',
    protocolLevel: 4,
    connectFlags: 2,
    cleanSession: true,
    willFlag: false,
    willQos: 0,
    willRetain: false,
    usernameFlag: false,
    passwordFlag: false,
    keepAlive,
    clientId,
  }),
  connack: (): MqttPacket => ({ ...base, type: 'CONNACK', ackFlags: 0, sessionPresent: false, returnCode: 0 }),
  publish: (topic: string, payload: string, qos = 0, packetId?: number, retain = false): MqttPacket => ({
    ...base,
    type: 'PUBLISH',
    dup: false,
    qos,
    retain,
    topic,
    packetId,
    payload: new TextEncoder().encode(payload),
  }),
  ack: (type: 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP', packetId: number): MqttPacket => ({ ...base, type, packetId }),
  subscribe: (packetId: number, filter: string, qos = 0): MqttPacket => ({
    ...base,
    type: 'SUBSCRIBE',
    packetId,
    subscriptions: [{ filter, qos, options: qos }],
  }),
  suback: (packetId: number, codes: number[]): MqttPacket => ({ ...base, type: 'SUBACK', packetId, returnCodes: codes }),
  pingreq: (): MqttPacket => ({ ...base, type: 'PINGREQ' }),
  pingresp: (): MqttPacket => ({ ...base, type: 'PINGRESP' }),
  disconnect: (): MqttPacket => ({ ...base, type: 'DISCONNECT' }),
};

export class CaptureBuilder {
  readonly collector = new Collector('test.pcap');
  private conns: ConnectionInfo[] = [];
  private frame = 0;
  readonly t0 = 1_700_000_000;

  /** A client connection to the broker 10.0.0.1:1883 from 10.0.0.(2+n):40000+n. */
  conn(): ConnectionInfo {
    const n = this.conns.length;
    const c: ConnectionInfo = {
      id: n,
      client: { addr: `10.0.0.${2 + n}`, port: 40000 + n },
      server: { addr: '10.0.0.1', port: 1883 },
      firstFrame: this.frame + 1,
      firstTime: this.t0,
      sawSyn: true,
      transport: 'mqtt',
    };
    this.conns.push(c);
    this.collector.connection(c);
    return c;
  }

  /** One frame carrying `packets`, sent in direction `dir`, `rel` seconds after frame 1. */
  send(conn: ConnectionInfo, dir: Direction, rel: number, ...packets: MqttPacket[]): number {
    const no = ++this.frame;
    const time = this.t0 + rel;
    const messages: MqttMessage[] = packets.map((p, k) => ({
      conn,
      dir,
      frame: no,
      time,
      version: 4,
      versionKnown: true,
      indexInFrame: k,
      result: { status: 'ok', packet: p },
    }));
    const [src, dst] = dir === 'c2s' ? [conn.client, conn.server] : [conn.server, conn.client];
    const row: PacketRow = {
      no,
      time: rel.toFixed(6),
      src: src.addr,
      dst: dst.addr,
      srcPort: src.port,
      dstPort: dst.port,
      protocol: 'MQTT',
      length: 66,
      info: packets.map((p) => p.type).join(', '),
      messages,
    };
    this.collector.row(row);
    return no;
  }

  /** A frame that carries no MQTT (a bare ACK, say): only advances the frame number. */
  skip(): number {
    return ++this.frame;
  }

  close(conn: ConnectionInfo, kind: 'fin' | 'rst', dir: Direction, rel: number): number {
    const no = ++this.frame;
    this.collector.close(conn, kind, dir, no, this.t0 + rel);
    return no;
  }

  done(findings: Partial<Finding>[] = []): Collected {
    this.collector.end(this.frame, this.t0);
    const data = this.collector.data;
    if (findings.length) {
      data.analysis = {
        findings: findings.map((f) => ({
          id: 'x',
          severity: 'violation',
          clause: 'MQTT-0',
          frames: [],
          message: 'm',
          title: 't',
          connection: null,
          clientId: null,
          time: null,
          ...f,
        })),
      } as unknown as Collected['analysis'];
    }
    return data;
  }
}
