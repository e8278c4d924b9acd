import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations } from './support.js';
import { topicMatches, topicFilterProblem } from '../../src/analysis/topic.js';

test('topic matching follows §4.7 (examples from the spec)', () => {
  const yes: [string, string][] = [
    ['sport/tennis/player1/#', 'sport/tennis/player1'], ['sport/tennis/player1/#', 'sport/tennis/player1/ranking'],
    ['sport/#', 'sport'], ['#', 'a/b'], ['sport/tennis/+', 'sport/tennis/player1'], ['sport/+', 'sport/'],
    ['+/+', '/finance'], ['/+', '/finance'], ['+/monitor/Clients', '$SYS/monitor/Clients'.slice(1)], ['$SYS/#', '$SYS/x'],
  ];
  const no: [string, string][] = [
    ['sport/tennis/+', 'sport/tennis/player1/ranking'], ['sport/+', 'sport'], ['+', '/finance'], ['#', '$SYS/x'],
    ['+/monitor/Clients', '$SYS/monitor/Clients'], ['paho/test/#', 'paho/test2/livingroom/humidity'], ['a/b', 'a/bc'],
  ];
  for (const [f, t] of yes) assert.equal(topicMatches(f, t), true, `${f} ~ ${t}`);
  for (const [f, t] of no) assert.equal(topicMatches(f, t), false, `${f} !~ ${t}`);
  assert.equal(topicFilterProblem('sport/tennis#'), "'#' must be the last character and occupy a whole level (MQTT-4.7.1-2)");
  assert.notEqual(topicFilterProblem('sport/#/ranking'), null);
  assert.notEqual(topicFilterProblem('sport+'), null);
  assert.equal(topicFilterProblem('+/tennis/#'), null);
});

test('routing: every matching publish reaches the subscriber; a non-matching one is rightly not delivered', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('paho/test/#', 1);
  const pub = s.connect('pub');
  pub.publish('paho/test/a', '1', { qos: 1 });
  sub.receive('paho/test/a', '1', { qos: 1 });
  pub.publish('paho/test2/livingroom/humidity', '55', { qos: 1 });
  s.wait(15);
  sub.disconnect();
  assert.deepEqual(violations(s.result()), []);
});

test('routing: a matching QoS 1 publish that never reaches a connected subscriber: publish-not-routed', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('a/+', 1);
  const pf = s.connect('pub').publish('a/b', 'x', { qos: 1 });
  s.wait(15);
  sub.disconnect();
  const m = findings(s.result(), 'publish-not-routed');
  assert.equal(m.length, 1);
  assert.equal(m[0]!.severity, 'violation');
  assert.ok(m[0]!.frames.includes(pf));
});

test('routing: not judged when the subscriber left right away or QoS 2 was never released', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('a/+', 2);
  const pub = s.connect('pub');
  pub.publish('a/b', 'held', { qos: 2, ack: false }); // PUBREC never comes: broker may hold it
  s.wait(15);
  pub.publish('a/c', 'x', { qos: 1 });
  sub.disconnect(); // immediately after
  assert.equal(findings(s.result(), 'publish-not-routed').length, 0);
});

test('routing: a delivery matching none of the subscriptions: publish-unsubscribed', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('a/#');
  sub.receive('a/x', 'ok');
  const bad = sub.receive('b/x', 'no');
  const m = findings(s.result(), 'publish-unsubscribed');
  assert.deepEqual(m.map((f) => f.frames), [[bad]]);
});

test('routing: not judged for a midstream subscriber whose subscriptions we never saw', () => {
  const s = scenario();
  const sub = s.connect('sub', { midstream: true });
  sub.receive('b/x', 'no');
  assert.equal(findings(s.result(), 'publish-unsubscribed').length, 0);
});

test('routing: invalid filters, wildcard in a topic name, SUBACK failure', () => {
  const s = scenario();
  const c = s.connect('c');
  const f1 = c.subscribe('a/#/b');
  const f2 = c.publish('a/+', 'x');
  c.subscribe('secret/#', 1, { granted: 0x80 });
  const r = s.result();
  assert.equal(findings(r, 'invalid-topic-filter')[0]?.frames[0], f1);
  assert.equal(findings(r, 'wildcard-in-publish-topic')[0]?.frames[0], f2);
  assert.equal(findings(r, 'suback-failure')[0]?.severity, 'info');
});

test('routing: v5 No Local keeps a client\'s own publish from it; shared subscriptions are not owed to each member', () => {
  const s = scenario();
  const me = s.connect('me', { version: 5 });
  me.subscribe('t', 1, { options: 0x04 | 1 });
  const g = s.connect('g', { version: 5 });
  g.subscribe('$share/grp/t', 1);
  me.publish('t', 'mine', { qos: 1 });
  s.wait(15);
  me.disconnect();
  g.disconnect();
  assert.equal(findings(s.result(), 'publish-not-routed').length, 0);
});

test('routing: a broker that sends a v5 No Local subscriber its own publish: no-local-violated', () => {
  const s = scenario();
  const me = s.connect('me', { version: 5 });
  me.subscribe('t', 1, { options: 0x04 | 1 });
  const pub = me.publish('t', 'mine', { qos: 1 });
  const back = me.receive('t', 'mine', { qos: 1 });
  me.disconnect();
  const r = s.result();
  const f = findings(r, 'no-local-violated');
  assert.equal(f.length, 1);
  assert.deepEqual(f[0]!.frames, [pub, back]);
  assert.match(f[0]!.message, /"me" received its own publish on "t" \(frame \d+\) although its matching subscription "t" has No Local set/);
  assert.deepEqual(findings(r, 'publish-unsubscribed'), []);
});

test('routing: No Local does not forbid what another, overlapping subscription of the client asks for', () => {
  const s = scenario();
  const me = s.connect('me', { version: 5 });
  me.subscribe('t', 1, { options: 0x04 | 1 });
  me.subscribe('#', 1);
  me.publish('t', 'mine', { qos: 1 });
  me.receive('t', 'mine', { qos: 1 });
  me.disconnect();
  const r = s.result();
  assert.deepEqual(findings(r, 'no-local-violated'), []);
  assert.deepEqual(violations(r), []);
});
