import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations } from './support.js';

test('sessions: persistent subscriber gets its QoS 1 message on reconnect, QoS 0 not: no violation', () => {
  const s = scenario();
  const sub = s.connect('sub', { clean: false });
  sub.subscribe('q/#', 1);
  sub.disconnect();
  sub.close();
  const pub = s.connect('pub');
  pub.publish('q/1', 'keep me', { qos: 1 });
  pub.publish('q/0', 'lose me', { qos: 0 });
  const again = s.connect('sub', { clean: false, sessionPresent: true });
  again.receive('q/1', 'keep me', { qos: 1 });
  s.wait(15);
  again.disconnect();
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.equal(findings(r, 'queued-qos0-delivered').length, 0);
});

test('sessions: queued QoS 1 message not delivered after Session Present=1: queued-message-lost', () => {
  const s = scenario();
  const sub = s.connect('sub', { clean: false });
  sub.subscribe('q/#', 1);
  sub.disconnect();
  sub.close();
  const pf = s.connect('pub').publish('q/1', 'keep me', { qos: 1 });
  const again = s.connect('sub', { clean: false, sessionPresent: true });
  s.wait(15);
  again.disconnect();
  const m = findings(s.result(), 'queued-message-lost');
  assert.equal(m.length, 1);
  assert.equal(m[0]!.frames[0], pf);
});

test('sessions: QoS 0 queued and delivered is info only', () => {
  const s = scenario();
  const sub = s.connect('sub', { clean: false });
  sub.subscribe('q/#', 1);
  sub.disconnect();
  s.connect('pub').publish('q/0', 'zero', { qos: 0 });
  const again = s.connect('sub', { clean: false, sessionPresent: true });
  again.receive('q/0', 'zero');
  const r = s.result();
  assert.equal(findings(r, 'queued-qos0-delivered')[0]?.severity, 'info');
});

test('sessions: clean session subscriber misses what was published while away: session-not-persistent (info)', () => {
  const s = scenario();
  const sub = s.connect('sub', { clean: true });
  sub.subscribe('q/#', 1);
  sub.disconnect();
  s.connect('pub').publish('q/1', 'gone', { qos: 1 });
  s.connect('sub', { clean: true });
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.equal(findings(r, 'session-not-persistent')[0]?.severity, 'info');
});

test('sessions: Session Present=1 with CleanSession=1, or 0 although a session is held (loopback broker): session-present-wrong', () => {
  const s = scenario();
  const a = s.connect('a', { clean: true, sessionPresent: true });
  a.disconnect();
  const b = s.connect('b', { clean: false });
  b.disconnect();
  b.close();
  const b2 = s.connect('b', { clean: false, sessionPresent: false });
  b2.disconnect();
  const m = findings(s.result(), 'session-present-wrong');
  assert.equal(m.length, 2);
  assert.ok(m.every((f) => f.severity === 'violation'));
});

test('sessions: first persistent connection in the capture may have SP=1 or 0', () => {
  const s = scenario();
  s.connect('x', { clean: false, sessionPresent: true }).disconnect();
  s.connect('y', { clean: false, sessionPresent: false }).disconnect();
  assert.equal(findings(s.result(), 'session-present-wrong').length, 0);
});

test('sessions: MQTT 3.1 has no Session Present: a CleanSession=0 reconnect resumes the session it left', () => {
  // (found on a real mosquitto run with a paho MQTTv31 client: the CONNACK's first byte is
  // reserved in 3.1, so its 0 said nothing, and reading it as "not resumed" gave a false
  // session-present-wrong and mispaired the queued deliveries)
  const s = scenario();
  const sub = s.connect('sub', { version: 3, clean: false });
  sub.subscribe('q/#', 1);
  sub.disconnect();
  const kept = s.connect('pub', { version: 3 }).publish('q/1', 'keep me', { qos: 1 });
  const again = s.connect('sub', { version: 3, clean: false });
  again.receive('q/1', 'keep me', { qos: 1 });
  s.wait(15);
  again.disconnect();
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.deepEqual(findings(r, 'session-not-persistent'), []);
  // what the capture shows: no Session Present in a 3.1 CONNACK
  assert.deepEqual(r.connections.filter((c) => c.clientId === 'sub').map((c) => c.sessionPresent), [null, null]);

  // the resumed session owes the queued message
  const s2 = scenario();
  const sub2 = s2.connect('sub', { version: 3, clean: false });
  sub2.subscribe('q/#', 1);
  sub2.disconnect();
  const lost = s2.connect('pub', { version: 3 }).publish('q/1', 'keep me', { qos: 1 });
  const back = s2.connect('sub', { version: 3, clean: false });
  s2.wait(15);
  back.disconnect();
  assert.deepEqual(findings(s2.result(), 'queued-message-lost').map((f) => f.frames[0]), [lost]);
  assert.ok(kept > 0);
});

