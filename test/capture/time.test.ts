// formatRelativeTime: hand-checked values, then tshark itself as the oracle on generated captures
// whose resolutions make rounding vs truncation and negative deltas visible.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/source.js';
import { formatEpochTime, formatRelativeTime, type Timestamp } from '../../src/capture/time.js';
import { ethernetIPv4Tcp, writePcap, writePcapng } from '../support/pcap-writer.js';

test('formatRelativeTime: digits, truncation, borrow, negative deltas', () => {
  const first = { tsSec: 100, tsNsec: 500_000_000 };
  const at = (tsSec: number, tsNsec: number, tsDigits: number) => formatRelativeTime({ tsSec, tsNsec, tsDigits }, first);
  assert.equal(at(100, 500_000_000, 6), '0.000000');
  assert.equal(at(118, 575_869_000, 6), '18.075869');
  assert.equal(at(101, 400_000_001, 9), '0.900000001'); // borrow from the seconds
  assert.equal(at(101, 499_999_999, 3), '0.999'); // truncated, not rounded to 1.000
  assert.equal(at(101, 499_999_999, 0), '0');
  assert.equal(at(100, 400_000_000, 6), '-0.100000');
  assert.equal(at(98, 900_000_000, 6), '-1.600000');
  assert.equal(at(100, 499_990_000, 3), '0.000'); // negative, but zero once truncated: no sign
  assert.equal(formatEpochTime({ tsSec: 1_700_000_000, tsNsec: 5 }, 9), '1700000000.000000005');
});

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
const haveTshark = tshark.status === 0;

test('relative time equals tshark on generated captures (sub-ms resolutions, out-of-order times)', async (t) => {
  if (!haveTshark) return t.skip('tshark is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'capture-time-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = ethernetIPv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5000, dport: 1883 });
  const raw = [1000n, 1999n, 999n, 123_456_789n, 7n, 1_000_000_000_007n];
  const files: string[] = [];
  for (const tsresol of [0, 1, 3, 4, 5, 7, 9, 12, 0x80 | 10, 0x80 | 20, 0x80 | 30]) {
    const p = join(dir, `r${tsresol}.pcapng`);
    writeFileSync(p, writePcapng({ interfaces: [{ linkType: 1, tsresol }], blocks: raw.map((ts) => ({ type: 'epb' as const, ts, data })) }));
    files.push(p);
  }
  const p = join(dir, 'ooo.pcap');
  const times: [number, number][] = [[100, 500_000_000], [100, 400_000_000], [98, 900_000_000], [101, 0], [99, 999_999_000]];
  writeFileSync(p, writePcap(times.map(([tsSec, tsNsec]) => ({ tsSec, tsNsec, data })), { nanos: true }));
  files.push(p);

  for (const file of files) {
    const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Time'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const want = r.stdout.trim().split('\n').map((l) => l.split('\t')[1]);
    const got: string[] = [];
    let first: Timestamp | undefined;
    await readCapture(file, (f) => {
      first ??= { tsSec: f.tsSec, tsNsec: f.tsNsec };
      got.push(formatRelativeTime(f, first));
    });
    assert.deepEqual(got, want, file);
  }
});

test('formatEpochTime: every resolution, any seconds order, equals the plain digit-string definition', () => {
  // The definition: whole seconds, a point, then the first `digits` digits of the 9-digit
  // nanosecond fraction (truncated). Seconds go back and forth so a cached prefix cannot leak.
  let x = 12345;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 20000; i++) {
    const tsSec = i % 7 === 0 ? next() : 1_700_000_000 + (next() % 3);
    const tsNsec = next() % 1_000_000_000;
    const digits = i % 10;
    const nine = String(tsNsec).padStart(9, '0');
    const want = digits === 0 ? String(tsSec) : `${tsSec}.${nine.slice(0, digits)}`;
    assert.equal(formatEpochTime({ tsSec, tsNsec }, digits), want);
  }
});
