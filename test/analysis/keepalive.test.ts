import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations } from './support.js';

test('keepalive: pings within the interval give no finding; latency recorded', () => {
  const s = scenario();
  const c = s.connect('c', { keepAlive: 10 });
  for (let i = 0; i < 5; i++) {
    s.wait(9);
    c.ping();
  }
  c.disconnect();
  c.close();
  const r = s.result();
  assert.deepEqual(violations(r), []);
  assert.equal(r.connections[0]!.pings, 5);
  assert.ok(r.connections[0]!.maxClientSilence! <= 9.1);
});

test('keepalive: silent past 1.5x and closed by the broker: keepalive-exceeded + keepalive-broker-closed', () => {
  const s = scenario();
  const c = s.connect('c', { keepAlive: 2 });
  s.wait(3.2);
  const fin = c.close('fin', 's2c');
  const r = s.result();
  const ex = findings(r, 'keepalive-exceeded');
  assert.equal(ex.length, 1);
  assert.equal(ex[0]!.severity, 'violation');
  assert.ok(ex[0]!.frames.includes(fin));
  assert.equal(findings(r, 'keepalive-broker-closed').length, 1);
  assert.equal(findings(r, 'keepalive-not-enforced').length, 0);
});

test('keepalive: a small overrun (within 1.5x) is only a warning', () => {
  const s = scenario();
  const c = s.connect('c', { keepAlive: 60 });
  s.wait(61);
  c.ping();
  const ex = findings(s.result(), 'keepalive-exceeded');
  assert.equal(ex.length, 1);
  assert.equal(ex[0]!.severity, 'warning');
});

test('keepalive: broker still sending to a client silent beyond 1.5x + slack: keepalive-not-enforced', () => {
  const s = scenario();
  const sub = s.connect('sub', { keepAlive: 10 });
  sub.subscribe('t');
  s.wait(30);
  const late = sub.receive('t', 'x');
  const m = findings(s.result(), 'keepalive-not-enforced');
  assert.equal(m.length, 1);
  assert.ok(m[0]!.frames.includes(late));
});

test('keepalive: 0 switches the mechanism off', () => {
  const s = scenario();
  const c = s.connect('c', { keepAlive: 0 });
  s.wait(1000);
  c.publish('t', 'x');
  c.disconnect();
  assert.deepEqual(s.result().findings.filter((f) => f.id.startsWith('keepalive')), []);
});

test('keepalive: v5 Server Keep Alive overrides the client value', () => {
  const s = scenario();
  const c = s.connect('c', { version: 5, keepAlive: 100, serverKeepAlive: 5 });
  s.wait(20);
  c.ping();
  assert.equal(findings(s.result(), 'keepalive-exceeded')[0]?.severity, 'violation');
});

test('keepalive: PINGREQ unanswered while the broker keeps sending is pingresp-missing; unanswered at the end is not', () => {
  const s = scenario();
  const c = s.connect('c', { keepAlive: 60 });
  c.subscribe('t');
  const p = c.ping(false);
  s.wait(2);
  c.receive('t', 'x');
  c.disconnect();
  c.close();
  const d = s.connect('d', { keepAlive: 60 });
  d.ping(false);
  const r = s.result();
  const m = findings(r, 'pingresp-missing');
  assert.equal(m.length, 1);
  assert.equal(m[0]!.frames[0], p);
});

test('keepalive: a midstream connection is not judged', () => {
  const s = scenario();
  const c = s.connect('c', { midstream: true });
  c.publish('t', 'x');
  s.wait(500);
  c.publish('t', 'y');
  assert.equal(findings(s.result(), 'keepalive-exceeded').length, 0);
});
