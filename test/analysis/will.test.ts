import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations } from './support.js';

const WILL = { topic: 'status/c', payload: 'c went offline', qos: 1 };

test('will: killed client (FIN without DISCONNECT) and will delivered: will-published info, no violation', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('status/#', 1);
  const c = s.connect('c', { will: WILL });
  c.close('fin', 'c2s');
  sub.receive('status/c', 'c went offline', { qos: 1 });
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.equal(findings(r, 'will-published').length, 1);
});

test('will: killed client, subscriber connected for long enough, no will: will-not-published', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('status/#', 1);
  const c = s.connect('c', { will: WILL });
  const end = c.close('rst', 'c2s');
  s.wait(20);
  sub.ping();
  const m = findings(s.result(), 'will-not-published');
  assert.equal(m.length, 1);
  assert.deepEqual(m[0]!.frames, [end]);
});

test('will: published after a clean DISCONNECT: will-published-after-disconnect', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('status/#', 1);
  const c = s.connect('c', { will: WILL });
  c.disconnect();
  c.close('fin', 'c2s');
  const d = sub.receive('status/c', 'c went offline', { qos: 1 });
  const m = findings(s.result(), 'will-published-after-disconnect');
  assert.equal(m.length, 1);
  assert.ok(m[0]!.frames.includes(d));
});

test('will: clean DISCONNECT and no will, or no subscriber at all: nothing', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('status/#', 1);
  const c = s.connect('c', { will: WILL });
  c.disconnect();
  c.close();
  const lonely = s.connect('lonely', { will: { topic: 'nobody/listens', payload: 'x' } });
  lonely.close('rst');
  s.wait(20);
  sub.ping();
  const r = s.result();
  assert.deepEqual(r.findings.filter((f) => f.id.startsWith('will')), []);
});

test('will: v5 Will Delay, session resumed within it: no will owed; after it: owed', () => {
  const s = scenario();
  const sub = s.connect('sub', { version: 5 });
  sub.subscribe('status/#', 1);
  const a = s.connect('a', { version: 5, sessionExpiry: 60, will: { ...WILL, topic: 'status/a', delay: 5 } });
  a.close('rst');
  s.wait(2);
  s.connect('a', { version: 5, sessionExpiry: 60, clean: false, sessionPresent: true });
  const b = s.connect('b', { version: 5, sessionExpiry: 60, will: { ...WILL, topic: 'status/b', delay: 5 } });
  b.close('rst');
  s.wait(6);
  sub.ping();
  s.wait(20);
  sub.ping();
  const m = findings(s.result(), 'will-not-published');
  assert.equal(m.length, 1);
  assert.match(m[0]!.message, /status\/b/);
});

test('will: v5 DISCONNECT with reason 0x04 asks for the will', () => {
  const s = scenario();
  const sub = s.connect('sub', { version: 5 });
  sub.subscribe('status/#', 1);
  const c = s.connect('c', { version: 5, will: WILL });
  c.disconnect(0x04);
  c.close();
  sub.receive('status/c', 'c went offline', { qos: 1 });
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.equal(findings(r, 'will-published').length, 1);
});

// ---- a v5 will with a Will Delay Interval delivered when it must not be (MQTT-3.1.3-9) ----

/** A v5 client with a 5 s will delay whose connection drops (RST); a subscriber on its will topic. */
function delayedWill() {
  const s = scenario();
  const sub = s.connect('sub', { version: 5 });
  sub.subscribe('status/#', 1);
  const a = s.connect('a', { version: 5, sessionExpiry: 60, will: { ...WILL, topic: 'status/a', delay: 5 } });
  const end = a.close('rst');
  return { s, sub, end };
}

const willIds = (r: ReturnType<ReturnType<typeof scenario>['result']>) =>
  r.findings.filter((f) => f.id.startsWith('will-')).map((f) => `${f.id} ${f.severity}`);

test('will delay: delivered after the delay: published, nothing wrong', () => {
  const { s, sub } = delayedWill();
  s.wait(5.5);
  sub.receive('status/a', WILL.payload, { qos: 1 });
  const r = s.result();
  assert.deepEqual(willIds(r), ['will-published info']);
  assert.deepEqual(violations(r), []);
});

test('will delay: delivered a little early (a broker timer) still counts as on time', () => {
  const { s, sub } = delayedWill();
  s.wait(4.7); // 4.701 s after the RST: 0.299 s before it is due
  sub.receive('status/a', WILL.payload, { qos: 1 });
  s.wait(20);
  sub.ping();
  const r = s.result();
  assert.deepEqual(willIds(r), ['will-published info']);
  assert.deepEqual(violations(r), []);
});

test('will delay: delivered at once, ignoring the delay: will-published-early, and not also "not published"', () => {
  const { s, sub, end } = delayedWill();
  s.wait(1);
  const got = sub.receive('status/a', WILL.payload, { qos: 1 });
  s.wait(20);
  sub.ping();
  const r = s.result();
  assert.deepEqual(willIds(r), ['will-published-early violation']);
  const f = findings(r, 'will-published-early')[0]!;
  assert.deepEqual(f.frames, [end, got]);
  assert.match(f.message, /delivered 1\.001s after the connection ended, before its Will Delay Interval of 5s passed/);
});

test('will delay: delivered although the session resumed within the delay: will-published-after-resume', () => {
  const { s, sub } = delayedWill();
  s.wait(2);
  const back = s.connect('a', { version: 5, sessionExpiry: 60, clean: false, sessionPresent: true });
  s.wait(3.5);
  sub.receive('status/a', WILL.payload, { qos: 1 });
  const r = s.result();
  assert.deepEqual(willIds(r), ['will-published-after-resume violation']);
  assert.match(findings(r, 'will-published-after-resume')[0]!.message, new RegExp(`CONNECT frame ${back.info.firstFrame + 1}\\)`));
});

test('will delay: a new connection with Clean Start 1 ends the session: a will then is not judged either way', () => {
  // 5.0 §3.1.3.2.2 sends a delayed will when the session ends, if that comes first; mosquitto
  // 2.0.11 sends none when the client comes back with Clean Start 1 (tried on loopback).
  const { s, sub } = delayedWill();
  s.wait(2);
  s.connect('a', { version: 5, sessionExpiry: 60, clean: true });
  sub.receive('status/a', WILL.payload, { qos: 1 });
  const r = s.result();
  assert.deepEqual(willIds(r), ['will-published info']);
  assert.deepEqual(violations(r), []);

  const d = delayedWill();
  d.s.wait(2);
  d.s.connect('a', { version: 5, sessionExpiry: 60, clean: true });
  d.s.wait(15);
  d.sub.ping();
  assert.deepEqual(willIds(d.s.result()), []);
});
