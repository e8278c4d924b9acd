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
