// The built-in lab2 rubric against every real fixture: a part passes exactly when the fixture's
// construction (its F.scenario.json, written by the scenario script, not by us) shows that part,
// and each negative fixture fails its part with a message that names the mistake.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { collectCapture } from '../../src/expect/collect.js';
import { evaluate } from '../../src/expect/evaluate.js';
import { loadExpectations } from '../../src/expect/load.js';
import { SHOWS, type Scenario } from './lab-parts.js';

/** What the failing check of each negative fixture must say (the mistake, in words). */
const MISTAKE: Record<string, { part: number; says: RegExp }> = {
  'neg-retain-missing': { part: 5, says: /no PUBLISH with RETAIN=1 from a client/ },
  'neg-keepalive-silent': { part: 6, says: /sent 0 PINGREQs|silent/ },
  'neg-will-clean-disconnect': { part: 7, says: /clean DISCONNECT .*rightly not published/ },
  'neg-will-kill': { part: 7, says: /no client with a will .*ended with a clean DISCONNECT/ },
  'neg-qos2-no-pubrel': { part: 3, says: /PUBREC frame \d+, no PUBREL/ },
  'neg-packet-id-reuse': { part: 3, says: /packet-id-reused/ },
  'neg-wildcard-miss': { part: 4, says: /paho\/test\/\+ .*received no message.*paho\/test\/a\/b \(does not match\)/ },
  'neg-clean-session-loses-qos1': { part: 8, says: /clean session = 1/ },
  'neg-publish-before-connect': { part: 1, says: /connect-not-first/ },
  'neg-second-connect': { part: 1, says: /second-connect/ },
  'neg-redelivery-missing': { part: 3, says: /redelivery-missing/ },
  'neg-broker-upgrades-qos': { part: 3, says: /delivered-qos-mismatch .*published at QoS 0, granted QoS 2: expected 0/ },
};

const rubric = loadExpectations('lab2');

for (const dir of ['fixtures/lab', 'fixtures/negative']) {
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).filter((x) => /\.pcap(ng)?$/.test(x)).sort()) {
    const path = `${dir}/${f}`;
    const scenarioPath = `${path}.scenario.json`;
    test(`lab2 rubric on ${f}`, async (t) => {
      if (!existsSync(scenarioPath)) {
        t.skip(`${scenarioPath} is missing`);
        return;
      }
      const s = JSON.parse(readFileSync(scenarioPath, 'utf8')) as Scenario;
      const c = await collectCapture(path);
      assert.equal(c.status, 'ok', c.status === 'unreadable' ? c.reason : '');
      if (c.status !== 'ok') return;
      const ev = evaluate(rubric, c.trace);
      for (const part of ev.parts) {
        const shows = SHOWS[Number(part.id)]!(s);
        const failed = part.checks.filter((x) => x.status === 'fail').map((x) => `${x.name}: ${x.message}`);
        assert.equal(part.passed, shows, `part ${part.id} ${shows ? 'should pass' : 'should fail'}: ${shows ? failed.join(' | ') : 'all checks passed'}`);
      }
      const name = f.replace(/\.pcap(ng)?$/, '');
      const m = MISTAKE[name];
      if (m) {
        const part = ev.parts.find((p) => p.id === String(m.part))!;
        assert.equal(part.passed, false);
        const said = part.checks.filter((x) => x.status === 'fail').map((x) => x.message);
        assert.ok(said.some((x) => m.says.test(x)), `part ${m.part} should name the mistake (${m.says}); said: ${said.join(' | ')}`);
      }
    });
  }
}

test('every negative fixture has its mistake listed here', (t) => {
  if (!existsSync('fixtures/negative')) return t.skip('no fixtures/negative');
  const names = readdirSync('fixtures/negative').filter((x) => /\.pcap(ng)?$/.test(x)).map((x) => x.replace(/\.pcap(ng)?$/, ''));
  for (const n of names) assert.ok(MISTAKE[n], `${n} has no expected mistake`);
});
