// The benchmark runner's arithmetic and reports, and the record walk it uses as a floor.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ratios, smallerSize, table, type Measurement } from '../../bench/bench.js';
import { summarize } from '../../bench/profile.js';
import { generateCapture } from '../../bench/generate.js';

function m(name: string, wallSeconds: number, peakRssMb: number, ok = true, cpuSeconds = NaN): Measurement {
  return { name, command: name, capture: 'F', ok, wallSeconds, peakRssMb, cpuSeconds, frames: 1_000_000, bytes: 200_000_000, ...(ok ? {} : { note: 'skipped: x' }) };
}

test('table: frames/s and MB/s from the wall time; failed runs show their note', () => {
  const out = table([m('list', 2, 80, true, 3.5), m('check', NaN, NaN, false)]).split('\n');
  assert.equal(out.length, 4);
  // 1e6 frames / 2 s; 200 MB / 2 s; CPU time as measured.
  assert.match(out[2]!, /\| list \| `list` \| 2\.00 \| 3\.50 \| 500,000 \| 100\.0 \| 80 \|/);
  assert.match(out[3]!, /skipped: x/);
});

test('ratios: speed-up against tshark and the targets (10x list, 20x check, RSS < 200 MB)', () => {
  const lines = ratios([m('list', 7, 90), m('check', 4, 250), m('tshark', 70, 3300), m('walk', 1, 40)]);
  assert.match(lines[0]!, /^- list: 10\.0x faster than tshark \(target >= 10x: PASS\).*target < 200: PASS/);
  assert.match(lines[1]!, /^- check: 17\.5x faster than tshark \(target >= 20x: FAIL\).*target < 200: FAIL/);
  assert.match(lines[2]!, /record walk alone takes 14% of the one-thread packet list's time/);
  // With a one-thread list measured, the shares are of its time (two threads overlap the work).
  const shares = ratios([m('list', 7, 90), m('list-1-thread', 10, 90), m('walk', 1, 40), m('dissect', 6, 90), m('tshark', 70, 3300)]);
  assert.deepEqual(shares.slice(-2), [
    "- the record walk alone takes 10% of the one-thread packet list's time",
    '- dissecting without rendering takes 60% of it; the JSON output the rest',
  ]);
  assert.match(ratios([m('list', 7, 90)])[0]!, /no tshark run/);
});

test('ratios: the bound CPU time puts on the wall time, for the cores given', () => {
  // 12 CPU-s on 2 cores cannot take less than 6 s: at most 60 / 6 = 10x tshark.
  const lines = ratios([m('check', 8, 150, true, 12), m('tshark', 60, 3000)], 2).slice(1); // after "list: not measured"
  assert.match(lines[0]!, /^- check: 7\.5x faster than tshark/);
  assert.equal(lines[1], '  - its 12.00 CPU-s on 2 core(s) take at least 6.00 s: at most 10.0x tshark with this much work, perfectly spread');
  // On 4 cores the same work could end in 3 s.
  assert.match(ratios([m('check', 8, 150, true, 12), m('tshark', 60, 3000)], 4)[2]!, /at least 3\.00 s: at most 20\.0x/);
  // Unknown CPU time (no GNU time): no bound claimed.
  assert.equal(ratios([m('check', 8, 150), m('tshark', 60, 3000)], 2).length, 2);
});

test('profile summary: self time per function and per file from the samples', () => {
  const root = '/repo';
  const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });
  const profile = {
    startTime: 0,
    endTime: 1_000_000,
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('push', 'file:///repo/dist/src/capture/reader.js', 9) },
      { id: 3, callFrame: frame('decode', 'file:///repo/dist/src/mqtt/decode.js', 19) },
      { id: 4, callFrame: frame('decode', 'file:///repo/dist/src/mqtt/decode.js', 19) },
      { id: 5, callFrame: frame('(garbage collector)', '') },
    ],
    // 10 samples: 3 in push, 2 + 3 in decode (two call sites), 2 in GC; 100 µs each.
    samples: [2, 2, 2, 3, 3, 4, 4, 4, 5, 5],
    timeDeltas: Array(10).fill(100),
  };
  const s = summarize(profile, root);
  assert.deepEqual(
    s.functions.map((h) => [h.where, Math.round(h.selfPercent)]),
    [
      ['src/mqtt/decode.ts:decode:20', 50],
      ['src/capture/reader.ts:push:10', 30],
      ['(garbage collector)', 20],
    ],
  );
  assert.deepEqual(s.files[0], { where: 'src/mqtt/decode.ts', selfPercent: 50 });
  assert.equal(s.totalMs, 1000);
});

test('the record walk counts every frame the generator wrote', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-bench-walk-'));
  try {
    const path = join(dir, 'w.pcap');
    const stats = generateCapture({ size: 500_000, out: path, concurrency: 10 });
    const walk = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'bench', 'walk.' + (import.meta.url.endsWith('.ts') ? 'ts' : 'js'));
    const args = import.meta.url.endsWith('.ts') ? ['--import', 'tsx', walk, path] : [walk, path];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [frames, status] = r.stdout.trim().split(' ');
    assert.equal(Number(frames), stats.frames);
    assert.equal(status, 'ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('memory comparison size: the largest of 1g/100m/10m/1m at most a tenth of the capture', () => {
  assert.equal(smallerSize(1024 ** 3), 100 * 1024 ** 2);
  assert.equal(smallerSize(100 * 1024 ** 2), 10 * 1024 ** 2);
  assert.equal(smallerSize(10 * 1024 ** 2), 1024 ** 2);
  assert.equal(smallerSize(5 * 1024 ** 2), null);
});
