// decodePacket on packets annotated field by field, per version; fuzz for all versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { connectVersion, decodePacket, decodePacketAt, looksLikeConnect, looksLikeTlsClientHello, isShortPacket } from '../../src/mqtt/decode.js';
import { reasonCodeName } from '../../src/mqtt/reason-codes.js';
import { bytes, hex, pkt, props, str, u16, u32 } from './support/bytes.js';
import type { MqttPacket, MqttVersion } from '../../src/mqtt/types.js';

function ok(pdu: Uint8Array, v: MqttVersion): MqttPacket {
  const r = decodePacket(pdu, v);
  assert.equal(r.status, 'ok', r.status === 'malformed' ? r.reason : '');
  return r.packet!;
}
const codes = (p: MqttPacket) => p.notes.map((n) => n.code);

test('MQTT 3.1.1 CONNECT, variable header of Figure 3.6 (flags 0xCE, keep alive 10)', () => {
  const pdu = pkt(0x10,               // CONNECT; pkt() adds Remaining Length
    '\x00\x04MQTT', [0x04],           // Protocol Name, Level 4
    [0xce], [0x00, 0x0a],             // Connect Flags: user, password, will QoS 1, will; keep alive 10
    str('cid'), str('w/t'), str('bye'), str('user'), str('pass123'));
  const p = ok(pdu, 4);
  assert.equal(p.type, 'CONNECT');
  if (p.type !== 'CONNECT') return;
  assert.deepEqual([p.protocolName, p.protocolLevel, p.keepAlive, p.clientId, p.willTopic, p.username], ['MQTT', 4, 10, 'cid', 'w/t', 'user']);
  assert.deepEqual([p.usernameFlag, p.passwordFlag, p.willRetain, p.willQos, p.willFlag, p.cleanSession], [true, true, false, 1, true, true]);
  assert.equal(Buffer.from(p.password!).toString(), 'pass123');
  assert.deepEqual(codes(p), []);
  assert.equal(connectVersion(pdu), 4);
  assert.ok(looksLikeConnect(pdu));
});

test('MQTT 5.0 CONNECT, variable header example of §3.1.2.11 (Session Expiry Interval 10)', () => {
  const vh = hex('00 04 4d 51 54 54 05 c2 00 0a 05 11 00 00 00 0a');
  const p = ok(pkt(0x10, vh, str(''), str('u'), str('pw')), 5);
  if (p.type !== 'CONNECT') return assert.fail();
  assert.deepEqual(p.properties, [{ id: 0x11, name: 'Session Expiry Interval', value: 10 }]);
  assert.deepEqual([p.usernameFlag, p.passwordFlag, p.cleanSession, p.keepAlive, p.username], [true, true, true, 10, 'u']);
  // user/password flags set but nothing left: Wireshark skips them silently; the spec says
  // they MUST be present (MQTT-3.1.2-19/21): malformed, but not "short-packet".
  const r = decodePacket(pkt(0x10, vh, str('')), 5);
  assert.equal(r.status, 'malformed');
  assert.ok(r.status === 'malformed' && r.reason.startsWith('missing-field') && !isShortPacket(r));
});

test('MQTT 3.1 CONNECT with MQIsdp, and name/level mismatch notes', () => {
  const v3 = pkt(0x10, str('MQIsdp'), [3, 0x02], u16(30), str('c'));
  assert.equal(connectVersion(v3), 3);
  assert.ok(looksLikeConnect(v3));
  assert.deepEqual(codes(ok(v3, 3)), []);
  assert.deepEqual(codes(ok(pkt(0x10, str('MQIsdp'), [4, 0x03], u16(30), str('c')), 4)), ['protocol-mismatch', 'connect-reserved-flag']);
  assert.equal(looksLikeConnect(pkt(0x10, str('HTTP'), [4, 2], u16(1), str('c'))), false);
});

test('PUBLISH per version: topic, packet id, v5 properties, payload view', () => {
  for (const v of [3, 4] as const) {
    const p = ok(pkt(0x3d, str('a/b'), u16(7), 'hi'), v); // DUP, QoS 2, RETAIN
    if (p.type !== 'PUBLISH') return assert.fail();
    assert.deepEqual([p.dup, p.qos, p.retain, p.topic, p.packetId, Buffer.from(p.payload).toString()], [true, 2, true, 'a/b', 7, 'hi']);
  }
  const p = ok(pkt(0x32, str('t'), u16(1), props([0x01, 1], [0x02], u32(60), [0x26], str('k'), str('v'), [0x0b], [0x81, 0x01]), 'x'), 5);
  if (p.type !== 'PUBLISH') return assert.fail();
  assert.deepEqual(p.properties, [
    { id: 1, name: 'Payload Format Indicator', value: 1 }, { id: 2, name: 'Message Expiry Interval', value: 60 },
    { id: 0x26, name: 'User Property', value: ['k', 'v'] }, { id: 0x0b, name: 'Subscription Identifier', value: 129 }]);
});