test('sessions: MQTT 3.1 CleanSession=1 reconnect starts afresh; with no session seen, whether it resumed is unknown', () => {
  const s = scenario();
  const sub = s.connect('sub', { version: 3, clean: false });
  sub.subscribe('q/#', 1);
  sub.disconnect();
  s.connect('pub', { version: 3 }).publish('q/1', 'gone', { qos: 1 });
  s.connect('sub', { version: 3, clean: true }).disconnect();
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.match(findings(r, 'session-not-persistent')[0]!.message, /reconnected with CleanSession=1/);

  // A CleanSession=0 client the capture never saw before: the broker may hold its session (and
  // an unexpected acknowledgement may belong to it), so nothing is claimed either way.
  const s2 = scenario();
  const c = s2.connect('dev', { version: 3, clean: false });
  c.send('c2s', { type: 'PUBACK', packetId: 7 });
  c.disconnect();
  const r2 = s2.result();
  assert.deepEqual(findings(r2, 'qos-ack-unexpected'), []);
  assert.deepEqual(findings(r2, 'session-present-wrong'), []);
});

test('sessions: a queued v5 message whose Message Expiry passed while the subscriber was away is not owed', () => {
  // (found with mosquitto 2.0.11: Message Expiry 1 s, the subscriber back 2.8 s later; the
  // broker deletes it, MQTT-3.3.2-5, and a queued-message-lost was reported)
  const expiry = (seconds: number) => [{ id: 0x02, name: 'Message Expiry Interval', value: seconds }];
  const run = (away: number) => {
    const s = scenario();
    const sub = s.connect('sub', { version: 5, clean: false, sessionExpiry: 60 });
    sub.subscribe('q', 1);
    sub.disconnect();
    const pub = s.connect('pub', { version: 5 });
    const short = pub.publish('q', 'short-lived', { qos: 1, properties: expiry(5) });
    const long = pub.publish('q', 'long-lived', { qos: 1, properties: expiry(3600) });
    s.wait(away);
    const back = s.connect('sub', { version: 5, clean: false, sessionExpiry: 60, sessionPresent: true });
    s.wait(15);
    back.disconnect();
    return { lost: findings(s.result(), 'queued-message-lost').map((f) => f.frames[0]), short, long };
  };
  const late = run(6.5);
  assert.deepEqual(late.lost, [late.long]); // the long-lived one is still owed
  const soon = run(3); // back before either expired: both owed
  assert.deepEqual(soon.lost, [soon.short, soon.long]);
  // Within a second of its expiry the broker may have deleted it or not: not owed.
  const edge = run(4.5);
  assert.deepEqual(edge.lost, [edge.long]);
});

test('sessions: a v5 client back after its Session Expiry Interval: the reason says so', () => {
  const s = scenario();
  const sub = s.connect('sub', { version: 5, clean: false, sessionExpiry: 2 });
  sub.subscribe('q', 1);
  sub.disconnect();
  s.connect('pub', { version: 5 }).publish('q', 'gone', { qos: 1 });
  s.wait(3);
  s.connect('sub', { version: 5, clean: false, sessionExpiry: 2 }).disconnect();
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.match(findings(r, 'session-not-persistent')[0]!.message, /came back after its session expired \(Session Expiry Interval 2 s\)/);
});

test('sessions: after the broker closed every connection at once (a restart?), Session Present=0 is not observable and retained messages are not counted on', () => {
  // (lab/broker-restart.pcap shows it with mosquitto: persistence false, stopped and started)
  const restart = (closeBoth: boolean) => {
    const s = scenario();
    const keeper = s.connect('keeper', { clean: false });
    keeper.subscribe('r/#', 1);
    const sender = s.connect('sender');
    sender.publish('r/state', 'on', { qos: 1, retain: true });
    keeper.receive('r/state', 'on', { qos: 1 });
    keeper.close('fin', 's2c');
    if (closeBoth) sender.close('fin', 's2c');
    s.wait(1);
    const back = s.connect('keeper', { clean: false, sessionPresent: false });
    back.subscribe('r/#', 1);
    s.wait(15);
    back.disconnect();
    if (!closeBoth) sender.disconnect();
    return s.result();
  };
  const r = restart(true);
  assert.deepEqual(violations(r), []);
  const spw = findings(r, 'session-present-wrong', true);
  assert.deepEqual(spw.map((f) => f.severity), ['not-observable']);
  assert.match(spw[0]!.message, /closed every connection at frame \d+ \(a restart\?\)/);
  // One connection closed by the broker while another stays open is no restart: judged.
  const one = restart(false);
  assert.deepEqual(violations(one).map((f) => f.id).sort(), ['retained-not-delivered', 'session-present-wrong']);
});

