// Golden test of `-V` against Wireshark: for every fixture with F.tshark-V.txt (tshark 4.0.17's
// `-V -O mqtt -Y mqtt`), the MQTT layers we print for each frame equal tshark's, line for line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { dissectCapture } from '../../src/pipeline/dissect.js';
import { detailBlock } from '../../src/render/detail.js';
import { fixturesDir } from '../support/paths.js';
import { findGoldens } from './tshark-list.js';

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
async function ourLayers(capture: string): Promise<Map<number, string[]>> {
  let text = '';
  await dissectCapture(capture, { row: (r) => (text += detailBlock(r)) });
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
