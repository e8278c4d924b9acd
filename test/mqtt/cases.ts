// The hand-made conversations behind test/mqtt/golden/cases.pcap. Every packet is built field by
// field from the spec layouts (support/bytes.ts). make-goldens.ts writes the pcap and runs tshark
// 4.0.17 on it once; the tests compare our infoText/detailLines with tshark's text.
// Frame numbers follow from the order here: do not reorder without regenerating the goldens.

import { bytes, pkt, props, str, u16, u32, varint } from './support/bytes.js';
import type { TcpSegment } from './support/pcap.js';

export interface Conv {
  name: string;
  /** Frames in order; each frame carries one or more whole packets in one TCP segment. */
  frames: Array<{ dir: 'c2s' | 's2c'; pdus: Uint8Array[] }>;
}

const c2s = (...pdus: Uint8Array[]) => ({ dir: 'c2s' as const, pdus });
const s2c = (...pdus: Uint8Array[]) => ({ dir: 's2c' as const, pdus });

function connect(level: number, opts: { will?: boolean; user?: boolean; pass?: boolean; clean?: boolean; v5props?: Uint8Array; willProps?: Uint8Array } = {}): Uint8Array {
  const name = level === 3 ? 'MQIsdp' : 'MQTT';
  let flags = opts.clean === false ? 0 : 0x02;
  if (opts.will) flags |= 0x04 | 0x08 | 0x20; // will QoS 1, will retain
  if (opts.user) flags |= 0x80;
  if (opts.pass) flags |= 0x40;
  const v5 = (level & 0x7f) === 5;
  return pkt(0x10, str(name), [level, flags], u16(60),
    v5 ? (opts.v5props ?? props()) : [],
    str(`client-${level}`),
    opts.will ? bytes(v5 ? (opts.willProps ?? props()) : [], str('will/topic'), str('bye')) : [],
    opts.user ? str('user') : [],
    opts.pass ? str('secret') : []);
}

/** Every assigned v5 property once, encoded per its type (5.0 §2.2.2.2). */
const allProps = props(
  [0x01, 1], [0x02], u32(3600), [0x03], str('text/plain'), [0x08], str('resp/topic'), [0x09], str('corr'),
  [0x0b], varint(300), [0x11], u32(120), [0x12], str('assigned'), [0x13], u16(30), [0x15], str('SCRAM'),
  [0x16], str([1, 2, 3]), [0x17, 1], [0x18], u32(5), [0x19, 0], [0x1a], str('resp-info'), [0x1c], str('other:1883'),
  [0x1f], str('because'), [0x21], u16(100), [0x22], u16(10), [0x23], u16(7), [0x24, 1], [0x25, 0],
  [0x26], str('key'), str('value'), [0x27], u32(65536), [0x28, 1], [0x29, 0], [0x2a, 1],
);