test('sessions: a v5 DISCONNECT "Server shutting down" (0x8B) alone says the broker may restart', () => {
  const s = scenario();
  const keeper = s.connect('keeper', { version: 5, clean: false, sessionExpiry: 600 });
  keeper.subscribe('r/#', 1);
  keeper.send('s2c', { type: 'DISCONNECT', reasonCode: 0x8b, properties: [] });
  s.wait(1);
  s.connect('keeper', { version: 5, clean: false, sessionExpiry: 600, sessionPresent: false }).disconnect();
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.equal(findings(r, 'session-present-wrong', true)[0]?.severity, 'not-observable');
});

test('sessions: a v5 DISCONNECT with Session Expiry Interval 0 ends the session: Session Present=0 after it is right', () => {
  // (found with mosquitto 2.0.11 and paho: connected with Session Expiry 60, disconnected with
  // 0; the broker rightly answered the next Clean Start 0 with Session Present 0, and check
  // reported session-present-wrong)
  const run = (endExpiry: number | null) => {
    const s = scenario();
    const c = s.connect('ender', { version: 5, clean: false, sessionExpiry: 60 });
    c.subscribe('se/#', 1);
    c.send('c2s', { type: 'DISCONNECT', reasonCode: 0, properties: endExpiry === null ? [] : [{ id: 0x11, name: 'Session Expiry Interval', value: endExpiry }] });
    s.connect('pub', { version: 5 }).publish('se/x', 'while away', { qos: 1 });
    s.connect('ender', { version: 5, clean: false, sessionExpiry: 60, sessionPresent: false }).disconnect();
    return s.result();
  };
  const ended = run(0);
  assert.deepEqual(violations(ended), []);
  assert.match(findings(ended, 'session-not-persistent')[0]!.message, /left with Session Expiry Interval 0/);
  // without it the session outlived the connection: Session Present=0 is wrong
  assert.deepEqual(violations(run(null)).map((f) => f.id), ['session-present-wrong']);
});

test('sessions: connections with an empty client id are clients apart, never one taking over another', () => {
  // (paho 3.1.1 connects so by default and the broker assigns each an identity: a corpus capture
  // has 123 of them. Grouped under "", each new one "took over" the last, which silenced the
  // will check of every one but the last.)
  const s = scenario();
  const a = s.connect('', {});
  a.subscribe('e/#', 1);
  const dying = s.connect('', { will: { topic: 'e/will', payload: 'gone', qos: 1 } });
  dying.subscribe('e/#', 1);
  s.connect('', {}).publish('e/x', 'm', { qos: 1 });
  a.receive('e/x', 'm', { qos: 1 });
  dying.receive('e/x', 'm', { qos: 1 });
  dying.close('fin');
  a.receive('e/will', 'gone', { qos: 1 });
  s.wait(15);
  a.disconnect();
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.equal(findings(r, 'will-published').length, 1);
  assert.deepEqual(r.clients.map((c) => [c.clientId, c.connections.length]), [['', 1], ['', 1], ['', 1]]);
});

test('sessions: v5 No Local does not join two clients with empty client ids', () => {
  const s = scenario();
  const sub = s.connect('', { version: 5 });
  sub.subscribe('n/#', 1, { options: 0x01 | 0x04 }); // No Local
  const published = s.connect('', { version: 5 }).publish('n/x', 'from another client', { qos: 1, properties: [] });
  s.wait(15);
  sub.disconnect();
  // owed: it came from another client, whatever their (empty) ids say
  assert.deepEqual(findings(s.result(), 'publish-not-routed').map((f) => f.frames.includes(published)), [true]);
});

test('sessions: the broker closing a lone client for no reason the capture shows may be a restart; after a Keep Alive overrun it is not', () => {
  // (mosquitto 2.0.11 stopped with SIGTERM sends its one v5 client a FIN, no DISCONNECT 0x8B)
  const run = (silent: boolean) => {
    const s = scenario();
    const c = s.connect('one', { version: 5, clean: false, sessionExpiry: 300, keepAlive: 10 });
    c.subscribe('r/#', 1);
    if (silent) s.wait(20); // 2x its Keep Alive: the broker had a reason to close it
    c.close('fin', 's2c');
    s.wait(1);
    s.connect('one', { version: 5, clean: false, sessionExpiry: 300, sessionPresent: false }).disconnect();
    return s.result();
  };
  const quiet = run(false);
  assert.deepEqual(violations(quiet), []);
  assert.match(findings(quiet, 'session-present-wrong', true)[0]!.message, /closed its connection for no reason the capture shows/);
  assert.deepEqual(violations(run(true)).map((f) => f.id).filter((id) => id !== 'keepalive-exceeded'), ['session-present-wrong']);
});
