// Hand-built captures committed under golden/ with tshark's view of them (make-goldens.ts).
// Each is something real clients will not produce on demand: a chosen segmentation, reordering,
// retransmission or broken length. Tests rebuild them and check the committed file is the same.

import type { PcapRecord } from '../support/pcap-writer.js';
import { writePcap } from '../support/pcap-writer.js';
import { CLIENT, Conversation, SERVER } from './support.js';
import { conversation311, streamOf } from './conversation.js';
import { bytes, pkt, props, str, u16, u32, varint } from '../mqtt/support/bytes.js';

const list = conversation311();
const c2s = streamOf(list, 'c2s');
const s2c = streamOf(list, 's2c');

/** Start offset (in the client stream) of the publish carrying `payloadLength` bytes. */
export function publishStart(payloadLength: number): number {
  const p = list.find((x) => x.type === 'PUBLISH' && x.payload?.length === payloadLength)!;
  return p.end - p.bytes.length;
}

/** The conversation twice: the client stream cut after the first of the 300-byte publish's two
 *  length bytes, then after the second of the 20 KB publish's three length bytes. */
export function splitInLength(): Buffer {
  const records: PcapRecord[] = [];
  const cuts = [publishStart(300) + 2, publishStart(20 * 1024) + 3];
  cuts.forEach((k, i) => {
    new Conversation({ addr: CLIENT.addr, port: CLIENT.port + i }, SERVER, records)
      .handshake()
      .send('c2s', c2s.subarray(0, k))
      .send('c2s', c2s.subarray(k))
      .send('s2c', s2c)
      .fin('c2s')
      .fin('s2c');
  });
  return writePcap(records);
}

/** The conversation with each stream in one segment: tshark's Info text for every packet. */
export function unsplit(): Buffer {
  const records: PcapRecord[] = [];
  new Conversation(CLIENT, SERVER, records).handshake().send('c2s', c2s).send('s2c', s2c).fin('c2s').fin('s2c');
  return writePcap(records);
}

/** Offset in the client stream where the packet of type/index ends. */
export function endOf(type: string, nth = 0): number {
  return list.filter((x) => x.dir === 'c2s' && x.type === type)[nth]!.end;
}

/** Client stream cut at `cuts`, its pieces sent in the order `order` (indices into the pieces). */
export function reordered(records: PcapRecord[], port: number, cuts: number[], order: number[]): Conversation {
  const conv = new Conversation({ addr: CLIENT.addr, port }, SERVER, records).handshake();
  const bounds = [0, ...cuts, c2s.length];
  for (const i of order) conv.at('c2s', bounds[i]!, c2s.subarray(bounds[i], bounds[i + 1]));
  conv.advance('c2s', c2s.length).send('s2c', s2c).fin('c2s').fin('s2c');
  return conv;
}

/** Out of order, two conversations: (1) pieces cut at packet boundaries, the 2nd and 3rd
 *  swapped; (2) cuts inside packets, the last three pieces in reverse. */
export function reorder(): Buffer {
  const records: PcapRecord[] = [];
  reordered(records, CLIENT.port, [endOf('SUBSCRIBE'), endOf('PUBREL'), endOf('PUBLISH', 3)], [0, 2, 1, 3]);
  const k = publishStart(300);
  reordered(records, CLIENT.port + 1, [endOf('CONNECT') + 3, k + 1, k + 100, endOf('PUBLISH', 3) - 7], [0, 4, 3, 2, 1]);
  return writePcap(records);
}

/** Retransmissions: (1) the segment carrying CONNECT + SUBSCRIBE sent twice (exact); (2) a
 *  segment re-sending the tail of the previous one plus new bytes (partial overlap); (3) a
 *  retransmitted PINGREQ alone after everything. */
