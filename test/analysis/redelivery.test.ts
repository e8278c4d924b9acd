// What a resumed persistent session owes (MQTT-4.4.0-1): the client and the broker resend the
// PUBLISH packets left unacknowledged (with DUP=1, MQTT-3.3.1-1) and the PUBREL packets left
// uncompleted, with their original packet identifiers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations } from './support.js';

const ids = (r: ReturnType<ReturnType<typeof scenario>['result']>) =>
  r.findings.filter((f) => f.id.startsWith('redelivery')).map((f) => `${f.id} ${f.severity} ${f.frames.join(',')}`);

/** A persistent subscriber gets a QoS 1 message and drops the connection before its PUBACK. */
function unackedDelivery() {
  const s = scenario();
  const sub = s.connect('sub', { clean: false });
  sub.subscribe('t', 1);
  s.connect('pub').publish('t', 'x', { qos: 1 });
  const delivered = sub.receive('t', 'x', { qos: 1, id: 7, ack: false });
  sub.close();
  return { s, delivered };
}

test('redelivery: the broker resends the unacknowledged PUBLISH with DUP=1 and its id: nothing to report', () => {
  const { s } = unackedDelivery();
  const sub = s.connect('sub', { clean: false, sessionPresent: true });
  sub.receive('t', 'x', { qos: 1, id: 7, dup: true });
  sub.disconnect();
  sub.close();
  const r = s.result();
  assert.deepEqual(ids(r), []);
  assert.deepEqual(violations(r), []);
});

test('redelivery: a resend with DUP=0 is redelivery-without-dup, with the first delivery as evidence', () => {
  const { s, delivered } = unackedDelivery();
  const sub = s.connect('sub', { clean: false, sessionPresent: true });
  const resent = sub.receive('t', 'x', { qos: 1, id: 7 });
  sub.disconnect();
  const r = s.result();
  assert.deepEqual(ids(r), [`redelivery-without-dup violation ${delivered},${resent}`]);
});

test('redelivery: a broker that goes on without resending is redelivery-missing', () => {
  const { s, delivered } = unackedDelivery();
  const sub = s.connect('sub', { clean: false, sessionPresent: true });
  const connack = sub.info.firstFrame + 2;
  sub.ping();
  sub.disconnect();
  const r = s.result();
  assert.deepEqual(ids(r), [`redelivery-missing violation ${delivered},${connack}`]);
  assert.match(findings(r, 'redelivery-missing')[0]!.message, /^the PUBLISH of QoS 1 id 7 \(broker→client, handshake open since frame \d+\)/);
});

test('redelivery: nothing owed when the session did not survive (Session Present 0, or a clean session)', () => {
  const { s } = unackedDelivery();
  const sub = s.connect('sub', { clean: false, sessionPresent: false });
  sub.ping();
  sub.disconnect();
  assert.deepEqual(ids(s.result()), []);

  const s2 = scenario();
  const c = s2.connect('c', { clean: true });
  c.subscribe('t', 1);
  c.receive('t', 'x', { qos: 1, ack: false });
  c.close();
  const again = s2.connect('c', { clean: true, sessionPresent: true }); // (a broker error, not ours to judge here)
  again.ping();
  again.disconnect();
  assert.deepEqual(ids(s2.result()), []);
});

