// readPlainPublish (plain.ts) recognises a PUBLISH without decoding it, for writers that copy its
// fields from the bytes. It must agree with the decoder (decode.ts), which stays the reference:
// whatever it calls plain decodes cleanly to the same fields, and every clean 3.1/3.1.1 PUBLISH
// with a JSON-safe topic is plain (else the fast path would silently fall out of use).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacketAt } from '../../src/mqtt/decode.js';
import { PlainPublish, publishMayHaveTopicAlias, readPlainPublish } from '../../src/mqtt/plain.js';

/** Remaining Length as a Variable Byte Integer (§1.5.5), padded to `minBytes` (non-minimal). */
function varint(n: number, minBytes = 1): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0 || out.length + 1 < minBytes) b |= 0x80;
    out.push(b);
  } while (n > 0 || out.length < minBytes);
  return out;
}

/** A PUBLISH built field by field (MQTT 3.1.1 §3.3): flags, topic bytes, id, payload. */
function publish(flags: number, topic: Uint8Array, id: number | null, payload: Uint8Array, lengthBytes = 1): Uint8Array {
  const body = [topic.length >> 8, topic.length & 0xff, ...topic, ...(id === null ? [] : [id >> 8, id & 0xff]), ...payload];
  return Uint8Array.from([0x30 | flags, ...varint(body.length, lengthBytes), ...body]);
}

const JSON_SAFE = /^[\x20-\x7e]+$/;

/** Plain ⇔ a clean decode with a topic needing no JSON escape; and then the same fields. */
function agrees(bytes: Uint8Array, at: number, version: number): void {
  const padded = new Uint8Array(at + bytes.length + 3); // the packet inside a larger buffer
  padded.set(bytes, at);
  const end = at + bytes.length;
  const out = new PlainPublish();
  const plain = readPlainPublish(padded, at, end, version, out);
  const r = decodePacketAt(padded, at, end, version as 3 | 4 | 5);
  const p = r.packet;
  const clean =
    (version === 3 || version === 4) && r.status === 'ok' && p !== null && p.type === 'PUBLISH' && p.notes.length === 0 &&
    JSON_SAFE.test(p.topic) && !/["\\]/.test(p.topic);
  assert.equal(plain, clean, `plain ${plain}, clean decode ${clean}: ${Buffer.from(bytes).toString('hex')} v${version}`);
  if (!plain || p === null || p.type !== 'PUBLISH') return;
  assert.equal(out.headerFlags, p.headerFlags);
  assert.equal(out.remainingLength, p.remainingLength);
  assert.equal(Buffer.from(padded.subarray(out.topicStart, out.topicEnd)).toString('latin1'), p.topic);
  assert.equal(out.packetId, p.packetId ?? -1);
  assert.deepEqual(Buffer.from(padded.subarray(out.payloadStart, out.end)), Buffer.from(p.payload));
  assert.equal(out.start, at);
  assert.equal(out.end, end);
}

test('plain PUBLISH: agrees with the decoder on generated packets', () => {
  // Topics from an alphabet holding every byte that matters: wildcards, quote, backslash,
  // controls, NUL, DEL, non-ASCII, and ordinary characters.
  const topicByte = fc.constantFrom(0x61, 0x2f, 0x30, 0x20, 0x7e, 0x23, 0x2b, 0x22, 0x5c, 0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xa9);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 15 }),
      fc.array(topicByte, { maxLength: 12 }),
      fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: null }),
      fc.uint8Array({ maxLength: 40 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 5 }),
      fc.constantFrom(3, 4, 5),
      (flags, topic, id, payload, lengthBytes, at, version) => {
        agrees(publish(flags, Uint8Array.from(topic), id, payload, lengthBytes), at, version);
      },
    ),
    { numRuns: 3000 },
  );
});

test('plain PUBLISH: agrees with the decoder on arbitrary bytes after a PUBLISH header', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0x30, max: 0x3f }), fc.uint8Array({ maxLength: 60 }), fc.constantFrom(3, 4, 5), (first, rest, version) => {
      agrees(Uint8Array.from([first, ...rest]), 1, version);
    }),
    { numRuns: 3000 },
  );
});

