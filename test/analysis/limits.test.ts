import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scenario, findings } from './support.js';
import type { Direction } from '../../src/pipeline/events.js';

test('limits: in-flight handshakes per connection are capped, and hitting the cap is a finding', () => {
  const s = scenario({ maxInflightPerConnection: 10 });
  const c = s.connect('c');
  for (let i = 1; i <= 50; i++) c.publish('t', String(i), { qos: 1, id: i, ack: false });
  const r = s.result();
  assert.equal(findings(r, 'limit-reached').length, 1);
  assert.deepEqual(r.summary.limitsHit, ['maxInflightPerConnection']);
});

test('limits: findings per id are capped and the rest counted', () => {
  const s = scenario({ maxFindingsPerId: 3 });
  const c = s.connect('c');
  for (let i = 0; i < 10; i++) c.publish('t', 'x', { dup: true });
  const r = s.result();
  assert.equal(findings(r, 'dup-set-on-qos0').length, 3);
  assert.equal(r.summary.suppressedFindings, 7);
  assert.equal(r.summary.findings.violation, 10);
});

test('fuzz: random event sequences never throw and always produce a result', () => {
  const ev = fc.record({
    who: fc.integer({ min: 0, max: 3 }),
    kind: fc.constantFrom('pub', 'recv', 'ack', 'sub', 'unsub', 'ping', 'disc', 'fin', 'rst', 'gap', 'wait', 'conn'),
    dir: fc.constantFrom<Direction>('c2s', 's2c'),
    qos: fc.integer({ min: 0, max: 3 }),
    id: fc.integer({ min: 0, max: 4 }),
    topic: fc.constantFrom('a', 'a/b', '#', 'a/+', '$SYS/x', ''),
    flag: fc.boolean(),
  });
  fc.assert(fc.property(fc.array(ev, { maxLength: 60 }), (evs) => {
    const s = scenario({ deliveryWindow: 1 });
    const cs = [0, 1, 2, 3].map((i) => s.connect(`c${i}`, { clean: i % 2 === 0, keepAlive: i, version: i === 3 ? 5 : 4, midstream: i === 2 }));
    for (const e of evs) {
      const c = cs[e.who]!;
      switch (e.kind) {
        case 'pub': c.publish(e.topic, 'p', { qos: e.qos, id: e.id, retain: e.flag, dup: !e.flag, ack: e.flag }); break;
        case 'recv': c.receive(e.topic, 'p', { qos: e.qos, id: e.id, retain: e.flag, ack: !e.flag }); break;
        case 'ack': c.ack(e.dir, (['PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP'] as const)[e.qos]!, e.id); break;
        case 'sub': c.subscribe(e.topic, e.qos, { granted: e.flag ? e.qos : 0x80 }); break;
        case 'unsub': c.unsubscribe(e.topic); break;
        case 'ping': c.ping(e.flag); break;
        case 'disc': c.disconnect(e.flag ? 4 : undefined); break;
        case 'fin': c.close('fin', e.dir); break;
        case 'rst': c.close('rst', e.dir); break;
        case 'gap': c.gap(e.dir); break;
        case 'wait': s.wait(e.id * 3); break;
        case 'conn': cs[e.who] = s.connect(`c${e.who}`, { clean: e.flag, sessionPresent: !e.flag }); break;
      }
    }
    const r = s.result();
    assert.ok(Array.isArray(r.findings));
  }), { numRuns: 300 });
});

test('speed: 200k publish + delivery pairs stay fast and bounded', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('sensors/+/temp', 1);
  const pub = s.connect('pub');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 100_000; i++) {
    const topic = `sensors/${i % 50}/temp`;
    pub.publish(topic, 'v', { qos: 1, id: (i % 65535) + 1 });
    sub.receive(topic, 'v', { qos: 1, id: (i % 65535) + 1 });
  }
  const r = s.result();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(r.summary.findings.violation, 0);
  // 400k messages (publish, PUBACK, delivery, PUBACK) incl. the test builder's own cost
  assert.ok(ms < 4000, `${ms} ms`);
});
