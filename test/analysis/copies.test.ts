// One message owed to one connection several times over: a queued copy per overlapping
// subscription and the retained copy for a subscription sent again on resuming (the case of
// fixtures/lab/v5-resume-resubscribe.pcap, found on a real mosquitto stress run). Each delivery
// must be paired with what it fits (QoS, RETAIN), in whatever order the broker sends them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations, type Client, type Scenario } from './support.js';

const RESUME = { version: 5 as const, clean: false, sessionExpiry: 60 };
// (filter, Subscription Options: QoS | Retain As Published << 3 | Retain Handling << 4)
const OVERLAP = [
  { filter: 'h/#', qos: 1, options: 0x01 | 0x08 },
  { filter: 'h/+/t', qos: 2, options: 0x02 | 0x10 },
];

function subscribeBoth(c: Client, suback = true): number {
  const id = c.id();
  const f = c.send('c2s', { type: 'SUBSCRIBE', packetId: id, subscriptions: OVERLAP });
  if (suback) c.send('s2c', { type: 'SUBACK', packetId: id, returnCodes: [1, 2] });
  return id;
}

/** The persistent subscriber subscribes to both filters and leaves; a retained QoS 2 message is
 *  published while it is away; it comes back and sends the SUBSCRIBE again before the CONNACK. */
function resumeWithPipelinedSubscribe(s: Scenario): { back: Client; subId: number; published: number } {
  const sub = s.connect('sub', RESUME);
  subscribeBoth(sub);
  sub.disconnect();
  const published = s.connect('pub', { version: 5 }).publish('h/a/t', '23.5', { qos: 2, retain: true });
  const back = s.connect('sub', { ...RESUME, noConnack: true });
  const subId = subscribeBoth(back, false);
  back.send('s2c', { type: 'CONNACK', ackFlags: 1, sessionPresent: true, returnCode: 0, properties: [] });
  return { back, subId, published };
}

test('copies: a queued copy per overlapping subscription and the retained copy, each paired with what it fits', () => {
  // The order mosquitto 2.0.11 sends them in, and two others.
  const orders = [
    [[2, false], [1, true], [1, true]],
    [[1, true], [1, true], [2, false]],
    [[1, true], [2, false], [1, true]],
  ] as const;
  for (const order of orders) {
    const s = scenario();
    const { back, subId } = resumeWithPipelinedSubscribe(s);
    for (const [qos, retain] of order) back.receive('h/a/t', '23.5', { qos, retain });
    back.send('s2c', { type: 'SUBACK', packetId: subId, returnCodes: [1, 2] });
    s.wait(15);
    back.disconnect();
    assert.deepEqual(violations(s.result()).map((f) => f.id), [], JSON.stringify(order));
  }
});

test('copies: the retained copy owed to the Retain Handling 0 subscription is still checked', () => {
  // Only the two queued copies come, the second without RETAIN: nothing explains the missing
  // retained message, which a copy does not stand in for.
  const s = scenario();
  const { back, subId, published } = resumeWithPipelinedSubscribe(s);
  back.receive('h/a/t', '23.5', { qos: 2 });
  back.receive('h/a/t', '23.5', { qos: 1 });
  back.send('s2c', { type: 'SUBACK', packetId: subId, returnCodes: [1, 2] });
  s.wait(15);
  back.disconnect();
  const r = s.result();
  assert.deepEqual(violations(r).map((f) => f.id), ['retained-not-delivered']);
  assert.equal(findings(r, 'retained-not-delivered')[0]!.frames[0], published);
});

