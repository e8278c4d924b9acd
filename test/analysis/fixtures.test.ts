// Real captures through the whole pipeline: every lab and negative fixture must give the
// findings its construction implies (F.scenario.json, written by the scenario script, not by
// us), and every corpus capture must run without a violation we cannot back with a reading of
// the capture (the ones we checked by hand are listed below with that reading).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dissectCapture, forwardTo } from '../../src/pipeline/dissect.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import { AnalysisResultSchema, type AnalysisResult } from '../../src/analysis/schema.js';

async function analyze(path: string, ports?: number[]): Promise<AnalysisResult> {
  const a = new Analyzer();
  await dissectCapture(path, forwardTo(a), ports ? { ports } : {});
  return a.result();
}

interface ScenarioFile { expectedFindings?: string[]; forbiddenFindings?: string[] }

for (const dir of ['fixtures/lab', 'fixtures/negative']) {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(pcap|pcapng)$/.test(f)) : [];
  for (const f of files) {
    const path = join(dir, f);
    test(`fixture ${path}: findings its construction implies`, async (t) => {
      if (!existsSync(path + '.scenario.json')) return t.skip('no scenario.json');
      const sc = JSON.parse(readFileSync(path + '.scenario.json', 'utf8')) as ScenarioFile;
      const r = await analyze(path);
      AnalysisResultSchema.parse(r);
      const seen = r.findings.filter((x) => x.severity !== 'not-observable');
      const expected = sc.expectedFindings ?? [];
      for (const id of expected) assert.ok(seen.some((x) => x.id === id), `expected ${id}; got ${seen.map((x) => x.id).join(', ')}`);
      for (const id of sc.forbiddenFindings ?? []) {
        if (id === 'violation') {
          // "no violation" — besides the client mistakes the fixture was built to show
          const extra = seen.filter((x) => x.severity === 'violation' && !expected.includes(x.id));
          assert.deepEqual(extra.map((x) => `${x.id} ${x.frames.join(',')}: ${x.message}`), []);
        } else {
          assert.ok(!seen.some((x) => x.id === id), `forbidden ${id} present`);
        }
      }
    });
  }
}

const CORPUS = '../shared/corpus';

/** Violations a reading of the capture supports (checked by hand with tshark): id → why. */
const SUPPORTED: Record<string, Record<string, string>> = {
  'RobertoBochet-IoT-challenges/data.pcapng': {
    'keepalive-exceeded': 'clients with Keep Alive 22-34 s silent until the broker FINs at 1.5x (e.g. frames 1544..3050)',
    'malformed-packet': 'v5 CONNACKs without the Properties Length byte (the capture is described as having malformed CONNACKs)',
  },
  'arkime/mqtt_big.pcap': {
    'publish-not-routed': 'generated session: the client subscribes test/# (SUBACK frame 7), publishes test/qos1 etc. and never receives them',
    'publish-unsubscribed': 'generated session: server/bigdata and server/interrupt delivered with only test/... subscriptions',
  },
  'suricata-verify/mqtt-events-invalid-qos/input.pcap': { 'invalid-qos': 'PUBLISH with both QoS bits set (the test is about exactly that)' },
  'suricata-verify/mqtt5-excessiveproplen/input.pcap': { 'malformed-packet': 'property length beyond the packet (the test is about exactly that)' },
};

test('corpus: no violation without a reading of the capture behind it', { timeout: 600_000 }, async (t) => {
  if (!existsSync(join(CORPUS, 'MANIFEST.tsv'))) return t.skip('../shared/corpus is absent');
  const rows = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const problems: string[] = [];
  for (const row of rows) {
    const rel = row[0]!;
    const ports = [...(row[11] ?? '').matchAll(/tcp\.port==(\d+)/g)].map((m) => Number(m[1]));
    const r = await analyze(join(CORPUS, rel), ports.length > 0 ? ports : undefined);
    AnalysisResultSchema.parse(r);
    for (const f of r.findings) {
      if (f.severity !== 'violation') continue;
      const key = Object.keys(SUPPORTED).find((k) => rel.endsWith(k));
      if (key === undefined || SUPPORTED[key]![f.id] === undefined) problems.push(`${rel}: ${f.id} ${f.frames.join(',')}: ${f.message}`);
    }
  }
  assert.deepEqual(problems, []);
});
