// Keepalive pings per connection (#3 §3: each PINGREQ → PINGRESP with its latency): how many
// were answered, their average and longest latency, against the frame times tshark shows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dissectCapture, forwardTo } from '../../src/pipeline/dissect.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import { projectRoot } from '../support/paths.js';
import { tsharkPdus } from '../support/tshark-pdus.js';

const near = (a: number | null, b: number): boolean => a !== null && Math.abs(a - b) < 1.5e-6;

const fixtures = ['fixtures/lab', 'fixtures/negative', 'fixtures/clients'].flatMap((d) =>
  readdirSync(join(projectRoot, d)).filter((f) => /\.(pcap|pcapng)$/.test(f)).map((f) => join(projectRoot, d, f)))
  .filter((f) => existsSync(f + '.tshark-V.txt') && /Ping Response/.test(readFileSync(f + '.tshark.txt', 'utf8')));

test('ping latency: every fixture with pings agrees with the frame times tshark shows', async () => {
  assert.ok(fixtures.length >= 2, `fixtures with pings: ${fixtures.length}`);
  let connections = 0;
  for (const f of fixtures) {
    // tshark's view: each PINGREQ answered by the next PINGRESP on its connection
    const lat = new Map<number, number[]>();
    const asked = new Map<number, number>();
    for (const p of tsharkPdus(f)) {
      if (p.type === 'Ping Request' && p.c2s) asked.set(p.client, p.time);
      else if (p.type === 'Ping Response' && !p.c2s && asked.has(p.client)) {
        lat.set(p.client, [...(lat.get(p.client) ?? []), p.time - asked.get(p.client)!]);
        asked.delete(p.client);
      }
    }
    const a = new Analyzer();
    await dissectCapture(f, forwardTo(a));
    for (const c of a.result().connections) {
      const want = lat.get(Number(c.client.split(':').pop())) ?? [];
      assert.equal(c.pings, want.length, `${f} ${c.client}: pings`);
      if (want.length === 0) {
        assert.equal(c.pingLatencyAvg, null);
        continue;
      }
      const avg = want.reduce((x, y) => x + y, 0) / want.length;
      assert.ok(near(c.pingLatencyAvg, avg) && near(c.pingLatencyMax, Math.max(...want)),
        `${f} ${c.client}: ours ${c.pingLatencyAvg}/${c.pingLatencyMax}, tshark's times ${want.join(', ')}`);
      connections++;
    }
  }
  assert.ok(connections >= 3, `connections with pings compared: ${connections}`);
});