test('copies: Retain Handling 1 on a SUBSCRIBE sent before the CONNACK is judged against the session the broker resumed', () => {
  // The resumed session held "h/+/t": its retained message must not be sent again...
  const s = scenario();
  const { back, subId } = resumeWithPipelinedSubscribe(s);
  back.send('s2c', { type: 'SUBACK', packetId: subId, returnCodes: [1, 2] });
  back.receive('h/a/t', '23.5', { qos: 2 }); // the queued copy
  back.receive('h/a/t', '23.5', { qos: 1, retain: true }); // the queued copy for h/# (as published)
  back.receive('h/a/t', '23.5', { qos: 1, retain: true }); // retained, for h/# (Retain Handling 0)
  const extra = back.receive('h/a/t', '23.5', { qos: 2, retain: true }); // retained again, for h/+/t
  back.disconnect();
  const r = s.result();
  const f = findings(r, 'retained-despite-handling');
  assert.equal(f.length, 1);
  assert.ok(f[0]!.frames.includes(extra));
  assert.deepEqual(findings(r, 'retained-not-delivered'), []);

  // ...but with Session Present 0 the broker started afresh: both subscriptions are new and
  // each is owed the retained message.
  const s0 = scenario();
  const sub = s0.connect('sub', RESUME);
  subscribeBoth(sub);
  sub.disconnect();
  s0.connect('pub', { version: 5 }).publish('h/a/t', '23.5', { qos: 2, retain: true });
  const fresh = s0.connect('sub', { ...RESUME, noConnack: true });
  const id = subscribeBoth(fresh, false);
  fresh.send('s2c', { type: 'CONNACK', ackFlags: 0, sessionPresent: false, returnCode: 0, properties: [] });
  fresh.send('s2c', { type: 'SUBACK', packetId: id, returnCodes: [1, 2] });
  fresh.receive('h/a/t', '23.5', { qos: 1, retain: true }); // for h/# only
  s0.wait(15);
  fresh.disconnect();
  const r0 = s0.result();
  assert.equal(findings(r0, 'retained-not-delivered').length, 1);
  assert.match(findings(r0, 'retained-not-delivered')[0]!.message, /h\/\+\/t/);
  assert.deepEqual(findings(r0, 'retained-despite-handling'), []);
});

test('copies: a further copy for an overlapping subscription is allowed, never owed', () => {
  for (const copies of [1, 2]) {
    const s = scenario();
    const sub = s.connect('sub', { version: 5 });
    subscribeBoth(sub);
    s.connect('pub', { version: 5 }).publish('h/a/t', 'live', { qos: 2 });
    sub.receive('h/a/t', 'live', { qos: 2 });
    if (copies === 2) sub.receive('h/a/t', 'live', { qos: 1 });
    s.wait(15);
    sub.disconnect();
    assert.deepEqual(violations(s.result()).map((f) => f.id), [], `${copies} cop${copies === 1 ? 'y' : 'ies'}`);
  }
});

test('copies: a queued message the analysis did not keep is not taken for a wrong copy of another', () => {
  // maxQueuedPerSession 2: the third message published while away is not kept. It is also the
  // retained one, owed again (RETAIN=1) to the repeated SUBSCRIBE; the broker sends the queued
  // copy (RETAIN=0) first, then the retained one.
  const s = scenario({ maxQueuedPerSession: 2 });
  const sub = s.connect('sub', { clean: false });
  sub.subscribe('a', 1);
  sub.disconnect();
  const pub = s.connect('pub');
  pub.publish('a', 'x1', { qos: 1 });
  pub.publish('a', 'x2', { qos: 1 });
  pub.publish('a', 'x3', { qos: 1, retain: true });
  const back = s.connect('sub', { clean: false, sessionPresent: true });
  back.receive('a', 'x1', { qos: 1 });
  back.receive('a', 'x2', { qos: 1 });
  back.subscribe('a', 1);
  back.receive('a', 'x3', { qos: 1 }); // the queued copy, which nothing tracked
  back.receive('a', 'x3', { qos: 1, retain: true }); // the retained copy
  back.disconnect();
  const r = s.result();
  assert.deepEqual(violations(r).map((f) => f.id), []);
  assert.equal(findings(r, 'limit-reached').length, 1);
});

test('copies: a RETAIN=1 delivery is the retained copy before it is an optional queued QoS 0 one', () => {
  // A persistent subscriber away while a retained QoS 0 message is published; back, it subscribes
  // again. mosquitto queues no QoS 0 message for it by default: it sends only the retained copy.
  const s = scenario();
  const sub = s.connect('sub', { clean: false });
  sub.subscribe('t', 1);
  sub.disconnect();
  s.connect('pub').publish('t', '21', { retain: true });
  const back = s.connect('sub', { clean: false, sessionPresent: true });
  back.subscribe('t', 1);
  back.receive('t', '21', { retain: true });
  s.wait(15);
  back.disconnect();
  const r = s.result();
  assert.deepEqual(violations(r).map((f) => f.id), []);
  assert.deepEqual(findings(r, 'queued-qos0-delivered'), []);
});
