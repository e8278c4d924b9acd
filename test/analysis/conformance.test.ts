import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, findings, violations } from './support.js';

test('conformance: a clean session has no finding', () => {
  const s = scenario();
  const c = s.connect('c');
  c.subscribe('a');
  c.publish('a', 'x', { qos: 1 });
  c.disconnect();
  assert.deepEqual(s.result().findings.filter((f) => f.severity !== 'not-observable'), []);
});

test('conformance: PUBLISH before CONNECT after a seen SYN: connect-not-first; not for a midstream connection', () => {
  const s = scenario();
  const c = s.connect('c', { midstream: true });
  c.publish('a', 'x');
  const raw = s.connect('raw', { noConnack: true, midstream: true });
  // a connection whose SYN was seen, but whose first packet is a PUBLISH
  (raw.info as { sawSyn: boolean }).sawSyn = true;
  const f = raw.publish('a', 'y');
  const m = findings(s.result(), 'connect-not-first');
  assert.deepEqual(m.map((x) => x.frames), [[f]]);
});

test('conformance: a second CONNECT: second-connect with both frames', () => {
  const s = scenario();
  const c = s.connect('c');
  const again = c.send('c2s', {
    type: 'CONNECT', protocolName: 'MQTT', protocolLevel: 4, connectFlags: 2, cleanSession: true, willFlag: false,
    willQos: 0, willRetain: false, usernameFlag: false, passwordFlag: false, keepAlive: 60, clientId: 'c',
  });
  const m = findings(s.result(), 'second-connect');
  assert.equal(m.length, 1);
  assert.equal(m[0]!.frames[1], again);
});

test('conformance: protocol name, reserved CONNECT flag, empty client id with CleanSession=0', () => {
  const s = scenario();
  s.connect('n', { protocolName: 'MQIsdp' });
  s.connect('f', { connectFlags: 0x03 });
  s.connect('', { clean: false });
  const r = s.result();
  assert.equal(findings(r, 'invalid-protocol-name').length, 1);
  assert.equal(findings(r, 'connect-reserved-flag').length, 1);
  // the client's mistake and the broker accepting it
  assert.equal(findings(r, 'empty-client-id').length, 2);
});

test('conformance: unsupported level refused is info, accepted is a violation; refused CONNACK is info', () => {
  const s = scenario();
  s.connect('a', { version: 6 as 4, code: 1 });
  s.connect('b', { version: 6 as 4, code: 0 });
  s.connect('c', { code: 5 });
  const r = s.result();
  assert.deepEqual(findings(r, 'unsupported-protocol-level').map((f) => f.severity), ['violation', 'info']);
  assert.equal(findings(r, 'connack-refused').length, 2);
});

test('conformance: decoder notes become findings; malformed packets are violations only with a known version', () => {
  const s = scenario();
  const c = s.connect('c');
  c.send('c2s', { type: 'PINGREQ', headerFlags: 0xc1, notes: [{ code: 'reserved-flags', message: 'flags 0001', offset: 0 }] });
  c.send('c2s', { type: 'PINGREQ', notes: [{ code: 'something-new', message: 'odd', offset: 3 }] });
  c.malformed('c2s', 'short-packet');
  const m = s.connect('m', { midstream: true });
  m.malformed('s2c', 'short-packet', 0x30, false);
  const r = s.result();
  assert.equal(findings(r, 'reserved-flags').length, 1);
  assert.equal(findings(r, 'decode-note')[0]?.severity, 'warning');
  assert.deepEqual(findings(r, 'malformed-packet').map((f) => f.severity).sort(), ['violation', 'warning']);
  assert.equal(violations(r).length, 2);
});
