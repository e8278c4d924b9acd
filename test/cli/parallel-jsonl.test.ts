// `--format jsonl` on several threads must write exactly what one thread writes, both ways it is
// split (two threads: a pipeline, the dissection on a worker and the rows written on the main
// thread; more: connections split between workers by hash). The one-thread output is the truth
// here (it is itself held equal to tshark by the golden tests).
// Checked on a generated capture with hundreds of interleaved connections (retransmissions,
// out-of-order segments, PDUs split anywhere), on every fixture and on every corpus capture.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dissectCapture, type DissectSummary } from '../../src/pipeline/dissect.js';
import { Shard, shardMemory, END_FRAME, PROVISIONAL } from '../../src/pipeline/shard.js';
import { JsonlWriter } from '../../src/render/jsonl-writer.js';
import { ByteOutput } from '../../src/cli/output.js';
import { jsonlInParallel, mergeSummaries, RowMerger, jsonlThreads } from '../../src/cli/parallel-jsonl.js';
import type { BatchLimits, RowBatch } from '../../src/cli/jsonl-worker.js';
import { generateCapture } from '../../bench/generate.js';
import { dissectInWorker } from '../../src/pipeline/threaded.js';
import { corpusDir, fixturesDir, hasCorpus, projectRoot } from '../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'mqtt-parallel-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** The JSON Lines of `capture` and the summary, on `threads` threads (1: the ordinary path). */
async function jsonl(capture: string, threads: number, ports: number[] = [], limits?: BatchLimits): Promise<{ text: Buffer; summary: DissectSummary; warnings: string[] }> {
  const file = join(tmp, `out-${threads}-${Math.random().toString(36).slice(2)}.jsonl`);
  const fd = openSync(file, 'w');
  const warnings: string[] = [];
  const options = { ports, onWarning: (m: string) => warnings.push(m) };
  const out = new ByteOutput(fd);
  let summary: DissectSummary;
  try {
    if (threads === 1) {
      const w = new JsonlWriter(out);
      summary = await dissectCapture(capture, { row: (r) => w.line(r) }, options);
    } else {
      const s = await jsonlInParallel(capture, threads, options, out, limits);
      assert.ok(s !== null, 'a file as output never goes away');
      summary = s;
    }
    out.flush();
  } finally {
    closeSync(fd);
  }
  return { text: readFileSync(file), summary, warnings };
}

/** The same through the two-thread pipeline: dissection on a worker, rows written here. */
async function jsonlPipeline(capture: string, ports: number[] = [], jsonShare?: number): Promise<{ text: Buffer; summary: DissectSummary; warnings: string[] }> {
  const file = join(tmp, `pipe-${Math.random().toString(36).slice(2)}.jsonl`);
  const fd = openSync(file, 'w');
  const warnings: string[] = [];
  const out = new ByteOutput(fd);
  let summary: DissectSummary;
  try {
    const w = new JsonlWriter(out);
    summary = await dissectInWorker(capture, { row: (r) => w.line(r), jsonLine: (b, start, end) => out.bytesOf(b, start, end) }, { ports, onWarning: (m: string) => warnings.push(m) }, { jsonShare });
    out.flush();
  } finally {
    closeSync(fd);
  }
  return { text: readFileSync(file), summary, warnings };
}

async function assertSameAsOneThread(capture: string, threads: number, ports: number[] = [], limits?: BatchLimits): Promise<number> {
  const one = await jsonl(capture, 1, ports);
  if (threads === 2 && !limits) {
    // Adaptive, then with the worker writing none, half and all of the rows as JSON itself.
    for (const share of [undefined, 0, 0.5, 1]) {
      const piped = await jsonlPipeline(capture, ports, share);
      assert.ok(piped.text.equals(one.text), `pipeline (share ${share}): ${capture}: the same rows as one thread`);
      assert.deepEqual(piped.summary, one.summary, 'pipeline: the same summary');
      assert.deepEqual([...piped.warnings].sort(), [...one.warnings].sort(), 'pipeline: the same warnings');
    }
  }
  const many = await jsonl(capture, threads, ports, limits);
  const a = one.text.toString('utf8').split('\n');
  const b = many.text.toString('utf8').split('\n');
  const i = a.findIndex((line, k) => line !== b[k]);
  assert.equal(i === -1 && a.length === b.length, true, `first difference at line ${i + 1}:\n  1 thread:  ${a[i]?.slice(0, 300)}\n  ${threads} threads: ${b[i]?.slice(0, 300)}`);
  assert.deepEqual(many.summary, one.summary, 'the merged summary equals the one-thread summary');
  assert.deepEqual([...many.warnings].sort(), [...one.warnings].sort(), 'the same warnings');
  return a.length - 1;
}

test('a generated capture with 600 interleaved connections: 2 and 3 threads write what 1 writes', async () => {
  const capture = join(tmp, 'synth.pcap');
  const stats = generateCapture({ size: 6 << 20, out: capture, seed: 7, concurrency: 150, connections: 600 });
  assert.ok(stats.retransmissions > 0 && stats.outOfOrder > 0 && stats.splitPdus > 0, 'the capture has the hard cases');
  const rows = await assertSameAsOneThread(capture, 2);
  assert.ok(rows > 10_000, `${rows} rows`);
  await assertSameAsOneThread(capture, 3);
});

