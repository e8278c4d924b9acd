import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations } from './support.js';

test('qos: complete QoS 1 and QoS 2 flows in both directions give no finding and are counted', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('a/#', 2);
  const pub = s.connect('pub');
  pub.publish('a/1', 'one', { qos: 1 });
  sub.receive('a/1', 'one', { qos: 1 });
  pub.publish('a/2', 'two', { qos: 2 });
  sub.receive('a/2', 'two', { qos: 2 });
  pub.disconnect();
  pub.close();
  sub.disconnect();
  sub.close();
  const r = s.result();
  assert.deepEqual(violations(r), []);
  const c2s = r.handshakes.filter((h) => h.direction === 'c2s');
  const s2c = r.handshakes.filter((h) => h.direction === 's2c');
  assert.deepEqual(c2s.map((h) => [h.qos, h.started, h.completed]), [[1, 1, 1], [2, 1, 1]]);
  assert.deepEqual(s2c.map((h) => [h.qos, h.started, h.completed]), [[1, 1, 1], [2, 1, 1]]);
});

test('qos: a QoS 2 PUBLISH whose PUBREC is never released: qos2-pubrel-missing when the client then disconnects', () => {
  const s = scenario();
  const pub = s.connect('pub');
  const f = pub.publish('t', 'x', { qos: 2, id: 7, ack: false });
  pub.ack('s2c', 'PUBREC', 7);
  pub.disconnect();
  pub.close();
  const r = s.result();
  const m = findings(r, 'qos2-pubrel-missing');
  assert.equal(m.length, 1);
  assert.ok(m[0]!.frames.includes(f));
  // the client owed the PUBREL: weaker evidence than a broker that never answered
  assert.equal(m[0]!.severity, 'warning');
});

test('qos: broker never acknowledges a QoS 1 PUBLISH before the client\'s DISCONNECT: violation', () => {
  const s = scenario();
  const pub = s.connect('pub');
  const f = pub.publish('t', 'x', { qos: 1, ack: false });
  pub.disconnect();
  pub.close();
  const m = findings(s.result(), 'qos1-puback-missing');
  assert.equal(m.length, 1);
  assert.equal(m[0]!.severity, 'violation');
  assert.equal(m[0]!.frames[0], f);
});

test('qos: a later PUBACK overtaking a missing one is a violation even while the connection stays open', () => {
  const s = scenario();
  const pub = s.connect('pub');
  const f1 = pub.publish('t', 'x', { qos: 1, id: 1, ack: false });
  pub.publish('t', 'y', { qos: 1, id: 2 });
  const m = findings(s.result(), 'qos1-puback-missing');
  assert.equal(m.length, 1);
  assert.deepEqual(m[0]!.frames, [f1]);
});

test('qos: a connection reset before the ack is a warning (handshake-reset), capture end is not observable', () => {
  const s = scenario();
  const a = s.connect('a');
  a.publish('t', 'x', { qos: 1, ack: false });
  a.close('rst', 'c2s');
  const b = s.connect('b');
  b.publish('t', 'y', { qos: 2, ack: false });
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.equal(findings(r, 'handshake-reset')[0]!.severity, 'warning');
  assert.equal(findings(r, 'handshake-incomplete-at-end', true)[0]!.severity, 'not-observable');
  assert.equal(findings(r, 'qos2-pubrec-missing').length, 0);
});

test('qos: PUBREL with flags other than 0010 is pubrel-bad-flags (MQTT-3.6.1-1)', () => {
  const s = scenario();
  const pub = s.connect('pub');
  pub.publish('t', 'x', { qos: 2, id: 3, ack: false });
  pub.ack('s2c', 'PUBREC', 3);
  const bad = pub.ack('c2s', 'PUBREL', 3, 0x60);
  pub.ack('s2c', 'PUBCOMP', 3);
  const r = s.result();
  const m = findings(r, 'pubrel-bad-flags');
  assert.equal(m.length, 1);
  assert.deepEqual(m[0]!.frames, [bad]);
  assert.equal(m[0]!.clause, 'MQTT-3.6.1-1');
});

test('qos: packet id 0 on QoS 1 PUBLISH and SUBSCRIBE is packet-id-zero', () => {
  const s = scenario();
  const c = s.connect('c');
  const f = c.publish('t', 'x', { qos: 1, id: 0 });
  const g = c.send('c2s', { type: 'SUBSCRIBE', packetId: 0, subscriptions: [{ filter: 'a', qos: 0, options: 0 }] });
  const m = findings(s.result(), 'packet-id-zero');
  assert.deepEqual(m.map((x) => x.frames[0]), [f, g]);
});

test('qos: an id reused while in flight is packet-id-reused; a DUP resend is not', () => {
  const s = scenario();
  const c = s.connect('c');
  const f1 = c.publish('t', 'x', { qos: 1, id: 5, ack: false });
  c.publish('t', 'x', { qos: 1, id: 5, dup: true, ack: false }); // retransmission: allowed
  const f2 = c.publish('t', 'other', { qos: 1, id: 5, ack: false }); // new message, same id: not allowed
  c.ack('s2c', 'PUBACK', 5);
  const m = findings(s.result(), 'packet-id-reused');
  assert.equal(m.length, 1);
  assert.deepEqual(m[0]!.frames, [f1, f2]);
});

test('qos: DUP on QoS 0 is dup-set-on-qos0 (MQTT-3.3.1-2)', () => {
  const s = scenario();
  const c = s.connect('c');
  const f = c.publish('t', 'x', { qos: 0, dup: true });
  const m = findings(s.result(), 'dup-set-on-qos0');
  assert.deepEqual(m.map((x) => x.frames), [[f]]);
});

test('qos: an ack for an id not in flight is qos-ack-unexpected, but not on a midstream connection', () => {
  const s = scenario();
  const c = s.connect('c');
  const f = c.ack('s2c', 'PUBACK', 42);
  const m = s.connect('m', { midstream: true });
  m.ack('s2c', 'PUBACK', 43);
  m.ack('c2s', 'PUBREL', 44);
  const r = s.result();
  const u = findings(r, 'qos-ack-unexpected');
  assert.equal(u.length, 1);
  assert.deepEqual(u[0]!.frames, [f]);
});

test('qos: delivered QoS must be min(published, granted)', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('t', 1); // granted 1
  const pub = s.connect('pub');
  pub.publish('t', 'two', { qos: 2 });
  const bad = sub.receive('t', 'two', { qos: 2 }); // should have been QoS 1
  pub.publish('t', 'zero', { qos: 0 });
  sub.receive('t', 'zero', { qos: 0 }); // min(0, 1) = 0: fine
  const m = findings(s.result(), 'delivered-qos-mismatch');
  assert.equal(m.length, 1);
  assert.ok(m[0]!.frames.includes(bad));
});

test('qos: v5 PUBACK with a failure reason completes the flow (no missing ack)', () => {
  const s = scenario();
  const c = s.connect('c', { version: 5 });
  const f = c.publish('t', 'x', { qos: 1, id: 9, ack: false });
  c.send('s2c', { type: 'PUBACK', packetId: 9, reasonCode: 0x87 });
  c.disconnect();
  c.close();
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.ok(f > 0);
});
