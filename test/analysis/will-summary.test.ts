// The connections summary shows each client's will (#3 §1: topic, payload, QoS, retain, v5 will
// delay) as the fixture scenario built it (F.scenario.json, written by the scenario script).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dissectCapture, forwardTo } from '../../src/pipeline/dissect.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import { willText } from '../../src/analysis/session.js';
import { projectRoot } from '../support/paths.js';

interface ScenarioWill { topic: string; qos: number; retain: boolean; payload: string; delayInterval?: number }
interface ScenarioFile { version: number; clients: { clientId: string; will: ScenarioWill | null }[] }

test('will summary: every will of the lab and negative fixtures as the scenario built it', async () => {
  let wills = 0;
  for (const dir of ['fixtures/lab', 'fixtures/negative']) {
    for (const f of readdirSync(join(projectRoot, dir)).filter((x) => /\.(pcap|pcapng)$/.test(x))) {
      const path = join(projectRoot, dir, f);
      if (!existsSync(path + '.scenario.json')) continue;
      const sc = JSON.parse(readFileSync(path + '.scenario.json', 'utf8')) as ScenarioFile;
      const built = sc.clients.filter((c) => c.will !== null);
      if (built.length === 0) continue;
      const a = new Analyzer();
      await dissectCapture(path, forwardTo(a));
      const rows = a.result().connections;
      for (const c of built) {
        const row = rows.find((r) => r.clientId === c.clientId);
        assert.ok(row, `${f}: no connection of ${c.clientId}`);
        const w = c.will!;
        assert.deepEqual(row.will, {
          topic: w.topic, payload: w.payload, payloadLength: Buffer.byteLength(w.payload), qos: w.qos, retain: w.retain,
          delayInterval: row.version === 5 ? (w.delayInterval ?? 0) : null,
        }, `${f}: will of ${c.clientId}`);
        wills++;
      }
    }
  }
  assert.ok(wills >= 5, `wills compared: ${wills}`);
});

test('will summary: text as UTF-8 (U+FFFD where it is not), cut after 200 characters', () => {
  assert.equal(willText(new TextEncoder().encode('gone ✓')), 'gone ✓');
  assert.equal(willText(new Uint8Array([0x6f, 0x6b, 0xff])), 'ok\ufffd');
  assert.equal(willText(new Uint8Array(0)), '');
  const long = 'x'.repeat(250);
  assert.equal(willText(new TextEncoder().encode(long)), 'x'.repeat(200) + '…');
  assert.equal(willText(new TextEncoder().encode('é'.repeat(300))), 'é'.repeat(200) + '…');
});
