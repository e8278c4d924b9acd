// Golden test against Wireshark on our own real captures: for every fixture F with F.tshark.txt
// (made by fixtures/make-fixtures.sh with tshark 4.0.17), our packet list equals tshark's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { diffLists, findGoldens, ourList, readTsharkList } from './tshark-list.js';
import { fixturesDir, projectRoot } from '../support/paths.js';

const all = findGoldens(fixturesDir, '.tshark.txt');

test('there are fixture captures with tshark goldens', () => {
  assert.ok(all.length >= 12, `only ${all.length} fixtures with a .tshark.txt golden`);
});

for (const golden of all) {
  const capture = golden.slice(0, -'.tshark.txt'.length);
  test(`packet list equals tshark: fixtures/${relative(fixturesDir, capture)}`, async () => {
    assert.ok(existsSync(capture), `${capture} is missing`);
    const theirs = readTsharkList(golden);
    const ours = await ourList(capture);
    const diffs = diffLists(theirs, ours);
    const shown = diffs.slice(0, 5).map((d) => `#${d.no}\n  tshark: ${JSON.stringify(d.tshark)}\n  ours:   ${JSON.stringify(d.ours)}`);
    assert.equal(diffs.length, 0, `${diffs.length} rows differ from tshark:\n${shown.join('\n')}`);
  });
}

// The hand-built cases (test/mqtt/golden/cases.pcap: every packet type, broken packets, and
// connections without a SYN, so every direction is joined mid-way) through the whole pipeline.
test('packet list equals tshark: the hand-built cases of test/mqtt/golden', async () => {
  const capture = join(projectRoot, 'test', 'mqtt', 'golden', 'cases.pcap');
  // (The Info column whole, control characters included, is compared frame by frame with
  // tshark's -T fields in test/mqtt/info.test.ts.)
  const diffs = diffLists(readTsharkList(join(projectRoot, 'test', 'mqtt', 'golden', 'cases.list.txt')), await ourList(capture));
  const shown = diffs.slice(0, 5).map((d) => `#${d.no}\n  tshark: ${JSON.stringify(d.tshark)}\n  ours:   ${JSON.stringify(d.ours)}`);
  assert.equal(diffs.length, 0, `${diffs.length} rows differ from tshark:\n${shown.join('\n')}`);
});
