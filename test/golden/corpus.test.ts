// Golden test against Wireshark: for every capture of ../shared/corpus (public captures written
// by others), our packet list equals tshark's (`F.tshark.txt`, tshark 4.0.17) row for row:
// frame number, time, addresses, protocol, length and Info. Where tshark is wrong, the
// difference is listed in tshark-differences.ts with the reason and the right answer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLists, ourList, readTsharkList } from './tshark-list.js';
import { KNOWN_DIFFERENCES } from './tshark-differences.js';
import { corpusDir, hasCorpus } from '../support/paths.js';


interface ManifestRow {
  path: string;
  ports: number[];
}

function manifest(): ManifestRow[] {
  const lines = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n').filter(Boolean).slice(1);
  return lines.map((line) => {
    const cols = line.split('\t');
    const ports = [...line.matchAll(/tcp\.port==(\d+),mqtt/g)].map((m) => Number(m[1]));
    return { path: cols[0]!, ports };
  });
}

if (!hasCorpus) {
  test('corpus golden test', (t) => t.skip(`../shared/corpus is absent (${corpusDir}): the corpus comparison with tshark is skipped`));
} else {
  for (const row of manifest()) {
    test(`packet list equals tshark: ${row.path}`, async () => {
      const capture = join(corpusDir, row.path);
      const theirs = readTsharkList(capture + '.tshark.txt');
      const ours = await ourList(capture, row.ports);
      const known = KNOWN_DIFFERENCES.filter((k) => k.capture === row.path);
      const diffs = diffLists(theirs, ours).filter((d) => {
        const k = known.find((x) => x.frame === d.no);
        if (!k) return true;
        // A documented tshark mistake: ours must then be the right answer stated there.
        assert.deepEqual(d.ours ? d.ours.info : null, k.ours, `frame ${d.no}: ${k.why}`);
        return false;
      });
      const shown = diffs.slice(0, 5).map((d) => `#${d.no}\n  tshark: ${fmt(d.tshark)}\n  ours:   ${fmt(d.ours)}`);
      assert.equal(diffs.length, 0, `${diffs.length} rows differ from tshark:\n${shown.join('\n')}`);
    });
  }
}

function fmt(r: { time: string; src: string; dst: string; length: number; info: string } | undefined): string {
  return r ? `${r.time} ${r.src} → ${r.dst} ${r.length} ${r.info}` : '(no row)';
}