test('tiny batches, so that rows outgrow them and held-back rows make workers wait: still what 1 thread writes', async () => {
  // Rows of a connection born while another worker is behind are held back; with 1 KB batches
  // and 4 KB of held rows allowed, every flush, growth and wait path runs thousands of times.
  const capture = join(tmp, 'synth-tiny.pcap');
  generateCapture({ size: 3 << 20, out: capture, seed: 11, concurrency: 120, connections: 400 });
  const limits: BatchLimits = { batchBytes: 1024, maxRows: 4, maxHeld: 4096 };
  await assertSameAsOneThread(capture, 2, [], limits);
  await assertSameAsOneThread(capture, 3, [], limits);
});

test('every fixture: 2 threads write what 1 writes', async () => {
  const files: string[] = [];
  for (const dir of readdirSync(fixturesDir, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(fixturesDir, dir.name))) if (/\.pcap(ng)?$/.test(f)) files.push(join(fixturesDir, dir.name, f));
  }
  assert.ok(files.length >= 20, `${files.length} fixtures`);
  for (const f of files) await assertSameAsOneThread(f, 2);
});

if (!hasCorpus) {
  test('corpus: 2 threads write what 1 writes', (t) => t.skip(`../shared/corpus is absent (${corpusDir}): skipped`));
} else {
  test('every corpus capture: 2 threads write what 1 writes', async () => {
    const lines = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n').filter(Boolean).slice(1);
    for (const line of lines) {
      const path = line.split('\t')[0]!;
      const ports = [...line.matchAll(/tcp\.port==(\d+),mqtt/g)].map((m) => Number(m[1]));
      await assertSameAsOneThread(join(corpusDir, path), 2, ports);
    }
  });
}

test('bad input with threads: the same output, stderr line and exit code as one thread', async () => {
  const empty = join(tmp, 'empty.pcap');
  const text = join(tmp, 'text.pcap');
  const cut = join(tmp, 'cut.pcap');
  writeFileSync(empty, '');
  writeFileSync(text, 'hello, not a capture\n');
  writeFileSync(cut, readFileSync(join(fixturesDir, 'lab', 'lab3-qos.pcap')).subarray(0, 3000)); // inside frame 33
  for (const f of [empty, text, cut, join(tmp, 'missing.pcap')]) {
    const one = runCli([f, '--format', 'jsonl', '--jobs', '1']);
    const two = runCli([f, '--format', 'jsonl', '--jobs', '2']);
    assert.equal(two.status, 2, f);
    assert.deepEqual(two, one, f);
    assert.equal(two.stderr.trim().split('\n').length, 1, `one line on stderr: ${two.stderr}`);
  }
});

