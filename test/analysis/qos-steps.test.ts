// The latency of each step of a QoS handshake (#3: "latency of each step"): from the packet
// before it to the acknowledgement. Checked on a scenario whose times are set by construction,
// and on every fixture with handshakes against the frame times in tshark's own packet list.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenario } from './support.js';
import { dissectCapture, forwardTo } from '../../src/pipeline/dissect.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import type { HandshakeSummary } from '../../src/analysis/schema.js';
import { projectRoot } from '../support/paths.js';
import { tsharkPdus, type Pdu } from '../support/tshark-pdus.js';

const near = (a: number | null, b: number): boolean => a !== null && Math.abs(a - b) < 1.5e-6;

test('qos steps: each acknowledgement timed from the packet before it, averaged and maxed per step', () => {
  const s = scenario();
  const pub = s.connect('pub');
  // Every frame advances the clock 1 ms (support.ts), on top of the waits.
  pub.publish('t', 'a', { qos: 2, id: 1, ack: false });
  s.wait(0.25);
  pub.ack('s2c', 'PUBREC', 1);
  s.wait(0.5);
  pub.ack('c2s', 'PUBREL', 1);
  s.wait(0.125);
  pub.ack('s2c', 'PUBCOMP', 1);
  pub.publish('t', 'b', { qos: 2, id: 2, ack: false });
  s.wait(0.05);
  pub.ack('s2c', 'PUBREC', 2);
  pub.ack('c2s', 'PUBREL', 2);
  pub.ack('s2c', 'PUBCOMP', 2);
  // left after its PUBREC: counts for the first step only
  pub.publish('t', 'c', { qos: 2, id: 3, ack: false });
  s.wait(0.009);
  pub.ack('s2c', 'PUBREC', 3);
  pub.publish('t', 'd', { qos: 1, id: 4, ack: false });
  s.wait(0.2);
  pub.ack('s2c', 'PUBACK', 4);
  const r = s.result();
  const q2 = r.handshakes.find((h) => h.direction === 'c2s' && h.qos === 2)!;
  assert.deepEqual(q2.steps.map((st) => [st.packet, st.sentBy, st.count]), [['PUBREC', 'broker', 3], ['PUBREL', 'client', 2], ['PUBCOMP', 'broker', 2]]);
  const [rec, rel, comp] = q2.steps;
  assert.ok(near(rec!.latencyAvg, (0.251 + 0.051 + 0.010) / 3) && near(rec!.latencyMax, 0.251), JSON.stringify(rec));
  assert.ok(near(rel!.latencyAvg, (0.501 + 0.001) / 2) && near(rel!.latencyMax, 0.501), JSON.stringify(rel));
  assert.ok(near(comp!.latencyAvg, (0.126 + 0.001) / 2) && near(comp!.latencyMax, 0.126), JSON.stringify(comp));
  // the steps of a complete handshake add up to its latency
  assert.ok(near(q2.latencyMax, 0.251 + 0.501 + 0.126));
  const q1 = r.handshakes.find((h) => h.direction === 'c2s' && h.qos === 1)!;
  assert.deepEqual(q1.steps.map((st) => [st.packet, st.sentBy, st.count]), [['PUBACK', 'broker', 1]]);
  assert.ok(near(q1.steps[0]!.latencyAvg, 0.201) && near(q1.latencyAvg, 0.201));
});

test('qos steps: broker → client handshakes are answered by the client, PUBREL by the broker', () => {
  const s = scenario();
  const sub = s.connect('sub');
  sub.subscribe('t', 2);
  s.connect('pub').publish('t', 'x', { qos: 2 });
  sub.receive('t', 'x', { qos: 2 });
  const q2 = s.result().handshakes.find((h) => h.direction === 's2c' && h.qos === 2)!;
  assert.deepEqual(q2.steps.map((st) => [st.packet, st.sentBy]), [['PUBREC', 'client'], ['PUBREL', 'broker'], ['PUBCOMP', 'client']]);
});

// ---- against tshark: the fixtures' golden packet list (times) and -V tree (ports, types, ids) ----

const ACKS: Record<string, string> = { 'Publish Ack': 'PUBACK', 'Publish Received': 'PUBREC', 'Publish Release': 'PUBREL', 'Publish Complete': 'PUBCOMP' };

/** Expected step latencies per "client port/direction/qos/step", each handshake followed on its own. */
function expectedSteps(pdus: Pdu[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < pdus.length; i++) {
    const p = pdus[i]!;
    if (p.type !== 'Publish Message' || p.qos === 0) continue;
    const seq = p.qos === 1 ? ['PUBACK'] : ['PUBREC', 'PUBREL', 'PUBCOMP'];
    let at = p.time;
    let k = 0;
    for (let j = i + 1; j < pdus.length && k < seq.length; j++) {
      const q = pdus[j]!;
      if (q.client !== p.client || q.id !== p.id) continue;
      if (q.type === 'Publish Message' && q.c2s === p.c2s) break; // the id is used again: this one is over
      const want = seq[k]!;
      const sameDir = want === 'PUBREL';
      if (ACKS[q.type] !== want || (q.c2s === p.c2s) !== sameDir) continue;
      const key = `${p.client}/${p.c2s ? 'c2s' : 's2c'}/${p.qos}/${want}`;
      out.set(key, [...(out.get(key) ?? []), q.time - at]);
      at = q.time;
      k++;
    }
  }
  return out;
}

const fixtures = ['fixtures/lab', 'fixtures/negative', 'fixtures/clients'].flatMap((d) =>
  readdirSync(join(projectRoot, d)).filter((f) => /\.(pcap|pcapng)$/.test(f)).map((f) => join(projectRoot, d, f)))
  .filter((f) => existsSync(f + '.tshark-V.txt') && /Publish (Ack|Received)/.test(readFileSync(f + '.tshark.txt', 'utf8')));

test('qos steps: every fixture with handshakes agrees with the frame times tshark shows', async () => {
  assert.ok(fixtures.length >= 8, `fixtures with handshakes: ${fixtures.length}`);
  let compared = 0;
  for (const f of fixtures) {
    const a = new Analyzer();
    await dissectCapture(f, forwardTo(a));
    const r = a.result();
    const port = new Map(r.connections.map((c) => [c.id, Number(c.client.split(':').pop())]));
    const ours = new Map<string, HandshakeSummary['steps'][number]>();
    for (const h of r.handshakes) for (const st of h.steps) ours.set(`${port.get(h.connection)}/${h.direction}/${h.qos}/${st.packet}`, st);
    const want = expectedSteps(tsharkPdus(f));
    for (const [key, lat] of want) {
      const st = ours.get(key);
      const avg = lat.reduce((x, y) => x + y, 0) / lat.length;
      assert.ok(st !== undefined, `${f}: no step ${key}`);
      assert.equal(st.count, lat.length, `${f} ${key}: count`);
      assert.ok(near(st.latencyAvg, avg) && near(st.latencyMax, Math.max(...lat)), `${f} ${key}: ours ${st.latencyAvg}/${st.latencyMax}, tshark's times ${lat.join(', ')}`);
      compared++;
    }
    // and no step that tshark's packets do not show
    for (const [key, st] of ours) if (st.count > 0) assert.ok(want.has(key), `${f}: step ${key} not in tshark's packets`);
  }
  assert.ok(compared >= 20, `steps compared: ${compared}`);
});