function common(level: number): Conv['frames'] {
  const v5 = level === 5;
  const P = (...x: Parameters<typeof props>) => (v5 ? props(...x) : new Uint8Array(0));
  return [
    s2c(pkt(0x20, [0x01, 0x00], P([0x22], u16(10), [0x21], u16(20)))),
    c2s(pkt(0x30, str('paho/test'), P(), 'hello')),
    c2s(pkt(0x32, str('paho/test'), u16(1), P(), 'hello')),
    s2c(pkt(0x40, u16(1))),
    c2s(pkt(0x34, str('qos/two'), u16(2), P(), [0, 1, 2, 255])),
    s2c(pkt(0x50, u16(2))),
    c2s(pkt(0x62, u16(2))),
    s2c(pkt(0x70, u16(2))),
    c2s(pkt(0x3b, str('dup/retain'), u16(3), P(), '')),
    c2s(pkt(0x82, u16(4), P(), str('a/b'), [0], str('c/#'), [1], str('+/x'), [2])),
    s2c(pkt(0x90, u16(4), P(), [0, 1, v5 ? 0x87 : 0x80])),
    c2s(pkt(0xa2, u16(5), P(), str('a/b'), str('c/#'))),
    s2c(pkt(0xb0, u16(5), v5 ? bytes(P(), [0x00, 0x11]) : [])),
    c2s(pkt(0xc0)),
    s2c(pkt(0xd0)),
    // several packets in one segment
    c2s(pkt(0x30, str('multi/1'), P(), 'x'), pkt(0x32, str('multi/2'), u16(9), P(), 'y'), pkt(0xc0)),
    // anomalies that still decode
    c2s(pkt(0x36, str('qos/three'), u16(10), P(), 'z')),
    c2s(pkt(0x30, str('wild/#'), P(), 'w')),
    c2s(pkt(0x30, str('caf\u00e9/\u00fcber'), P(), 'u')),
    c2s(pkt(0x30, str([0x62, 0x61, 0x64, 0xff, 0x2f, 0xc3, 0x28]), P(), 'i')),
    c2s(pkt(0x30, str([0x6e, 0x75, 0x6c, 0x00, 0x6c]), P(), 'n')),
    c2s(pkt(0x30, str('new\nline\ttab'), P(), 'c')),
    c2s(pkt(0x30, str(''), P(), 'e')),
    c2s(pkt(0x31, str('flags/bad'), P(), 'f')),
    c2s(pkt(0xc3)),
    s2c(pkt(0x41, u16(11))),
    c2s(pkt(0x82, u16(12), P(), str(''), [0], str('after/empty'), [1])),
    c2s(pkt(0x00, [1, 2])),
    c2s(pkt(0xf0)),
    // malformed: a field runs past the end of the packet
    c2s(pkt(0x30, u16(20), 'short')),
    s2c(pkt(0x40, [7])),
    c2s(pkt(0x32, str('id/cut'), [0])),
    c2s(pkt(0x82, u16(13), P(), str('no/options'))),
    c2s(pkt(0x82, u16(14), P(), str('x'), [0], [0])),
    c2s(pkt(0xa2, u16(15), P(), str('u/1'), [0, 9])),
    s2c(pkt(0x90, [0])),
    s2c(pkt(0x20, [0])),
    // a malformed packet between two good ones in one segment
    c2s(pkt(0x30, str('ok/1'), P(), '1'), pkt(0x30, u16(50)), pkt(0x30, str('ok/2'), P(), '2')),
    c2s(pkt(0xe0)),
  ];
}

function v5only(): Conv['frames'] {
  const rs = (s: string) => props([0x1f], str(s));
  return [
    c2s(pkt(0x30, str('props/all'), allProps, 'p')),
    c2s(pkt(0x30, str('alias/topic'), props([0x23], u16(1)), 'a1')),
    c2s(pkt(0x30, str(''), props([0x23], u16(1)), 'a2')),
    c2s(pkt(0x30, str(''), props([0x23], u16(2)), 'a3')),
    s2c(pkt(0x40, u16(20), [0x10])),
    s2c(pkt(0x40, u16(21), [0x97], rs('quota'))),
    s2c(pkt(0x50, u16(22), [0x80], props())),
    c2s(pkt(0x62, u16(22), [0x92])),
    s2c(pkt(0x70, u16(22), [0x92], props([0x26], str('k'), str('v')))),
    s2c(pkt(0x40, u16(23), [0x05])),
    s2c(pkt(0x90, u16(24), props(), [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2, 0x33])),
    s2c(pkt(0xb0, u16(25), props(), [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x44])),
    c2s(pkt(0x82, u16(26), props([0x0b], varint(5)), str('opt/all'), [0x2d], str('opt/res'), [0xc0 | 0x30 | 2])),
    ...[0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
      0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0x05].map((rc) => c2s(pkt(0xe0, [rc], props()))),
    c2s(pkt(0xe0, [0x8b])),
    s2c(pkt(0xe0, [0x9c], props([0x1c], str('elsewhere'), [0x11], u32(0)))),
    c2s(pkt(0xf0, [0x18], props([0x15], str('SCRAM'), [0x16], str([9, 9])))),
    s2c(pkt(0xf0, [0x00])),
    s2c(pkt(0xf0, [0x19], props())),
    s2c(pkt(0xf0, [0x42], props())),
    // properties that break
    c2s(pkt(0x30, str('unknown/prop'), props([0x2b, 1, 2]), 'q')),
    c2s(pkt(0x30, str('prop/overrun'), [2, 0x23, 0], 'rr')),
    c2s(pkt(0x30, str('proplen/overrun'), [40], 'x')),
    c2s(pkt(0x30, str('propval/cut'), [3, 0x26, 0, 9])),
    s2c(pkt(0x40, u16(30), [0x00], [5, 0x1f])),
    s2c(pkt(0x20, [0x00, 0x00])),
  ];
}

