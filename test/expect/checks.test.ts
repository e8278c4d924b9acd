// Each check kind on hand-built scenarios: one that shows the behaviour, and ones that miss it in
// the ways a student's capture does. Expected frames come from how the scenario was built.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceIndex, evaluateCheck } from '../../src/expect/checks.js';
import { CheckSchema, type Check } from '../../src/expect/schema.js';
import type { Trace } from '../../src/expect/trace.js';
import { scenario } from './support.js';

function run(trace: Trace, check: unknown) {
  const c = CheckSchema.parse(check) as Check;
  return evaluateCheck(new TraceIndex(trace), c);
}

test('packets: count, filter fields, and a near miss naming the field that differs', () => {
  const s = scenario();
  const sub = s.client('sub');
  sub.subscribe('paho/sensor/temperature');
  const pub = s.client('pub');
  pub.publish('paho/sensor/temperature', '21', { retain: true });
  const d = sub.deliver('paho/sensor/temperature', '21', { retain: false });
  const t = s.trace();
  assert.equal(run(t, { packets: { type: 'PUBLISH' }, count: 2 }).pass, true);
  assert.equal(run(t, { packets: { type: 'PUBLISH', direction: 'to-broker', retain: true } }).pass, true);
  const r = run(t, { packets: { type: 'PUBLISH', direction: 'from-broker', retain: true } });
  assert.equal(r.pass, false);
  assert.match(r.message, new RegExp(`frame ${d} has RETAIN=0`));
  assert.equal(run(t, { packets: { type: 'PUBLISH', matches: 'paho/+/temperature', client: 'pub' }, count: 1 }).pass, true);
  assert.equal(run(t, { packets: { type: 'PUBLISH', topic: 'paho/test2/x' }, count: 0 }).pass, true);
  assert.equal(run(t, { packets: { type: 'PUBLISH' }, count: '<= 1' }).pass, false);
  assert.equal(run(t, { packets: { type: 'SUBSCRIBE', topic: 'paho/sensor/temperature' } }).pass, true);
  assert.equal(run(t, { packets: { type: 'CONNACK', sessionPresent: true } }).pass, false);
});

test('order: "SUBACK before the first PUBLISH", first-occurrence and sequence modes', () => {
  const s = scenario();
  const pub = s.client('pub');
  const early = pub.publish('a', '1');
  const sub = s.client('sub');
  const [, suback] = sub.subscribe('a');
  const late = pub.publish('a', '2');
  const t = s.trace();
  const first = run(t, { order: [{ type: 'SUBACK' }, { type: 'PUBLISH' }] });
  assert.equal(first.pass, false);
  assert.deepEqual(first.frames, [early, suback!]);
  const seq = run(t, { order: [{ type: 'SUBACK' }, { type: 'PUBLISH' }], mode: 'sequence' });
  assert.equal(seq.pass, true);
  assert.deepEqual(seq.frames, [suback!, late]);
  assert.equal(run(t, { order: [{ type: 'SUBACK' }, { type: 'PUBLISH' }], mode: 'sequence', sameConnection: true }).pass, false);
});

test('handshake: QoS 2 complete in both directions; a missing PUBREL is named', () => {
  const s = scenario();
  const sub = s.client('sub');
  sub.subscribe('q', 2);
  const pub = s.client('pub');
  const p1 = pub.publish('q', 'x', { qos: 2 });
  sub.deliver('q', 'x', { qos: 2 });
  const p2 = pub.publish('q', 'y', { qos: 2, steps: 1 });
  const t = s.trace();
  const ok = run(t, { handshake: { qos: 2, direction: 'to-broker' } });
  assert.equal(ok.pass, true);
  assert.deepEqual(ok.frames.slice(0, 4), [p1, p1 + 1, p1 + 2, p1 + 3]);
  assert.equal(run(t, { handshake: { qos: 2, direction: 'from-broker' } }).pass, true);
  const two = run(t, { handshake: { qos: 2, direction: 'to-broker' }, count: 2 });
  assert.equal(two.pass, false);
  assert.match(two.message, new RegExp(`PUBLISH frame ${p2} .*PUBREC frame ${p2 + 1}, no PUBREL`));
  const q1 = run(t, { handshake: { qos: 1 } });
  assert.equal(q1.pass, false);
  assert.match(q1.message, /no QoS 1 PUBLISH/);
});