test('redelivery: the client owes the PUBREL of a QoS 2 message whose PUBREC it had', () => {
  const s = scenario();
  const pub = s.connect('pub', { clean: false });
  const publish = pub.publish('t', 'x', { qos: 2, id: 3, ack: false });
  const pubrec = pub.ack('s2c', 'PUBREC', 3);
  pub.close('rst');
  const again = s.connect('pub', { clean: false, sessionPresent: true });
  const connack = again.info.firstFrame + 2;
  again.ping();
  again.disconnect();
  const r = s.result();
  assert.deepEqual(ids(r), [`redelivery-missing violation ${publish},${pubrec},${connack}`]);
  assert.match(findings(r, 'redelivery-missing')[0]!.message, /^the PUBREL of QoS 2 id 3 \(client→broker/);

  // and resending it settles the debt (the PUBCOMP then answers no handshake of this connection)
  const s2 = scenario();
  const p2 = s2.connect('pub', { clean: false });
  p2.publish('t', 'x', { qos: 2, id: 3, ack: false });
  p2.ack('s2c', 'PUBREC', 3);
  p2.close('rst');
  const a2 = s2.connect('pub', { clean: false, sessionPresent: true });
  a2.ack('c2s', 'PUBREL', 3);
  a2.ack('s2c', 'PUBCOMP', 3);
  a2.disconnect();
  const r2 = s2.result();
  assert.deepEqual(ids(r2), []);
  assert.deepEqual(findings(r2, 'qos-ack-unexpected'), []);
});

test('redelivery: a resumed connection that shows nothing after its CONNACK is not observable, not a violation', () => {
  const { s } = unackedDelivery();
  s.connect('sub', { clean: false, sessionPresent: true });
  const r = s.result();
  assert.deepEqual(ids(r).map((x) => x.split(' ').slice(0, 2).join(' ')), ['redelivery-missing not-observable']);
  assert.deepEqual(violations(r), []);
});

test('redelivery: MQTT 5 — Clean Start 0 with a Session Expiry, resumed with Session Present', () => {
  const s = scenario();
  const sub = s.connect('sub', { version: 5, clean: false, sessionExpiry: 300 });
  sub.subscribe('t', 2);
  s.connect('pub', { version: 5 }).publish('t', 'x', { qos: 2 });
  const delivered = sub.receive('t', 'x', { qos: 2, id: 9, ack: false });
  sub.ack('c2s', 'PUBREC', 9);
  const pubrel = sub.ack('s2c', 'PUBREL', 9);
  sub.close();
  const again = s.connect('sub', { version: 5, clean: false, sessionExpiry: 300, sessionPresent: true });
  again.ping();
  again.disconnect();
  const r = s.result();
  // the broker had sent its PUBREL but got no PUBCOMP: it must send the PUBREL again
  assert.deepEqual(ids(r).map((x) => x.split(' ').slice(0, 3).join(' ')), [`redelivery-missing violation ${delivered},${pubrel},${again.info.firstFrame + 2}`]);
  assert.match(findings(r, 'redelivery-missing')[0]!.message, /^the PUBREL of QoS 2 id 9 \(broker→client/);
});

test('redelivery: a session taken over by a new connection: the old one owes nothing to a later one', () => {
  const s = scenario();
  const sub = s.connect('sub', { clean: false });
  sub.subscribe('t', 1);
  s.connect('pub').publish('t', 'x', { qos: 1 });
  sub.receive('t', 'x', { qos: 1, id: 7, ack: false });
  const taker = s.connect('sub', { clean: false, sessionPresent: true }); // takes the session over
  sub.close('fin', 's2c'); // the broker closes the old connection
  taker.receive('t', 'x', { qos: 1, id: 7, dup: true });
  taker.disconnect();
  const later = s.connect('sub', { clean: false, sessionPresent: true });
  later.ping();
  later.disconnect();
  assert.deepEqual(ids(s.result()), []);
});

test('redelivery: a reconnect whose CONNACK the capture missed settles nothing and claims nothing', () => {
  const { s } = unackedDelivery();
  const blind = s.connect('sub', { clean: false, noConnack: true });
  blind.ping();
  blind.close();
  const later = s.connect('sub', { clean: false, sessionPresent: true });
  later.ping();
  later.disconnect();
  assert.deepEqual(ids(s.result()), []);
});

test('redelivery: a new message under an owed id is no resend (a client restarted without its state): the old one is still owed', () => {
  // Seen in a real stress capture (paho publishers SIGKILLed and restarted with CleanSession=0):
  // the fresh process numbers from 1 again and sends new messages under ids still owed.
  const s = scenario();
  const pub = s.connect('pub', { clean: false });
  const first = pub.publish('t', 'old message', { qos: 1, id: 5, ack: false });
  pub.close('rst');
  const again = s.connect('pub', { clean: false, sessionPresent: true });
  again.publish('t', 'new message', { qos: 1, id: 5 }); // same id, other payload, DUP=0
  again.publish('t', 'old messagf', { qos: 1, id: 5 }); // same length and topic, one byte apart
  again.disconnect();
  const r = s.result();
  assert.deepEqual(ids(r), [`redelivery-missing violation ${first},${again.info.firstFrame + 2}`]);
});