function connacks(level: number): Conv['frames'] {
  const v5 = level === 5;
  const codes = v5
    ? [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f, 0x10]
    : [0, 1, 2, 3, 4, 5, 6];
  return codes.map((c) => s2c(pkt(0x20, [c === 0 ? 1 : 0, c], v5 ? props() : [])));
}

export const CONVERSATIONS: Conv[] = [
  { name: 'v3.1', frames: [c2s(connect(3, { will: true, user: true, pass: true })), ...common(3), ...connacks(3), s2c(pkt(0x20, [0x03, 0x00]))] },
  { name: 'v3.1.1', frames: [c2s(connect(4, { will: true, user: true, pass: true })), ...common(4), ...connacks(4),
    s2c(pkt(0x20, [0xfe, 0x00])), c2s(pkt(0x10, str('MQTT'), [4, 0xc3], u16(10), str(''), str('u')))] },
  { name: 'v5.0', frames: [c2s(connect(5, { will: true, user: true, pass: true, v5props: allProps, willProps: props([0x18], u32(5), [0x01, 1]) })),
    ...common(5), ...v5only(), ...connacks(5)] },
  { name: 'no-connect', frames: common(4).concat(connacks(4)) },
  { name: 'bridge-level-0x84', frames: [c2s(connect(0x84)), ...common(4)] },
  { name: 'connect-malformed', frames: [c2s(pkt(0x10, str('MQTT'), [4])), c2s(pkt(0x10, str('MQTT'), [5, 0x02], u16(5), [20], str('c')))] },
  // Fields cut by the end of the packet after their length was read, and property blocks cut
  // inside or longer than the packet (what tshark shows of the field it fails on).
  { name: 'cut-fields-v5', frames: [
    c2s(connect(5)),
    c2s(pkt(0x30, str('cut/1'), [10], [0x03], str('ct'), [0x08], u16(40), 'xy')),
    c2s(pkt(0x30, str('cut/2'), [8], [0x26], str('k'), u16(9), 'ab')),
    c2s(pkt(0x30, str('cut/3'), [30], [0x02], u32(7), [0x26], str('key'), str('value'), [0x09], u16(3))),
    c2s(pkt(0x82, u16(3), props(), str('a/b'), [0], u16(9), 'xy')),
    c2s(pkt(0xa2, u16(4), props(), u16(12), 'x')),
  ] },
  { name: 'cut-client-id', frames: [c2s(pkt(0x10, str('MQTT'), [4, 0x02], u16(60), u16(30), 'abc'))] },
  { name: 'cut-will-properties', frames: [c2s(pkt(0x10, str('MQTT'), [5, 0x06], u16(60), props(), str('c'), [50], [0x01, 1]))] },
  // An unknown property identifier: its length is unknown, so the rest of the block is shown as
  // one string and decoding goes on after the block (the fields after it are still shown).
  { name: 'unknown-property-v5', frames: [
    c2s(pkt(0x10, str('MQTT'), [5, 0xee], u16(60), props([0x11], u32(10), [0x2b, 1, 2]), str('client-uk'), bytes(props(), str('will/t'), str('bye')), str('user'), str('pw'))),
    s2c(pkt(0x20, [0x00, 0x00], props([0x2c, 5], [0x21], u16(3)))),
    c2s(pkt(0x82, u16(7), props([0x0b, 3], [0x2b]), str('a/+'), [1])),
    s2c(pkt(0x90, u16(7), props([0x00, 1]), [1])),
    c2s(pkt(0x10, str('MQTT'), [5, 0x06], u16(60), props(), str('c2'), props([0x2b, 9], [0x18], u32(4)), str('w/t'), str('p'))),
    c2s(pkt(0x30, str('t'), props([0x2b, 0xc3, 0xa9, 0xff, 0x41, 0x00]))),
    c2s(pkt(0x30, str('t'), props([0x2b, 0x00, 0x00]))),
  ] },
  // U+0000 inside strings: Wireshark shows the text up to it, and flags what follows unless it
  // is U+0000 only (Content Type is never flagged).
  { name: 'nul-in-strings-v5', frames: [
    c2s(pkt(0x10, str('MQTT'), [5, 0x02], u16(60), props(), str('c'))),
    c2s(pkt(0x30, str([0x61, 0x62, 0x00]), props(), 'x')),
    c2s(pkt(0x30, str('t'), props([0x26], str([0x6b, 0x00, 0x6c]), str([0x76, 0x00])), 'x')),
    c2s(pkt(0x30, str('t'), props([0x03], str([0x63, 0x00, 0x64])), 'x')),
    c2s(pkt(0x30, str('t'), props([0x1f], str([0x72, 0x00, 0x73])))),
    c2s(pkt(0x30, str('t'), props([0x08], str([0x72, 0x00, 0x73]), [0x09], str([0x41, 0x00, 0x42])))),
  ] },
  { name: 'nul-in-strings-v311', frames: [
    c2s(pkt(0x10, str('MQTT'), [4, 0xc6], u16(60), str([0x63, 0x00, 0x64]), str([0x77, 0, 0x74]), str('m'), str([0x75, 0]), str([0x70, 0, 0x71]))),
    c2s(pkt(0x82, u16(3), str([0x61, 0x00]), [0], str([0x62, 0x00, 0x63]), [1])),
    c2s(pkt(0xa2, u16(4), str([0x61, 0x00, 0x62]))),
    c2s(pkt(0x30, str([0x61, 0x00, 0x00, 0x62]), 'x')),
  ] },
  // These captures have no SYN: each direction is joined mid-way. A first segment that is a whole
  // number of packets is read from its first byte, as tshark reads it, even when the packet is
  // one we would not take for a header while hunting (a reserved return code, no filter).
  { name: 'joined-at-odd-packets', frames: [
    c2s(pkt(0x82, u16(1))),
    s2c(pkt(0x90, u16(1), [0x33])),
  ] },
  { name: 'joined-at-reserved-connack', frames: [c2s(connect(4)), s2c(pkt(0x20, [0x00, 0x06]))] },
];

export interface FrameCase {
  /** 1-based frame number in the pcap. */
  no: number;
  conv: string;
  dir: 'c2s' | 's2c';
  pdus: Uint8Array[];
}

export function frames(): FrameCase[] {
  const out: FrameCase[] = [];
  CONVERSATIONS.forEach((c) => {
    for (const f of c.frames) out.push({ no: out.length + 1, conv: c.name, dir: f.dir, pdus: f.pdus });
  });
  return out;
}

export function segments(): TcpSegment[] {
  const out: TcpSegment[] = [];
  CONVERSATIONS.forEach((c, i) => {
    for (const f of c.frames) out.push({ conv: i, dir: f.dir, payload: bytes(...f.pdus) });
  });
  return out;
}