test('PUBLISH anomalies become notes (QoS 3, wildcard, bad UTF-8, U+0000, DUP on QoS 0)', () => {
  assert.deepEqual(codes(ok(pkt(0x36, str('x'), u16(1)), 4)), ['invalid-qos']);
  assert.deepEqual(codes(ok(pkt(0x30, str('a/#')), 4)), ['wildcard-in-topic']);
  assert.deepEqual(codes(ok(pkt(0x30, str([0x61, 0xff])), 4)), ['invalid-utf8']);
  assert.deepEqual(codes(ok(pkt(0x30, str([0x61, 0x00])), 4)), ['null-character']);
  assert.deepEqual(codes(ok(pkt(0x38, str('a')), 4)), ['dup-qos0']);
  assert.deepEqual(codes(ok(pkt(0x30, str([0xed, 0xa0, 0x80])), 4)), ['invalid-utf8']); // surrogate, MQTT-1.5.3-1
});

test('acks: v3.1.1 id only; v5 reason code and properties may be omitted (§3.4.2.1)', () => {
  const a = ok(pkt(0x40, u16(9)), 4);
  assert.deepEqual(a.type === 'PUBACK' && [a.packetId, a.reasonCode], [9, undefined]);
  const b = ok(pkt(0x50, u16(9), [0x10]), 5);
  assert.deepEqual(b.type === 'PUBREC' && [b.packetId, b.reasonCode, b.properties], [9, 0x10, undefined]);
  const c = ok(pkt(0x62, u16(9), [0x92], props([0x1f], str('gone'))), 5);
  assert.deepEqual(c.type === 'PUBREL' && c.properties, [{ id: 0x1f, name: 'Reason String', value: 'gone' }]);
  assert.deepEqual(codes(ok(pkt(0x70, u16(9), [0x10]), 5)), ['invalid-reason-code']); // 0x10 not valid in PUBCOMP
  assert.deepEqual(codes(ok(pkt(0x60, u16(9)), 4)), ['reserved-flags']);               // MQTT-3.6.1-1
  assert.deepEqual(codes(ok(pkt(0x40, u16(0)), 4)), ['packet-id-zero']);
});

test('SUBSCRIBE / SUBACK / UNSUBSCRIBE / UNSUBACK per version', () => {
  const s4 = ok(pkt(0x82, u16(1), str('a/+'), [1], str('#'), [2]), 4);
  assert.deepEqual(s4.type === 'SUBSCRIBE' && s4.subscriptions.map((x) => [x.filter, x.qos]), [['a/+', 1], ['#', 2]]);
  const s5 = ok(pkt(0x82, u16(1), props(), str('a'), [0x2d]), 5);
  assert.deepEqual(s5.type === 'SUBSCRIBE' && s5.subscriptions[0], { filter: 'a', qos: 1, options: 0x2d, noLocal: true, retainAsPublished: true, retainHandling: 2 });
  const sa = ok(pkt(0x90, u16(1), [0, 1, 2, 0x80]), 4);
  assert.deepEqual(sa.type === 'SUBACK' && sa.returnCodes, [0, 1, 2, 0x80]);
  assert.deepEqual(codes(ok(pkt(0x90, u16(1), [3]), 4)), ['invalid-return-code']);
  const u = ok(pkt(0xa2, u16(2), str('a'), str('b')), 4);
  assert.deepEqual(u.type === 'UNSUBSCRIBE' && u.filters, ['a', 'b']);
  const ua = ok(pkt(0xb0, u16(2), props(), [0x00, 0x11]), 5);
  assert.deepEqual(ua.type === 'UNSUBACK' && ua.reasonCodes, [0, 0x11]);
});

