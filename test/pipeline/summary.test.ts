// Issue #2 §10: every frame is accounted for (framesRead == mqttFrames + the skipped counts) on
// every fixture, every golden here and every corpus capture; `--format json` parses and matches
// the schema in src/render/schema.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, fixturesDir, hasCorpus, projectRoot } from '../support/paths.js';
import { dissectCapture } from '../../src/pipeline/dissect.js';
import { PacketListDocumentSchema } from '../../src/render/schema.js';
import { sumSkipped } from './support.js';

const isCapture = (f: string) => /\.(pcap|pcapng)(\.gz)?$/.test(f);

function capturesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(isCapture).map((f) => join(dir, f)).sort();
}

const golden = join(projectRoot, 'test', 'pipeline', 'golden');
const local = [...capturesUnder(fixturesDir), ...capturesUnder(golden)];

async function accounted(path: string): Promise<void> {
  const s = await dissectCapture(path, {}, { onWarning: () => {} });
  assert.ok(s.framesRead > 0, path);
  assert.equal(s.framesRead, s.mqttFrames + sumSkipped(s), `${path}: ${JSON.stringify(s.skipped)}`);
  assert.equal(s.framesRead, s.captureEnd.frames, path);
}

test('every frame of every fixture and golden capture is accounted for', async () => {
  assert.ok(local.length >= 10, `found ${local.length} captures`);
  for (const p of local) await accounted(p);
});

test('every frame of every corpus capture is accounted for', async (t) => {
  if (!hasCorpus) {
    t.skip('../shared/corpus is absent');
    return;
  }
  const manifest = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1).filter(Boolean);
  for (const line of manifest) await accounted(join(corpusDir, line.split('\t')[0]!));
});

test('--format json parses and matches the packet-list schema', (t) => {
  const bin = join(projectRoot, 'bin', 'mqtt-analyze.js');
  if (!existsSync(join(projectRoot, 'dist', 'src', 'cli', 'main.js'))) {
    t.skip('dist/ not built (npm test builds it first)');
    return;
  }
  for (const p of [...local.slice(0, 4), join(golden, 'v5.pcap'), join(golden, 'malformed.pcap')]) {
    const r = spawnSync(process.execPath, [bin, p, '--format', 'json', '--no-progress'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, `${p}: ${r.stderr}`);
    const doc = JSON.parse(r.stdout);
    const parsed = PacketListDocumentSchema.safeParse(doc);
    assert.ok(parsed.success, `${p}: ${parsed.success ? '' : parsed.error.message.slice(0, 500)}`);
    assert.equal(doc.summary.frames_read, doc.summary.mqtt_frames + Object.values(doc.summary.skipped as Record<string, number>).reduce((a, b) => a + b, 0));
  }
});
