// One MQTT 3.1.1 conversation written from the spec's packet layouts (3.1.1 ch. 3), as the two
// byte streams a client and a broker send. What each packet must decode to is known from how it
// was built (type, packet id, topic, payload), independent of our decoder.

import { bytes, pkt, str, u16 } from '../mqtt/support/bytes.js';
import assert from 'node:assert/strict';
import type { Direction, MqttMessage } from '../../src/pipeline/events.js';

export interface Built {
  dir: Direction;
  type: string;
  bytes: Uint8Array;
  /** Offset of the packet's end in its direction's byte stream. */
  end: number;
  topic?: string;
  packetId?: number;
  payload?: Uint8Array;
}

export const PAYLOAD_300 = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
export const PAYLOAD_20K = new Uint8Array(20 * 1024).map((_, i) => (i * 13 + 5) & 0xff);

/** Packets in the order they are sent, per direction. */
export function conversation311(): Built[] {
  const list: Omit<Built, 'end'>[] = [
    { dir: 'c2s', type: 'CONNECT', bytes: pkt(0x10, str('MQTT'), [4], [0x02], u16(60), str('e2e-client')) },
    { dir: 's2c', type: 'CONNACK', bytes: pkt(0x20, [0, 0]) },
    { dir: 'c2s', type: 'SUBSCRIBE', packetId: 1, bytes: pkt(0x82, u16(1), str('e2e/#'), [2]) },
    { dir: 's2c', type: 'SUBACK', packetId: 1, bytes: pkt(0x90, u16(1), [2]) },
    publish(0, 'e2e/q0', undefined, bytes('hello0')),
    publish(1, 'e2e/q1', 2, bytes('hello1')),
    { dir: 's2c', type: 'PUBACK', packetId: 2, bytes: pkt(0x40, u16(2)) },
    publish(2, 'e2e/q2', 3, bytes('hello2')),
    { dir: 's2c', type: 'PUBREC', packetId: 3, bytes: pkt(0x50, u16(3)) },
    // PUBREL's fixed-header flags are 0010 (MQTT-3.6.1-1).
    { dir: 'c2s', type: 'PUBREL', packetId: 3, bytes: pkt(0x62, u16(3)) },
    { dir: 's2c', type: 'PUBCOMP', packetId: 3, bytes: pkt(0x70, u16(3)) },
    // Remaining Length 313 takes two bytes, 20 KB + 13 takes three (3.1.1 §2.2.3).
    publish(0, 'e2e/300', undefined, PAYLOAD_300),
    publish(0, 'e2e/20k', undefined, PAYLOAD_20K),
    { dir: 'c2s', type: 'PINGREQ', bytes: pkt(0xc0) },
    { dir: 's2c', type: 'PINGRESP', bytes: pkt(0xd0) },
    { dir: 'c2s', type: 'DISCONNECT', bytes: pkt(0xe0) },
  ];
  const ends = { c2s: 0, s2c: 0 };
  return list.map((p) => {
    ends[p.dir] += p.bytes.length;
    return { ...p, end: ends[p.dir] };
  });
}

function publish(qos: number, topic: string, packetId: number | undefined, payload: Uint8Array): Omit<Built, 'end'> {
  const b = pkt(0x30 | (qos << 1), str(topic), packetId === undefined ? [] : u16(packetId), payload);
  return { dir: 'c2s', type: 'PUBLISH', topic, packetId, payload, bytes: b };
}

/** The bytes one direction sends, in order. */
export function streamOf(list: Built[], dir: Direction): Uint8Array {
  return bytes(...list.filter((p) => p.dir === dir).map((p) => p.bytes));
}

/** The decoded packet is the one that was built (version 3.1.1, from the CONNECT). */
export function checkAgainstBuilt(m: MqttMessage, b: Built): void {
  assert.equal(m.result.status, 'ok', `${b.type}: ${m.result.status === 'malformed' ? m.result.reason : ''}`);
  const p = m.result.packet!;
  assert.equal(m.dir, b.dir);
  assert.equal(p.type, b.type);
  assert.equal(p.length, b.bytes.length);
  assert.equal(m.version, 4);
  if (b.packetId !== undefined) assert.equal((p as { packetId?: number }).packetId, b.packetId);
  if (p.type === 'PUBLISH') {
    assert.equal(p.topic, b.topic);
    assert.deepEqual(Buffer.from(p.payload), Buffer.from(b.payload!));
  }
}

/**
 * Which segment (index in `segs`, in capture order) completes each of `packets` (one direction):
 * the first after which the bytes from 0 are contiguous up to the packet's end.
 */
export function completingSegments(packets: Built[], segs: { offset: number; length: number }[]): number[] {
  const covered: [number, number][] = [];
  let prefix = 0;
  const doneAt: number[] = [];
  segs.forEach((s, i) => {
    covered.push([s.offset, s.offset + s.length]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [a, b] of covered) if (a <= prefix && b > prefix) { prefix = b; grew = true; }
    }
    doneAt.push(prefix);
  });
  return packets.map((p) => doneAt.findIndex((x) => x >= p.end));
}