test('a reader that goes away (| head): the packet list stops early and quietly, on 1 and 2 threads', async () => {
  // A capture big enough that reading all of it would take a while: many times the synthetic one.
  const capture = join(tmp, 'synth-head.pcap');
  generateCapture({ size: 12 << 20, out: capture, seed: 5, concurrency: 100, connections: 300 });
  for (const args of [['--format', 'jsonl', '--jobs', '1'], ['--format', 'jsonl', '--jobs', '2'], ['--no-analysis'], ['-V']]) {
    const r = spawnSync('bash', ['-c', `node "${join(projectRoot, 'bin', 'mqtt-analyze.js')}" "${capture}" ${args.join(' ')} | head -c 300; echo " rc=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    assert.match(r.stdout, / rc=0\n$/, `${args.join(' ')}: exit 0, got ${r.stdout.slice(-20)}`);
    assert.equal(r.stderr, '', `${args.join(' ')}: nothing on stderr`);
  }
});

test('stop: the dissection reads no further than the chunk in which it was told to stop, plain and gzip', async () => {
  const capture = join(tmp, 'synth-stop.pcap');
  generateCapture({ size: 6 << 20, out: capture, seed: 9, concurrency: 100, connections: 300 });
  const gz = capture + '.gz';
  writeFileSync(gz, gzipSync(readFileSync(capture)));
  const full = await dissectCapture(capture, {});
  for (const f of [capture, gz]) {
    const stopped = await dissectCapture(f, {}, { stop: () => true });
    assert.ok(stopped.framesRead > 0 && stopped.framesRead < full.framesRead / 2, `${f}: ${stopped.framesRead} of ${full.framesRead} frames read`);
  }
  // On two threads: an output whose reader is gone ends the run at the first rows, with no summary.
  const out = new ByteOutput(-1);
  out.closed = true;
  assert.equal(await jsonlInParallel(capture, 2, {}, out), null);
});

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // The compiled CLI, as a user runs it (npm test builds it first).
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'mqtt-analyze.js'), ...args], { encoding: 'utf8', cwd: projectRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('jsonlThreads: one thread for stdin, small files and missing files; --jobs wins', () => {
  assert.equal(jsonlThreads('-', 4), 1);
  assert.equal(jsonlThreads(join(fixturesDir, 'lab', 'lab1-pubsub.pcap'), undefined), 1);
  assert.equal(jsonlThreads(join(tmp, 'missing.pcap'), undefined), 1);
  assert.equal(jsonlThreads(join(fixturesDir, 'lab', 'lab1-pubsub.pcap'), 3), 3);
});

// --- the parts, by hand -------------------------------------------------------------------------

function batch(index: number, rows: [number, string][], upTo: number): RowBatch {
  const text = rows.map(([, s]) => s).join('');
  const ends: number[] = [];
  let at = 0;
  for (const [, s] of rows) ends.push((at += s.length));
  return { type: 'rows', index, slot: -1, bytes: Buffer.from(text), frames: Int32Array.from(rows.map(([f]) => f)), ends: Int32Array.from(ends), upTo };
}

test('RowMerger writes rows in frame order and never before a slower worker could precede them', () => {
  const out = new ByteOutput(-1);
  const consumed: number[] = [];
  const m = new RowMerger(2, out, (k) => consumed.push(k));
  const written = () => out.buf.subarray(0, out.pos).toString();
  m.add(batch(0, [[1, 'a1 '], [4, 'a4 '], [9, 'a9 ']], 10));
  assert.equal(written(), '', 'worker 1 has said nothing yet: frame 1 might still be preceded');
  m.add(batch(1, [], 3)); // worker 1 is past frame 2 with no rows: frame 1 can go
  assert.equal(written(), 'a1 ');
  assert.deepEqual(consumed, [1], 'an empty batch is consumed at once');
  m.add(batch(1, [[5, 'b5 '], [6, 'b6 ']], 7));
  assert.equal(written(), 'a1 a4 b5 b6 ');
  m.finish(1);
  assert.equal(written(), 'a1 a4 b5 b6 a9 ');
  m.finish(0);
  assert.equal(m.empty, true);
  assert.deepEqual(consumed, [1, 1, 0]);
});

test('Shard: the two directions of a flow go to one worker; every hash to exactly one', () => {
  const mem = shardMemory(3);
  const shards = [0, 1, 2].map((i) => new Shard(i, 3, mem));
  for (const h of [0, 1, -1, 0x7fffffff, -0x80000000, 123456789, -987654321]) {
    assert.equal(shards.filter((s) => s.owns(h)).length, 1, `hash ${h}`);
  }
});

test('Shard: connection ids follow the frame order of births across workers, settled late when needed', () => {
  // One thread plays both workers.
  const mem = shardMemory(2);
  const a = new Shard(0, 2, mem);
  const b = new Shard(1, 2, mem);
  const conn = () => ({ id: -1 });
  b.passed(3);
  a.passed(4);
  const c3 = conn();
  b.birth(3, c3);
  assert.equal(c3.id, 0, 'b at frame 3, a already past it: settled at once');
  a.passed(5);
  const c5 = conn();
  a.birth(5, c5);
  assert.ok(c5.id >= PROVISIONAL, 'a at frame 5 while b is at 3: provisional');
  const provisional = c5.id;
  b.passed(6);
  assert.equal(c5.id, provisional, 'nothing settles it until a looks again');
  a.passed(6);
  assert.equal(c5.id, 1, 'a at frame 6 sees b past 5: after b at 3');
  assert.equal(a.renames.get(provisional), 1, 'rows written with the provisional id can be patched');
  b.passed(8);
  const c8 = conn();
  b.birth(8, c8);
  assert.ok(c8.id >= PROVISIONAL, 'b at frame 8 while a is at 6');
  let told = -1;
  b.whenNumbered(c8, () => (told = c8.id));
  a.passed(7);
  const c7 = conn();
  a.birth(7, c7);
  assert.equal(c7.id, 2, 'a at 7, b already past it: settled at once, after 3 and 5');
  assert.ok(c8.id >= PROVISIONAL, 'b at 8 has not looked again yet');
  a.passed(9);
  assert.equal(b.resolve(false), true);
  assert.equal(c8.id, 3, 'b at 8: after 3, 5, 7');
  assert.equal(told, 3, 'whenNumbered ran with the settled id');
  a.finish();
  assert.equal(a.progress, END_FRAME);
  const cEnd = conn();
  b.birth(END_FRAME, cEnd);
  assert.equal(cEnd.id, 4, 'a birth of the final flush comes after all others');
});

test('mergeSummaries adds the per-connection counts and keeps the capture-wide ones once', async () => {
  const capture = join(fixturesDir, 'lab', 'lab3-qos.pcap');
  const one = await jsonl(capture, 1);
  const parts = [0, 1].map(() => structuredClone(one.summary));
  // Worker 1 dissected no connection: its per-connection counts are zero.
  const p1 = parts[1]!;
  p1.mqttFrames = p1.pdus = p1.malformedPdus = p1.connections = p1.tlsConnections = p1.defaultVersionConnections = 0;
  p1.skipped = {};
  p1.framingErrors = { 'malformed-length': 0, oversize: 0, 'cut-short': 0 };
  assert.deepEqual(mergeSummaries(parts), one.summary);
});