export function retransmit(): Buffer {
  const records: PcapRecord[] = [];
  const conv = new Conversation(CLIENT, SERVER, records).handshake();
  const a = endOf('SUBSCRIBE');
  const b = endOf('PUBLISH', 1); // end of the QoS 1 publish
  const mid = endOf('PUBLISH', 0) + 5; // inside the QoS 1 publish
  const ping = endOf('PINGREQ');
  conv.at('c2s', 0, c2s.subarray(0, a));
  conv.at('c2s', 0, c2s.subarray(0, a)); // exact retransmission
  conv.at('c2s', a, c2s.subarray(a, b));
  conv.at('c2s', mid, c2s.subarray(mid, ping)); // overlaps [mid, b), adds [b, ping)
  conv.at('c2s', ping, c2s.subarray(ping));
  conv.at('c2s', ping - 2, c2s.subarray(ping - 2, ping)); // the PINGREQ again
  conv.advance('c2s', c2s.length).send('s2c', s2c).fin('c2s').fin('s2c');
  return writePcap(records);
}

export const CONNECT_311 = pkt(0x10, str('MQTT'), [4], [0x02], u16(60), str('bad'));
export const CONNECT_5 = pkt(0x10, str('MQTT'), [5], [0x02], u16(60), props(), str('bad5'));
export const PINGREQ = pkt(0xc0);

/** Broken packets, one connection each (client stream, one segment per item), each followed by
 *  a good PINGREQ. Real clients never send these. */
export const MALFORMED: { name: string; c2s: Uint8Array[]; fin?: boolean }[] = [
  // Remaining Length with a 5th byte (3.1.1 §2.2.3: at most four).
  { name: 'five-byte-length', c2s: [CONNECT_311, bytes([0x30, 0xff, 0xff, 0xff, 0xff, 0x01], str('t'), 'x'), PINGREQ] },
  // Remaining Length 200, but the stream ends (FIN) after 20 bytes.
  { name: 'longer-than-stream', c2s: [CONNECT_311, PINGREQ, bytes([0x30, 0xc8, 0x01], str('t/long'), 'only a few')], fin: true },
  // CONNECT whose Remaining Length covers only protocol name, level and flags.
  { name: 'short-connect', c2s: [bytes([0x10, 0x08], str('MQTT'), [4, 0x02]), PINGREQ] },
  // v5 PUBLISH whose property length (50) runs past the end of the packet.
  { name: 'v5-property-length', c2s: [CONNECT_5, pkt(0x30, str('t/p'), [50, 0x01, 0x01], 'x'), PINGREQ] },
];

export function malformed(): Buffer {
  const records: PcapRecord[] = [];
  MALFORMED.forEach((m, i) => {
    const conv = new Conversation({ addr: CLIENT.addr, port: CLIENT.port + i }, SERVER, records).handshake();
    for (const b of m.c2s) conv.send('c2s', b);
    if (m.fin) conv.fin('c2s');
  });
  return writePcap(records);
}

/** One v5 property as built: spec name (5.0 §2.2.2.2 Table 2-4) and value. */
export interface BuiltProp {
  id: number;
  name: string;
  value: number | string | number[] | [string, string];
}

const P = {
  byte: (id: number, name: string, v: number): BuiltProp => ({ id, name, value: v }),
  u16: (id: number, name: string, v: number): BuiltProp => ({ id, name, value: v }),
  u32: (id: number, name: string, v: number): BuiltProp => ({ id, name, value: v }),
  varint: (id: number, name: string, v: number): BuiltProp => ({ id, name, value: v }),
  utf8: (id: number, name: string, v: string): BuiltProp => ({ id, name, value: v }),
  bin: (id: number, name: string, v: number[]): BuiltProp => ({ id, name, value: v }),
  user: (k: string, v: string): BuiltProp => ({ id: 0x26, name: 'User Property', value: [k, v] }),
};
const TYPES: Record<number, 'byte' | 'u16' | 'u32' | 'varint' | 'utf8' | 'bin' | 'pair'> = {
  0x01: 'byte', 0x02: 'u32', 0x03: 'utf8', 0x08: 'utf8', 0x09: 'bin', 0x0b: 'varint', 0x11: 'u32', 0x12: 'utf8',
  0x13: 'u16', 0x15: 'utf8', 0x16: 'bin', 0x17: 'byte', 0x18: 'u32', 0x19: 'byte', 0x1a: 'utf8', 0x1c: 'utf8',
  0x1f: 'utf8', 0x21: 'u16', 0x22: 'u16', 0x23: 'u16', 0x24: 'byte', 0x25: 'byte', 0x26: 'pair', 0x27: 'u32',
  0x28: 'byte', 0x29: 'byte', 0x2a: 'byte',
};

