// v5 Maximum Packet Size (MQTT 5.0 §3.1.2.11.4, §3.2.2.3.6). Found on real traffic: mosquitto
// 2.0.11 rightly sent a subscriber whose CONNECT allows 100 bytes nothing of a 500-byte message,
// and check called it publish-not-routed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations } from './support.js';

test('packet size: a message too large for the subscriber is not owed to it; a small one is', () => {
  const s = scenario();
  const small = s.connect('small', { version: 5, maxPacketSize: 100 });
  small.subscribe('m/#', 1);
  const pub = s.connect('pub', { version: 5 });
  pub.publish('m/x', 'x'.repeat(500), { qos: 1, properties: [] });
  const owed = pub.publish('m/x', 'small one', { qos: 1, properties: [] });
  s.wait(15);
  small.disconnect();
  // the big one: discarded "as if delivered" (MQTT-3.1.2-24); the small one is still owed
  assert.deepEqual(findings(s.result(), 'publish-not-routed').map((f) => f.frames.includes(owed)), [true]);
});

test('packet size: within a few bytes of the limit the copy may be larger or smaller: not judged', () => {
  const s = scenario();
  const sub = s.connect('sub', { version: 5, maxPacketSize: 100 });
  sub.subscribe('m/#', 1);
  // 2 + 2 + 3 + 2 + 1 + 84 = 94 bytes here; the broker's copy may carry a few more
  s.connect('pub', { version: 5 }).publish('m/x', 'y'.repeat(84), { qos: 1, properties: [] });
  s.wait(15);
  sub.disconnect();
  assert.deepEqual(violations(s.result()), []);
});

test('packet size: a packet larger than the receiver allows is a violation, either way', () => {
  const s = scenario();
  const sub = s.connect('sub', { version: 5, maxPacketSize: 100, serverMaxPacketSize: 200 });
  sub.subscribe('m/#', 1);
  const big = sub.receive('m/x', 'x'.repeat(500), { qos: 1, properties: [] });
  const fits = sub.receive('m/x', 'fine', { qos: 1, properties: [] });
  const tooBig = sub.publish('m/up', 'u'.repeat(300), { qos: 1, properties: [] });
  sub.publish('m/up', 'ok', { qos: 1, properties: [] });
  sub.disconnect();
  const f = findings(s.result(), 'packet-too-large');
  assert.deepEqual(f.map((x) => x.frames[0]), [big, tooBig]);
  assert.match(f[0]!.message, /the broker sent a PUBLISH of 510 bytes; the client accepts at most 100 \(Maximum Packet Size in its CONNECT\)/);
  assert.match(f[1]!.message, /the client sent a PUBLISH of 311 bytes; the broker accepts at most 200 \(Maximum Packet Size in its CONNACK\)/);
  assert.ok(fits > big);
});