test('retained: delivered on subscribe with RETAIN=1; RETAIN=0 on that delivery is named with its frame', () => {
  const build = (flag: boolean, retainPublish = true) => {
    const s = scenario();
    const pub = s.client('pub');
    const p = pub.publish('paho/sensor/temperature', '21.5', { retain: retainPublish });
    pub.disconnect();
    s.wait(1);
    const sub = s.client('sub');
    const [subF] = sub.subscribe('paho/sensor/#');
    const d = retainPublish ? sub.deliver('paho/sensor/temperature', '21.5', { retain: flag }) : 0;
    const live = pub.publish('paho/sensor/temperature', '22');
    const d2 = sub.deliver('paho/sensor/temperature', '22', { retain: false });
    return { t: s.trace(), p, subF: subF!, d, live, d2 };
  };
  const good = build(true);
  const r = run(good.t, { retained: { topic: 'paho/sensor/temperature' } });
  assert.equal(r.pass, true);
  assert.deepEqual(r.frames, [good.p, good.subF, good.d]);
  const withLive = run(good.t, { retained: { liveRetain0: true } });
  assert.equal(withLive.pass, true);
  assert.ok(withLive.frames.includes(good.d2));
  const bad = build(false);
  const b = run(bad.t, { retained: {} });
  assert.equal(b.pass, false);
  assert.match(b.message, new RegExp(`expected RETAIN=1 on the delivery to subscriber 'sub'; frame ${bad.d} has RETAIN=0`));
  const never = build(false, false);
  const n = run(never.t, { retained: {} });
  assert.equal(n.pass, false);
  assert.match(n.message, /no PUBLISH with RETAIN=1/);
});

test('keepalive: pings at 6 s pass; a 9 s silence and a client that never pings fail', () => {
  const s = scenario();
  const a = s.client('ka6', { keepAlive: 6 });
  for (let k = 0; k < 4; k++) {
    s.wait(6);
    a.ping();
  }
  s.wait(2);
  a.disconnect();
  const b = s.client('ka12', { keepAlive: 12 });
  s.wait(9);
  b.ping();
  s.wait(12);
  b.ping();
  s.wait(3);
  b.disconnect();
  const t = s.trace();
  assert.equal(run(t, { keepalive: { seconds: 6 } }).pass, true);
  assert.equal(run(t, { keepalive: { seconds: 12 } }).pass, true);
  assert.equal(run(t, { keepalive: { clients: 2 } }).pass, true);

  const s2 = scenario();
  const c = s2.client('slow', { keepAlive: 6 });
  s2.wait(6);
  c.ping();
  s2.wait(9);
  c.ping();
  c.disconnect();
  const r = run(s2.trace(), { keepalive: { seconds: 6 } });
  assert.equal(r.pass, false);
  assert.match(r.message, /silent for 9\.0 s/);

  const s3 = scenario();
  s3.client('quiet', { keepAlive: 0 });
  s3.wait(30);
  const q = run(s3.trace(), { keepalive: {} });
  assert.equal(q.pass, false);
  assert.match(q.message, /'quiet' 0 s/);
});

test('will: published after a kill; not published after DISCONNECT; each fails the other way', () => {
  const killed = () => {
    const s = scenario();
    const sub = s.client('watcher');
    sub.subscribe('paho/LWT');
    const w = s.client('dying', { will: { topic: 'paho/LWT', payload: 'gone' } });
    s.wait(2);
    const end = w.kill();
    s.wait(0.1);
    const d = sub.deliver('paho/LWT', 'gone');
    return { t: s.trace(), end, d };
  };
  const k = killed();
  const r = run(k.t, { will: { topic: 'paho/LWT' } });
  assert.equal(r.pass, true);
  assert.ok(r.frames.includes(k.end) && r.frames.includes(k.d));
  assert.equal(run(k.t, { will: { published: false } }).pass, false);

  const s = scenario();
  const sub = s.client('watcher');
  sub.subscribe('paho/#');
  const w = s.client('polite', { will: { topic: 'paho/LWT', payload: 'gone' } });
  const disc = w.disconnect();
  s.wait(2);
  const t = s.trace();
  const clean = run(t, { will: { published: false } });
  assert.equal(clean.pass, true);
  assert.ok(clean.frames.includes(disc));
  const wanted = run(t, { will: {} });
  assert.equal(wanted.pass, false);
  assert.match(wanted.message, new RegExp(`clean DISCONNECT \\(frame ${disc}\\)`));
});

test('session: the queued QoS 1 message is delivered on reconnect; clean session or a lost message fail', () => {
  const build = (o: { clean2?: boolean; deliver1?: boolean; deliver0?: boolean; sp?: boolean }) => {
    const s = scenario();
    const sub = s.client('persist', { clean: false });
    sub.subscribe('paho/test/persist', 1);
    sub.disconnect();
    s.wait(1);
    const pub = s.client('pub');
    const p0 = pub.publish('paho/test/persist', 'zero', { qos: 0 });
    const p1 = pub.publish('paho/test/persist', 'one', { qos: 1 });
    pub.disconnect();
    s.wait(1);
    const back = s.client('persist', { clean: o.clean2 ?? false, sessionPresent: o.sp ?? true });
    const d1 = o.deliver1 !== false ? back.deliver('paho/test/persist', 'one', { qos: 1 }) : 0;
    if (o.deliver0) back.deliver('paho/test/persist', 'zero');
    back.disconnect();
    return { t: s.trace(), p0, p1, d1 };
  };
  const good = build({});
  const r = run(good.t, { session: { qos0: 'dropped' } });
  assert.equal(r.pass, true, r.message);
  assert.ok(r.frames.includes(good.p1) && r.frames.includes(good.d1));
  const lost = build({ deliver1: false });
  const l = run(lost.t, { session: {} });
  assert.equal(l.pass, false);
  assert.match(l.message, new RegExp(`published while 'persist' was away \\(frame ${lost.p1}\\) was not delivered`));
  const clean = build({ clean2: true, deliver1: false, sp: false });
  assert.match(run(clean.t, { session: {} }).message, /clean session = 1/);
  const zero = build({ deliver0: true });
  assert.equal(run(zero.t, { session: { qos0: 'dropped' } }).pass, false);
  assert.equal(run(zero.t, { session: { qos0: 'published' } }).pass, true);
  const nosp = build({ sp: false });
  assert.match(run(nosp.t, { session: {} }).message, /session present = 0/);
});