test('CONNACK, PING, DISCONNECT, AUTH, reserved type 0', () => {
  const c4 = ok(pkt(0x20, [1, 0]), 4);
  assert.deepEqual(c4.type === 'CONNACK' && [c4.sessionPresent, c4.returnCode], [true, 0]);
  const c5 = ok(pkt(0x20, [0, 0x87], props([0x12], str('id'))), 5);
  assert.deepEqual(c5.type === 'CONNACK' && [c5.returnCode, c5.properties?.length], [0x87, 1]);
  assert.deepEqual(codes(ok(pkt(0xc0, [0]), 4)), ['trailing-bytes']);
  const d = ok(pkt(0xe0, [0x04], props([0x11], u32(0))), 5);
  assert.deepEqual(d.type === 'DISCONNECT' && [d.reasonCode, d.properties?.length], [4, 1]);
  const a = ok(pkt(0xf0, [0x18], props([0x15], str('SCRAM'))), 5);
  assert.equal(a.type === 'AUTH' && a.reasonCode, 0x18);
  assert.deepEqual(codes(ok(pkt(0xf0), 4)), ['reserved-type']);
  assert.deepEqual(codes(ok(pkt(0x00), 4)), ['reserved-type']);
  assert.equal(reasonCodeName(14, 0), 'Normal disconnection');
  assert.equal(reasonCodeName(9, 0), 'Granted QoS 0');
  assert.equal(reasonCodeName(4, 0x92), undefined);
});

test('a short body inside a complete packet is malformed (short-packet), keeping what decoded', () => {
  const r = decodePacket(pkt(0x32, str('topic'), [0]), 4);
  assert.equal(r.status, 'malformed');
  assert.ok(isShortPacket(r));
  assert.equal(r.status === 'malformed' && r.offset, 9);
  assert.equal(r.packet?.type === 'PUBLISH' && r.packet.topic, 'topic');
  const v5connack = decodePacket(pkt(0x20, [0, 0]), 5); // v5 CONNACK needs a property length
  assert.ok(isShortPacket(v5connack));
  const unknown = decodePacket(pkt(0x30, str('t'), props([0x2b, 1]), 'p'), 5);
  assert.equal(unknown.status, 'malformed');
  assert.ok(!isShortPacket(unknown));
  assert.equal(unknown.status === 'malformed' && unknown.offset, 6); // 2 header + 3 topic + 1 property length
  assert.deepEqual(unknown.packet?.type === 'PUBLISH' && [unknown.packet.properties?.[0]?.name, Buffer.from(unknown.packet.payload).toString()], ['Unknown', 'p']);
  const bad = decodePacket(Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), 4);
  assert.equal(bad.status === 'malformed' && bad.packet, null);
});

test('TLS ClientHello sniffing', () => {
  assert.ok(looksLikeTlsClientHello(hex('16 03 01 02 00 01 00 01 fc 03 03')));
  assert.ok(!looksLikeTlsClientHello(pkt(0x10, str('MQTT'), [4, 2], u16(1), str('c'))));
});

test('fuzz: decodePacket never throws on random bytes, any version', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(3, 4, 5), (b, v) => {
    const r = decodePacket(b, v as MqttVersion);
    assert.ok(r.status === 'ok' || r.status === 'malformed');
  }), { numRuns: 3000 });
  // well-framed random bodies for every type and flag nibble
  fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 120 }), fc.constantFrom(3, 4, 5), (first, body, v) => {
    const r = decodePacket(pkt(first, body), v as MqttVersion);
    assert.ok(r.status === 'ok' || (r.status === 'malformed' && r.offset >= 0));
  }), { numRuns: 5000 });
});

test('decodePacketAt: a packet inside a larger buffer decodes as the packet alone, offsets relative to it', () => {
  const at = (pdu: Uint8Array, before: Uint8Array, after: Uint8Array, v: MqttVersion) => {
    const buf = new Uint8Array(before.length + pdu.length + after.length);
    buf.set(before, 0);
    buf.set(pdu, before.length);
    buf.set(after, before.length + pdu.length);
    return decodePacketAt(buf, before.length, before.length + pdu.length, v);
  };
  // Notes and failures at known offsets: QoS 3 PUBLISH (note at 0), CONNACK reserved flags (2),
  // a short SUBSCRIBE (fails where its filter runs out).
  const qos3 = at(pkt(0x36, str('a/#'), u16(7), 'x'), hex('ff ff ff'), hex('00'), 4);
  assert.deepEqual(qos3.packet?.notes.map((n) => [n.code, n.offset]), [['invalid-qos', 0], ['wildcard-in-topic', 2]]);
  const connack = at(pkt(0x20, [0x02, 0x00]), hex('10 20'), new Uint8Array(0), 4);
  assert.deepEqual(connack.packet?.notes.map((n) => [n.code, n.offset]), [['reserved-flags', 2]]);
  const short = at(pkt(0x82, u16(1), [0x00, 0x05, 0x61]), hex('30 00 30'), hex('ff'), 4);
  assert.deepEqual(short.status === 'malformed' && [short.reason.startsWith('short-packet'), short.offset], [true, 6]);
  fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 8 }),
    fc.uint8Array({ maxLength: 8 }), fc.constantFrom(3, 4, 5), (first, body, before, after, v) => {
      const pdu = pkt(first, body);
      assert.deepEqual(at(pdu, before, after, v as MqttVersion), decodePacket(pdu, v as MqttVersion));
    }), { numRuns: 3000 });
});

