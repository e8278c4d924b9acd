// Normative statements the decoder notes while reading a packet reach the analysis as findings
// of their own, with the severity of a broken MUST, not as a generic "decoder anomaly". Bytes
// built by hand from the spec layouts (real clients do not send these), through the whole
// dissection; a connection whose CONNECT was not captured (its version guessed) gets warnings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dissectCapture, forwardTo } from '../../src/pipeline/dissect.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import type { AnalysisResult } from '../../src/analysis/schema.js';
import { pkt, str, u16 } from '../mqtt/support/bytes.js';
import { buildPcap, type TcpSegment } from '../mqtt/support/pcap.js';

async function analyze(segments: TcpSegment[]): Promise<AnalysisResult> {
  const dir = mkdtempSync(join(tmpdir(), 'notes-'));
  try {
    const path = join(dir, 'c.pcap');
    writeFileSync(path, buildPcap(segments));
    const a = new Analyzer();
    await dissectCapture(path, forwardTo(a));
    return a.result();
  } finally {
    rmSync(dir, { recursive: true });
  }
}

const connect = (flags: number, ...rest: Uint8Array[]) => pkt(0x10, str('MQTT'), [4, flags], u16(60), str('c'), ...rest);

/** Each packet after a normal CONNECT/CONNACK, and the id it must give. */
const CASES: [string, 'c2s' | 's2c', Uint8Array][] = [
  ['no-subscriptions', 'c2s', pkt(0x82, u16(1))],
  ['no-subscriptions', 'c2s', pkt(0xa2, u16(2))],
  ['invalid-return-code', 's2c', pkt(0x90, u16(1), [0x33])],
  ['empty-topic', 'c2s', pkt(0x30, str(''), 'x')],
  ['null-character', 'c2s', pkt(0x30, str([0x61, 0x00, 0x62]), 'x')],
];

test('conformance notes: each breaks a MUST and is reported under its own id as a violation', async () => {
  const segments: TcpSegment[] = [];
  // the CONNECT-level ones, one connection each
  const connects: [string, Uint8Array][] = [
    ['will-flags-without-will', connect(0x02 | 0x08)],
    ['will-flags-without-will', connect(0x02 | 0x20)],
    ['password-without-username', connect(0x02 | 0x40, str('pw'))],
  ];
  connects.forEach(([, p], i) => segments.push({ conv: i, dir: 'c2s', payload: p }, { conv: i, dir: 's2c', payload: pkt(0x20, [0, 0]) }));
  const conv = connects.length;
  segments.push({ conv, dir: 'c2s', payload: connect(0x02) }, { conv, dir: 's2c', payload: pkt(0x20, [0, 0]) });
  for (const [, dir, p] of CASES) segments.push({ conv, dir, payload: p });
  // a 3.1.1 CONNACK with a reserved return code (not first in its direction: these captures
  // have no SYN, and a direction joined mid-way starts at the first plausible header)
  segments.push({ conv, dir: 's2c', payload: pkt(0x20, [0, 6]) });
  const r = await analyze(segments);
  const want = [...connects.map(([id]) => id), ...CASES.map(([id]) => id), 'invalid-return-code'].sort();
  const got = r.findings.filter((f) => want.includes(f.id)).map((f) => f.id).sort();
  assert.deepEqual(got, want);
  for (const f of r.findings.filter((x) => want.includes(x.id))) assert.equal(f.severity, 'violation', `${f.id}: ${f.message}`);
  assert.deepEqual(r.findings.filter((f) => f.id === 'decode-note').map((f) => f.message), []);
});

test('conformance notes: on a connection seen without its CONNECT (version guessed) they are warnings', async () => {
  // Each direction opens with a PINGREQ / PINGRESP, where a capture joined mid-way picks up.
  const opening: TcpSegment[] = [{ conv: 0, dir: 'c2s', payload: pkt(0xc0) }, { conv: 0, dir: 's2c', payload: pkt(0xd0) }];
  const r = await analyze([...opening, ...CASES.map(([, dir, p]) => ({ conv: 0, dir, payload: p }))]);
  const ids = new Set(CASES.map(([id]) => id));
  const found = r.findings.filter((f) => ids.has(f.id));
  assert.equal(found.length, CASES.length);
  for (const f of found) assert.equal(f.severity, 'warning', `${f.id}: ${f.message}`);
});