/** A property block (length + properties) from the built list. */
export function encodeProps(list: BuiltProp[]): Uint8Array {
  return props(...list.map((p) => {
    const v = p.value;
    switch (TYPES[p.id]) {
      case 'byte': return bytes([p.id, v as number]);
      case 'u16': return bytes([p.id], u16(v as number));
      case 'u32': return bytes([p.id], u32(v as number));
      case 'varint': return bytes([p.id], varint(v as number));
      case 'utf8': return bytes([p.id], str(v as string));
      case 'bin': return bytes([p.id], str(v as number[]));
      default: return bytes([p.id], str((v as [string, string])[0]), str((v as [string, string])[1]));
    }
  }));
}

/** Every property each v5 packet type may carry (5.0 §2.2.2.2), per packet of the conversation. */
export const V5_PROPS = {
  connect: [
    P.u32(0x11, 'Session Expiry Interval', 3600), P.u16(0x21, 'Receive Maximum', 20), P.u32(0x27, 'Maximum Packet Size', 65536),
    P.u16(0x22, 'Topic Alias Maximum', 10), P.byte(0x19, 'Request Response Information', 1), P.byte(0x17, 'Request Problem Information', 1),
    P.user('lab', 'v5'), P.utf8(0x15, 'Authentication Method', 'SCRAM-SHA-1'), P.bin(0x16, 'Authentication Data', [1, 2, 3]),
  ],
  will: [
    P.u32(0x18, 'Will Delay Interval', 5), P.byte(0x01, 'Payload Format Indicator', 1), P.u32(0x02, 'Message Expiry Interval', 60),
    P.utf8(0x03, 'Content Type', 'text/plain'), P.utf8(0x08, 'Response Topic', 'will/resp'), P.bin(0x09, 'Correlation Data', [7, 7]),
    P.user('will', 'yes'),
  ],
  auth: [P.utf8(0x15, 'Authentication Method', 'SCRAM-SHA-1'), P.bin(0x16, 'Authentication Data', [4, 5]), P.utf8(0x1f, 'Reason String', 'continue'), P.user('step', '2')],
  connack: [
    P.u32(0x11, 'Session Expiry Interval', 1800), P.u16(0x21, 'Receive Maximum', 10), P.byte(0x24, 'Maximum QoS', 1),
    P.byte(0x25, 'Retain Available', 0), P.u32(0x27, 'Maximum Packet Size', 1048576), P.utf8(0x12, 'Assigned Client Identifier', 'auto-1'),
    P.u16(0x22, 'Topic Alias Maximum', 5), P.utf8(0x1f, 'Reason String', 'welcome'), P.user('broker', 'e2e'),
    P.byte(0x28, 'Wildcard Subscription Available', 1), P.byte(0x29, 'Subscription Identifier Available', 1),
    P.byte(0x2a, 'Shared Subscription Available', 0), P.u16(0x13, 'Server Keep Alive', 30), P.utf8(0x1a, 'Response Information', 'resp/'),
    P.utf8(0x1c, 'Server Reference', 'other:1883'), P.utf8(0x15, 'Authentication Method', 'SCRAM-SHA-1'), P.bin(0x16, 'Authentication Data', [6]),
  ],
  subscribe: [P.varint(0x0b, 'Subscription Identifier', 300), P.user('sub', '1')],
  suback: [P.utf8(0x1f, 'Reason String', 'granted'), P.user('sub', 'ack')],
  publish: [
    P.byte(0x01, 'Payload Format Indicator', 1), P.u32(0x02, 'Message Expiry Interval', 120), P.u16(0x23, 'Topic Alias', 3),
    P.utf8(0x08, 'Response Topic', 'v5/resp'), P.bin(0x09, 'Correlation Data', [0xca, 0xfe]), P.user('pub', 'all'),
    P.varint(0x0b, 'Subscription Identifier', 300), P.utf8(0x03, 'Content Type', 'text/x-e2e'),
  ],
  ack: (what: string) => [P.utf8(0x1f, 'Reason String', what), P.user('ack', what)],
  unsubscribe: [P.user('unsub', '1')],
  unsuback: [P.utf8(0x1f, 'Reason String', 'gone'), P.user('unsub', 'ack')],
  disconnect: [P.u32(0x11, 'Session Expiry Interval', 0), P.utf8(0x1f, 'Reason String', 'bye'), P.user('bye', 'now'), P.utf8(0x1c, 'Server Reference', 'other:1883')],
};