test('wildcards in Topic Name / Will Topic are noted whether the string is ASCII or not (MQTT-3.3.2-2)', () => {
  const topicNotes = (t: string) => codes(ok(pkt(0x30, str(t), 'p'), 4)).filter((c) => c === 'wildcard-in-topic').length;
  assert.deepEqual(['a/#', 'a/+/b', 'a/b', '\u00e9/#', '\u00e9/b', ''].map(topicNotes), [1, 1, 0, 1, 0, 0]);
  const will = (t: string) => codes(ok(pkt(0x10, str('MQTT'), [4, 0x06], u16(10), str('c'), str(t), str('m')), 4));
  assert.ok(will('w/+').includes('wildcard-in-topic'));
  assert.ok(!will('w/x').includes('wildcard-in-topic'));
});

test('PUBLISH topics repeated, colliding and of every cached length decode to their own bytes (topic cache)', () => {
  // Far more distinct topics than the cache has slots, each seen several times in a shuffled
  // order, with look-alikes (same length, one byte apart) and wildcards: every decode must give
  // the topic the packet was built with, and the wildcard note exactly when it holds one.
  const topics: string[] = [];
  for (let i = 0; i < 3000; i++) topics.push(`s/${i % 7}/d/${i}`.padEnd(1 + (i % 70), i % 11 === 0 ? '+' : 'x'));
  topics.push('', 'a', 'b', 'x'.repeat(64), 'x'.repeat(63) + 'y', 'x'.repeat(65));
  const order: number[] = [];
  for (let round = 0; round < 3; round++) for (let i = 0; i < topics.length; i++) order.push((i * 7919 + round * 31) % topics.length);
  for (const i of order) {
    const t = topics[i]!;
    const p = ok(pkt(0x30, str(t), 'payload'), 4);
    const wild = t.includes('+') || t.includes('#');
    assert.equal(p.type === 'PUBLISH' && p.topic, t);
    assert.equal(codes(p).includes('wildcard-in-topic'), wild, t);
  }
});

test('a topic that is not printable ASCII is checked every time it is seen, never served from the topic cache', () => {
  // U+0000 (MQTT-1.5.3-2) and bad UTF-8 (MQTT-1.5.3-1) must be noted on every packet carrying
  // them, including after the same bytes or a look-alike ASCII topic were decoded.
  const nul = Uint8Array.from([0x00, 0x03, 0x61, 0x00, 0x62]);
  const bad = Uint8Array.from([0x00, 0x03, 0x61, 0xff, 0x62]);
  for (let round = 0; round < 3; round++) {
    assert.ok(codes(ok(pkt(0x30, str('a-b'), 'p'), 4)).length === 0);
    assert.deepEqual(codes(ok(pkt(0x30, nul, 'p'), 4)), ['null-character']);
    assert.deepEqual(codes(ok(pkt(0x30, bad, 'p'), 4)), ['invalid-utf8']);
  }
});

test('a field cut by the end of the packet: what was read of it is kept for the tree, nothing in the model', () => {
  // A topic whose length (20) was read, whose bytes are not there.
  const topic = decodePacket(pkt(0x30, u16(20), 'short'), 4);
  assert.equal(topic.status, 'malformed');
  assert.equal(topic.status === 'malformed' && topic.reason, 'short-packet: Topic Name');
  assert.deepEqual(topic.status === 'malformed' && topic.cut, { length: 20 });
  // A property block declared longer than the packet: read as far as the packet goes (a Content
  // Type, then a User Property whose name has bad UTF-8, then one whose value is cut), but the
  // packet keeps no properties and no notes about them.
  const block = bytes([60], [0x03], str('t'), [0x26], str([0xff]), str('v'), [0x26], str('k'), u16(9), 'ab');
  const r = decodePacket(pkt(0x30, str('a/b'), block), 5);
  assert.equal(r.status, 'malformed');
  if (r.status !== 'malformed') return;
  assert.equal(r.reason, 'short-packet: Properties');
  const p = r.packet;
  assert.ok(p !== null && p.type === 'PUBLISH');
  assert.equal(p.properties, undefined);
  assert.deepEqual(p.notes, []);
  const cut = r.cut?.properties;
  assert.ok(cut);
  assert.equal(cut.length, 60);
  assert.deepEqual(cut.complete.map((x) => x.id), [0x03, 0x26]);
  assert.equal(cut.id, 0x26, 'the second User Property broke off');
  assert.equal(cut.key, 'k');
  assert.equal(r.cut?.length, 9, 'at its value, whose length (9) was read');
});