test('plain PUBLISH: each thing the decoder notes makes a packet not plain', () => {
  const topic = Buffer.from('lab/temp');
  const payload = Buffer.from('21.5');
  const out = new PlainPublish();
  const plain = (b: Uint8Array, version = 4) => readPlainPublish(b, 0, b.length, version, out);
  assert.ok(plain(publish(0, topic, null, payload)), 'QoS 0');
  assert.ok(plain(publish(2, topic, 7, payload)), 'QoS 1');
  assert.ok(plain(publish(0x0d, topic, 7, payload), 3), 'QoS 2, DUP, RETAIN, MQTT 3.1');
  assert.equal(out.packetId, 7);
  assert.ok(!plain(publish(0, topic, null, payload), 5), 'MQTT 5.0: properties');
  assert.ok(!plain(publish(6, topic, 7, payload)), 'QoS 3 (MQTT-3.3.1-4)');
  assert.ok(!plain(publish(8, topic, null, payload)), 'DUP on QoS 0 (MQTT-3.3.1-2)');
  assert.ok(!plain(publish(2, topic, 0, payload)), 'Packet Identifier 0 (MQTT-2.3.1-1)');
  assert.ok(!plain(publish(0, Buffer.from('lab/+'), null, payload)), 'wildcard (MQTT-3.3.2-2)');
  assert.ok(!plain(publish(0, Buffer.alloc(0), null, payload)), 'empty topic (MQTT-4.7.3-1)');
  assert.ok(!plain(publish(0, topic, null, payload, 2)), 'Remaining Length not minimal (MQTT-1.5.5-1)');
  assert.ok(!plain(publish(0, Buffer.from('a"b'), null, payload)), 'a quote: JSON escapes it');
  assert.ok(!plain(publish(0, Buffer.from('caf\u00e9'), null, payload)), 'non-ASCII');
  assert.ok(!plain(publish(0, topic, null, payload).subarray(0, 12)), 'cut short');
  assert.ok(!plain(Uint8Array.from([0x32, 0x03, 0x00, 0x01, 0x61])), 'QoS 1 without room for its id');
});

/** MQTT 5.0 properties (§2.2.2.2) as bytes, from [id, value bytes] pairs. */
function properties(list: [number, number[]][]): number[] {
  const body = list.flatMap(([id, v]) => [id, ...v]);
  return [...varint(body.length), ...body];
}

const str = (s: string): number[] => [s.length >> 8, s.length & 0xff, ...Buffer.from(s)];

test('v5 PUBLISH: no Topic Alias is ruled out unless the decoder finds none either', () => {
  // Properties of every type, the Topic Alias among them, and unknown ids; lists sometimes cut.
  const property = fc.oneof(
    fc.constant<[number, number[]]>([0x01, [1]]),
    fc.constant<[number, number[]]>([0x02, [0, 0, 0, 60]]),
    fc.constant<[number, number[]]>([0x03, str('text/plain')]),
    fc.constant<[number, number[]]>([0x09, [0, 2, 0x23, 0x23]]),
    fc.constant<[number, number[]]>([0x0b, [0x81, 0x01]]),
    fc.constant<[number, number[]]>([0x26, [...str('k'), ...str('#')]]),
    fc.integer({ min: 1, max: 0xffff }).map((a): [number, number[]] => [0x23, [a >> 8, a & 0xff]]),
    fc.integer({ min: 0x2b, max: 0xff }).map((id): [number, number[]] => [id, [0]]),
  );
  let ruledOut = 0;
  fc.assert(
    fc.property(fc.constantFrom(0, 2, 4), fc.string({ maxLength: 6 }), fc.array(property, { maxLength: 4 }), fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 8 }),
      (flags, topic, props, cut, payload) => {
        const body = [...str(topic), ...(flags ? [0, 9] : []), ...properties(props), ...payload];
        const whole = Uint8Array.from([0x30 | flags, ...varint(body.length), ...body]);
        const bytes = cut === 0 ? whole : whole.subarray(0, Math.max(2, whole.length - cut));
        if (publishMayHaveTopicAlias(bytes, 0, bytes.length)) return;
        ruledOut++;
        const p = decodePacketAt(bytes, 0, bytes.length, 5).packet;
        const aliases = p && p.type === 'PUBLISH' ? (p.properties ?? []).filter((x) => x.id === 0x23) : [];
        assert.deepEqual(aliases, [], Buffer.from(bytes).toString('hex'));
        assert.ok(!props.some(([id]) => id === 0x23) || cut > 0, 'an alias in a whole packet is always seen');
      }),
    { numRuns: 3000 },
  );
  assert.ok(ruledOut > 300, `ruled out only ${ruledOut} of 3000: the fast path would not be taken`);
});