/** The v5 conversation: [direction, packet bytes, properties carried (null: none to check)]. */
export function v5Packets(): { dir: 'c2s' | 's2c'; type: string; bytes: Uint8Array; props: BuiltProp[]; willProps?: BuiltProp[] }[] {
  const V = V5_PROPS;
  const E = encodeProps;
  // Will flag, will QoS 1, username + password (5.0 §3.1.2.3).
  const connect = pkt(0x10, str('MQTT'), [5, 0x02 | 0x04 | 0x08 | 0x80 | 0x40], u16(60), E(V.connect), str('v5-client'),
    E(V.will), str('will/topic'), str('gone'), str('user'), str('pw'));
  return [
    { dir: 'c2s', type: 'CONNECT', bytes: connect, props: V.connect, willProps: V.will },
    { dir: 's2c', type: 'AUTH', bytes: pkt(0xf0, [0x18], E(V.auth)), props: V.auth },
    { dir: 'c2s', type: 'AUTH', bytes: pkt(0xf0, [0x18], E(V.auth)), props: V.auth },
    { dir: 's2c', type: 'CONNACK', bytes: pkt(0x20, [0x00, 0x00], E(V.connack)), props: V.connack },
    // Subscription options: QoS 2, No Local, Retain As Published, Retain Handling 1.
    { dir: 'c2s', type: 'SUBSCRIBE', bytes: pkt(0x82, u16(1), E(V.subscribe), str('v5/#'), [0x02 | 0x04 | 0x08 | 0x10]), props: V.subscribe },
    { dir: 's2c', type: 'SUBACK', bytes: pkt(0x90, u16(1), E(V.suback), [0x02]), props: V.suback },
    { dir: 'c2s', type: 'PUBLISH', bytes: pkt(0x32, str('v5/one'), u16(2), E(V.publish), '{"n":1}'), props: V.publish },
    { dir: 's2c', type: 'PUBACK', bytes: pkt(0x40, u16(2), [0x10], E(V.ack('no subscribers'))), props: V.ack('no subscribers') },
    { dir: 'c2s', type: 'PUBLISH', bytes: pkt(0x34, str('v5/two'), u16(3), E(V.publish), '{"n":2}'), props: V.publish },
    { dir: 's2c', type: 'PUBREC', bytes: pkt(0x50, u16(3), [0x00], E(V.ack('received'))), props: V.ack('received') },
    { dir: 'c2s', type: 'PUBREL', bytes: pkt(0x62, u16(3), [0x00], E(V.ack('released'))), props: V.ack('released') },
    { dir: 's2c', type: 'PUBCOMP', bytes: pkt(0x70, u16(3), [0x92], E(V.ack('not found'))), props: V.ack('not found') },
    { dir: 'c2s', type: 'UNSUBSCRIBE', bytes: pkt(0xa2, u16(4), E(V.unsubscribe), str('v5/#')), props: V.unsubscribe },
    { dir: 's2c', type: 'UNSUBACK', bytes: pkt(0xb0, u16(4), E(V.unsuback), [0x11]), props: V.unsuback },
    { dir: 'c2s', type: 'DISCONNECT', bytes: pkt(0xe0, [0x04], E(V.disconnect)), props: V.disconnect },
  ];
}

/** The v5 conversation, one packet per segment. */
export function v5(): Buffer {
  const records: PcapRecord[] = [];
  const conv = new Conversation(CLIENT, SERVER, records).handshake();
  for (const p of v5Packets()) conv.send(p.dir, p.bytes);
  conv.fin('c2s').fin('s2c');
  return writePcap(records);
}

export const GOLDENS: Record<string, () => Buffer> = {
  unsplit,
  'split-in-length': splitInLength,
  reorder,
  retransmit,
  malformed,
  v5,
};