test('forwarded, notDelivered and wildcard: lab 4 routing', () => {
  const s = scenario();
  const a = s.client('plus');
  const [subPlus] = a.subscribe('paho/test/+/temperature');
  const b = s.client('hash');
  b.subscribe('paho/test/#');
  const pub = s.client('pub');
  pub.publish('paho/test/livingroom/temperature', '20');
  const d = a.deliver('paho/test/livingroom/temperature', '20');
  b.deliver('paho/test/livingroom/temperature', '20');
  pub.publish('paho/test/kitchen/humidity', '40');
  b.deliver('paho/test/kitchen/humidity', '40');
  const miss = pub.publish('paho/test2/livingroom/humidity', '50');
  const t = s.trace();
  assert.equal(run(t, { forwarded: { topics: 2 } }).pass, true);
  assert.equal(run(t, { forwarded: { topics: 3 } }).pass, false);
  const nd = run(t, { notDelivered: { topic: 'paho/test2/#' } });
  assert.equal(nd.pass, true);
  assert.deepEqual(nd.frames, [miss]);
  assert.equal(run(t, { notDelivered: { topic: 'paho/test/#' } }).pass, false);
  assert.equal(run(t, { notDelivered: { topic: 'nothing/#' } }).pass, false, 'nothing published: cannot show it');
  const w = run(t, { wildcard: { kind: '+' } });
  assert.equal(w.pass, true);
  assert.deepEqual(w.frames, [subPlus!, d]);
  assert.equal(run(t, { wildcard: { kind: '#' } }).pass, true);

  const s2 = scenario();
  const c = s2.client('plus');
  c.subscribe('paho/test/+');
  s2.client('pub').publish('paho/test/a/b', 'x');
  const miss2 = run(s2.trace(), { wildcard: {} });
  assert.equal(miss2.pass, false);
  assert.match(miss2.message, /paho\/test\/a\/b \(does not match\)/);
});

test('periodic publisher and a subscriber that leaves while it goes on', () => {
  const s = scenario();
  const sub = s.client('sub');
  sub.subscribe('paho/temp');
  const pub = s.client('sensor');
  let left = 0;
  for (let k = 0; k < 12; k++) {
    pub.publish('paho/temp', `22.${k}`);
    if (k < 6) sub.deliver('paho/temp', `22.${k}`);
    if (k === 5) left = sub.disconnect();
    s.wait(1);
  }
  const t = s.trace();
  assert.equal(run(t, { periodic: { interval: 1 } }).pass, true);
  assert.equal(run(t, { periodic: { interval: 5 } }).pass, false);
  assert.equal(run(t, { periodic: { minCount: 20 } }).pass, false);
  const leaves = run(t, { subscriberLeaves: {} });
  assert.equal(leaves.pass, true);
  assert.ok(leaves.frames.includes(left));

  const s2 = scenario();
  const sub2 = s2.client('sub');
  sub2.subscribe('paho/temp');
  const pub2 = s2.client('sensor');
  for (let k = 0; k < 3; k++) {
    pub2.publish('paho/temp', `${k}`);
    sub2.deliver('paho/temp', `${k}`);
    s2.wait([0.1, 3, 0.2][k]!);
  }
  sub2.disconnect();
  const t2 = s2.trace();
  assert.equal(run(t2, { periodic: { minCount: 3 } }).pass, false);
  assert.match(run(t2, { subscriberLeaves: {} }).message, /nothing more was published/);
});

test('findings: absent by severity or id, present by id', () => {
  const s = scenario();
  s.client('x');
  const t = s.trace([{ id: 'keepalive-exceeded', severity: 'violation', clause: 'MQTT-3.1.2-23', frames: [7], message: 'silent 9 s' }]);
  const r = run(t, { findings: { absent: ['violation'] } });
  assert.equal(r.pass, false);
  assert.deepEqual(r.frames, [7]);
  assert.match(r.message, /keepalive-exceeded \(MQTT-3\.1\.2-23\)/);
  assert.equal(run(t, { findings: { present: ['keepalive-exceeded'], absent: ['warning'] } }).pass, true);
  assert.equal(run(s.trace(null), { findings: { absent: ['violation'] } }).pass, false);
});
