// Captures are untrusted: real captures with random bytes changed, inserted or cut off must go
// through the whole tool (dissection, analysis, every renderer) without an exception, and every
// frame read must still be accounted for. FUZZ_RUNS=5000 runs it harder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dissectCapture, fanOut } from '../../src/pipeline/dissect.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import { renderAnalysis } from '../../src/render/analysis-tables.js';
import { JsonlWriter } from '../../src/render/jsonl-writer.js';
import { detailBlock } from '../../src/render/detail.js';
import { ByteOutput } from '../../src/cli/output.js';
import type { PacketRow } from '../../src/pipeline/rows.js';
import { fixturesDir, projectRoot } from '../support/paths.js';
import { sumSkipped } from './support.js';
import { collectCapture as collectForViews } from '../../src/flow/run.js';
import { buildFlow } from '../../src/flow/model.js';
import { renderFlowText } from '../../src/flow/terminal.js';
import { renderReportHtml } from '../../src/report/html.js';
import { collectCapture as collectForRubric } from '../../src/expect/collect.js';
import { evaluate } from '../../src/expect/evaluate.js';
import { loadExpectations } from '../../src/expect/load.js';

const SEEDS = [
  join(fixturesDir, 'lab', 'lab3-qos-v5.pcapng'),
  join(fixturesDir, 'lab', 'lab7-will.pcap'),
  join(fixturesDir, 'negative', 'neg-packet-id-reuse.pcap'),
  join(projectRoot, 'test', 'pipeline', 'golden', 'v5.pcap'),
].map((p) => readFileSync(p));

const runs = Number(process.env.FUZZ_RUNS ?? 150);

const mutation = fc.tuple(
  fc.nat(SEEDS.length - 1),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 12 }),
  fc.option(fc.nat(), { nil: undefined }),
);

/** A seed capture with bytes set, inserted and deleted (the file header mostly spared, so the
 *  mutations reach the packets), then maybe cut short. */
function mutate([which, edits, cutAt]: [number, [number, number, string][], number | undefined]): Buffer {
  let bytes = Buffer.from(SEEDS[which]!);
  for (const [at, value, kind] of edits) {
    const pos = 24 + (at % Math.max(1, bytes.length - 24));
    if (kind === 'set') bytes[pos] = value;
    else if (kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, pos), Buffer.from([value]), bytes.subarray(pos)]);
    else bytes = Buffer.concat([bytes.subarray(0, pos), bytes.subarray(pos + 1)]);
  }
  return cutAt === undefined ? bytes : bytes.subarray(0, cutAt % (bytes.length + 1));
}

test('mutated real captures never throw, in any layer or renderer, and every frame is accounted for', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
  const sink = openSync('/dev/null', 'w');
  try {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
          const bytes = mutate(m);
          const path = join(dir, 'mutated.pcap');
          writeFileSync(path, bytes);
          const analyzer = new Analyzer();
          const out = new ByteOutput(sink, 4096);
          const jsonl = new JsonlWriter(out);
          let detail = 0;
          const summary = await dissectCapture(path, {
            ...fanOut(analyzer, {}),
            row: (r: PacketRow) => {
              jsonl.line(r);
              detail += detailBlock(r).length;
            },
          });
          out.flush();
          renderAnalysis(analyzer.result(), { color: false });
          assert.equal(summary.framesRead, summary.mqttFrames + sumSkipped(summary));
          assert.ok(detail >= 0);
        }),
      { numRuns: runs },
    );
  } finally {
    closeSync(sink);
    rmSync(dir, { recursive: true });
  }
});

test('mutated captures through the diagram, the HTML report and the lab rubric never throw', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-views-'));
  const rubric = loadExpectations('lab2');
  try {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const path = join(dir, 'mutated.pcap');
        writeFileSync(path, mutate(m));
        const { collected } = await collectForViews(path, { analyzer: new Analyzer(), detail: detailBlock });
        renderFlowText(buildFlow(collected), { width: 80 });
        assert.match(renderReportHtml(collected), /<\/html>/);
        const c = await collectForRubric(path);
        if (c.status === 'ok') assert.ok(evaluate(rubric, c.trace).parts.length > 0);
      }),
      { numRuns: Math.ceil(runs / 3) },
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});
