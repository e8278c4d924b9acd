import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations } from './support.js';

test('retain: retained message delivered to a late subscriber with RETAIN=1, live ones with RETAIN=0: no finding', () => {
  const s = scenario();
  const pub = s.connect('pub');
  pub.publish('home/t', '21.5', { retain: true });
  const sub = s.connect('sub');
  sub.subscribe('home/#');
  sub.receive('home/t', '21.5', { retain: true });
  pub.publish('home/t', '22.0', { retain: true });
  sub.receive('home/t', '22.0', { retain: false });
  sub.disconnect();
  pub.disconnect();
  assert.deepEqual(violations(s.result()), []);
});

test('retain: late subscriber never gets the retained message: retained-not-delivered', () => {
  const s = scenario();
  const pub = s.connect('pub');
  const rf = pub.publish('home/t', '21.5', { retain: true });
  const sub = s.connect('sub');
  const sf = sub.subscribe('home/t');
  s.wait(15);
  sub.disconnect();
  const m = findings(s.result(), 'retained-not-delivered');
  assert.equal(m.length, 1);
  assert.deepEqual(m[0]!.frames, [rf, sf]);
});

test('retain: an empty retained payload clears the topic, nothing is owed', () => {
  const s = scenario();
  const pub = s.connect('pub');
  pub.publish('home/t', '21.5', { retain: true });
  pub.publish('home/t', '', { retain: true });
  const sub = s.connect('sub');
  sub.subscribe('home/t');
  s.wait(15);
  sub.disconnect();
  assert.equal(findings(s.result(), 'retained-not-delivered').length, 0);
});

test('retain: retained message sent on subscribe with RETAIN=0: retain-flag-missing', () => {
  const s = scenario();
  s.connect('pub').publish('a', 'v', { retain: true });
  const sub = s.connect('sub');
  sub.subscribe('a');
  const d = sub.receive('a', 'v', { retain: false });
  const m = findings(s.result(), 'retain-flag-missing');
  assert.equal(m.length, 1);
  assert.ok(m[0]!.frames.includes(d));
});

test('retain: 3.1.1 live forwarding with RETAIN=1: retain-flag-on-live; v5 Retain As Published allows it', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('a');
  const sub5 = s.connect('sub5', { version: 5 });
  sub5.subscribe('a', 0, { options: 0x08 }); // Retain As Published
  const pub = s.connect('pub');
  pub.publish('a', 'v', { retain: true });
  const bad = sub.receive('a', 'v', { retain: true });
  sub5.receive('a', 'v', { retain: true });
  const m = findings(s.result(), 'retain-flag-on-live');
  assert.equal(m.length, 1);
  assert.ok(m[0]!.frames.includes(bad));
});

test('retain: v5 Retain Handling 2 means no retained message is owed', () => {
  const s = scenario();
  s.connect('pub', { version: 5 }).publish('a', 'v', { retain: true });
  const sub = s.connect('sub', { version: 5 });
  sub.subscribe('a', 0, { options: 0x20 });
  s.wait(15);
  sub.disconnect();
  assert.equal(findings(s.result(), 'retained-not-delivered').length, 0);
});

test('retain: a retained message sent although v5 Retain Handling forbids it: retained-despite-handling', () => {
  // Retain Handling 2: never
  const s = scenario();
  const stored = s.connect('pub', { version: 5 }).publish('a', 'v', { retain: true });
  const sub = s.connect('sub', { version: 5 });
  const subscribed = sub.subscribe('a', 0, { options: 0x20 });
  const sent = sub.receive('a', 'v', { retain: true });
  sub.disconnect();
  const r = s.result();
  const f = findings(r, 'retained-despite-handling');
  assert.equal(f.length, 1);
  assert.deepEqual(f[0]!.frames, [stored, subscribed, sent]);
  assert.match(f[0]!.message, /Retain Handling 2 says: never send retained messages/);

  // Retain Handling 1: only for a new subscription; the second SUBSCRIBE replaces the first
  const s1 = scenario();
  s1.connect('pub', { version: 5 }).publish('a', 'v', { retain: true });
  const sub1 = s1.connect('sub', { version: 5 });
  sub1.subscribe('a', 0, { options: 0x10 });
  sub1.receive('a', 'v', { retain: true }); // owed: the subscription is new
  sub1.subscribe('a', 0, { options: 0x10 });
  sub1.receive('a', 'v', { retain: true }); // not owed: it existed
  sub1.disconnect();
  const r1 = s1.result();
  assert.deepEqual(findings(r1, 'retained-despite-handling').map((x) => x.message.replace(/.*says: /, '')), ['send them only if the subscription did not exist, and it did']);
  assert.deepEqual(findings(r1, 'retained-not-delivered'), []);
});

test('retain: Retain Handling 1 after an UNSUBSCRIBE: the subscription is new again, the retained message owed', () => {
  const s = scenario();
  const stored = s.connect('pub', { version: 5 }).publish('a', 'v', { retain: true });
  const sub = s.connect('sub', { version: 5 });
  sub.subscribe('a', 0, { options: 0x10 });
  sub.receive('a', 'v', { retain: true });
  sub.unsubscribe('a');
  const again = sub.subscribe('a', 0, { options: 0x10 });
  s.wait(15);
  sub.disconnect();
  const r = s.result();
  assert.deepEqual(findings(r, 'retained-not-delivered').map((f) => f.frames), [[stored, again]]);

  // and sent, it is no breach of Retain Handling
  const s2 = scenario();
  s2.connect('pub', { version: 5 }).publish('a', 'v', { retain: true });
  const sub2 = s2.connect('sub', { version: 5 });
  sub2.subscribe('a', 0, { options: 0x10 });
  sub2.receive('a', 'v', { retain: true });
  sub2.unsubscribe('a');
  sub2.subscribe('a', 0, { options: 0x10 });
  sub2.receive('a', 'v', { retain: true });
  sub2.disconnect();
  assert.deepEqual(violations(s2.result()), []);
});
