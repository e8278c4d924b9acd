// Golden test of `-V` against Wireshark: for every fixture with F.tshark-V.txt (tshark 4.0.17's
// `-V -O mqtt -Y mqtt`), the MQTT layers we print for each frame equal tshark's, line for line.
// The corpus captures have no committed -V text (only their packet lists): where tshark is
// installed, it is run on each of them here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { dissectCapture } from '../../src/pipeline/dissect.js';
import { detailBlock } from '../../src/render/detail.js';
import { corpusDir, fixturesDir, hasCorpus } from '../support/paths.js';
import { findGoldens } from './tshark-list.js';
import { KNOWN_DIFFERENCES } from './tshark-differences.js';

/** Frame number → its MQTT layer lines, from tshark's -V -O mqtt text. */
function tsharkLayers(text: string): Map<number, string[]> {
  const frames = new Map<number, string[]>();
  let current: string[] | null = null;
  let inMqtt = false;
  for (const line of text.split('\n')) {
    const frame = line.match(/^Frame (\d+): /);
    if (frame) {
      current = [];
      frames.set(Number(frame[1]), current);
      inMqtt = false;
      continue;
    }
    if (line.startsWith('MQ Telemetry Transport Protocol')) inMqtt = true;
    else if (line.length > 0 && !line.startsWith(' ')) inMqtt = false;
    if (inMqtt && current && line.length > 0) current.push(line);
  }
  return frames;
}

/** The same from our -V output (detailBlock: a "Frame N:" line, then the MQTT layers). */
async function ourLayers(capture: string, ports: number[] = []): Promise<Map<number, string[]>> {
  let text = '';
  await dissectCapture(capture, { row: (r) => (text += detailBlock(r)) }, { ports });
  return tsharkLayers(text);
}

for (const golden of findGoldens(fixturesDir, '.tshark-V.txt')) {
  const capture = golden.slice(0, -'.tshark-V.txt'.length);
  test(`-V equals tshark -V -O mqtt: fixtures/${relative(fixturesDir, capture)}`, async () => {
    const theirs = tsharkLayers(readFileSync(golden, 'utf8'));
    const ours = await ourLayers(capture);
    assert.deepEqual([...ours.keys()], [...theirs.keys()], 'the same frames carry MQTT');
    for (const [no, lines] of theirs) assert.deepEqual(ours.get(no), lines, `frame ${no}`);
  });
}

/**
 * Where our -V differs from tshark's on a corpus capture, and why: each a frame whose MQTT layer
 * is checked up to the line named here and not past it. (None at present.)
 */
const CORPUS_DIFFERENCES: Record<string, { frame: number; sameLines: number; why: string }> = {};

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasCorpus || !hasTshark) {
  test('-V equals tshark -V -O mqtt on the corpus', (t) =>
    t.skip(!hasCorpus ? `../shared/corpus is absent (${corpusDir}): skipped` : 'tshark is not installed: skipped'));
} else {
  test('-V equals tshark -V -O mqtt on every corpus capture (tshark run here)', async () => {
    const manifest = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n').filter(Boolean).slice(1);
    let frames = 0;
    for (const line of manifest) {
      const path = line.split('\t')[0]!;
      const ports = [...line.matchAll(/tcp\.port==(\d+),mqtt/g)].map((m) => Number(m[1]));
      const capture = join(corpusDir, path);
      const args = ['-r', capture, '-V', '-O', 'mqtt', '-Y', 'mqtt', ...ports.flatMap((p) => ['-d', `tcp.port==${p},mqtt`])];
      const tshark = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
      assert.equal(tshark.status, 0, `tshark on ${path}: ${tshark.stderr}`);
      const theirs = tsharkLayers(tshark.stdout);
      const ours = await ourLayers(capture, ports);
      // Frames where tshark's packet list is wrong (tshark-differences.ts) have no layer to compare.
      for (const d of KNOWN_DIFFERENCES) if (d.capture === path && !theirs.has(d.frame)) ours.delete(d.frame);
      assert.deepEqual([...ours.keys()], [...theirs.keys()], `${path}: the same frames carry MQTT`);
      const known = CORPUS_DIFFERENCES[path];
      for (const [no, lines] of theirs) {
        frames++;
        if (known && known.frame === no) {
          // Equal up to the documented point, and different after it (else the entry is stale).
          assert.deepEqual(ours.get(no)!.slice(0, known.sameLines), lines.slice(0, known.sameLines), `${path} frame ${no}`);
          assert.notDeepEqual(ours.get(no), lines, `${path} frame ${no}: now equal; drop it from CORPUS_DIFFERENCES`);
          continue;
        }
        assert.deepEqual(ours.get(no), lines, `${path} frame ${no}`);
      }
    }
    assert.ok(frames > 10_000, `only ${frames} frames compared`);
  });
}
