// Oracles from outside this project:
//  - pcap-parser (npm) must read the same records from every classic pcap we have;
//  - tshark's packet list (F.tshark.txt, second column) must equal our relative Time column.
// Inputs: fixtures/ (made by the fixtures engineer) and /work/shared/corpus (skipped when absent).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readCapture } from '../../src/capture/source.js';
import { formatRelativeTime, type Timestamp } from '../../src/capture/time.js';
import { copyFrame, type FrameCopy } from './collect.js';

const corpus = join(process.cwd(), '..', 'shared', 'corpus');
const fixtures = join(process.cwd(), 'fixtures');

interface PcapParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
interface PcapParser {
  on(ev: 'packet', cb: (p: PcapParserPacket) => void): void;
  on(ev: 'end', cb: () => void): void;
  on(ev: 'error', cb: (e: Error) => void): void;
}
const pcapp = createRequire(import.meta.url)('pcap-parser') as { parse(input: NodeJS.ReadableStream): PcapParser };

/** All capture files under a folder, by content (file names lie): classic pcap or pcapng. */
function captures(root: string): { path: string; format: 'pcap' | 'pcapng' }[] {
  const out: { path: string; format: 'pcap' | 'pcapng' }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && statSync(p).size >= 24) {
        const m = readFileSync(p).subarray(0, 4).toString('hex');
        if (['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', 'a1b23c4d'].includes(m)) out.push({ path: p, format: 'pcap' });
        else if (m === '0a0d0d0a') out.push({ path: p, format: 'pcapng' });
      }
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

async function ours(path: string): Promise<FrameCopy[]> {
  const frames: FrameCopy[] = [];
  const end = await readCapture(path, (f) => frames.push(copyFrame(f)));
  assert.equal(end.status, 'ok', `${path}: ${JSON.stringify(end)}`);
  return frames;
}

/** pcap-parser knows only the µs magics: for ns files we hand it the µs magic and read its "µs" field as ns. */
function theirs(path: string): Promise<{ tsSec: number; tsNsec: number; caplen: number; origLen: number; data: string }[]> {
  const bytes = Buffer.from(readFileSync(path));
  const m = bytes.subarray(0, 4).toString('hex');
  const nanos = m === '4d3cb2a1' || m === 'a1b23c4d';
  if (m === '4d3cb2a1') bytes.write('d4c3b2a1', 0, 'hex');
  if (m === 'a1b23c4d') bytes.write('a1b2c3d4', 0, 'hex');
  return new Promise((resolve, reject) => {
    const out: { tsSec: number; tsNsec: number; caplen: number; origLen: number; data: string }[] = [];
    const p = pcapp.parse(Readable.from([bytes]));
    p.on('packet', (k) =>
      out.push({
        tsSec: k.header.timestampSeconds,
        tsNsec: nanos ? k.header.timestampMicroseconds : k.header.timestampMicroseconds * 1000,
        caplen: k.header.capturedLength,
        origLen: k.header.originalLength,
        data: k.data.toString('hex'),
      }),
    );
    p.on('error', reject);
    p.on('end', () => resolve(out));
  });
}

async function compareWithPcapParser(path: string): Promise<void> {
  const a = await ours(path);
  const b = await theirs(path);
  assert.equal(a.length, b.length, `${path}: frame count`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    assert.deepEqual({ tsSec: x.tsSec, tsNsec: x.tsNsec, caplen: x.caplen, origLen: x.origLen, data: x.data }, b[i], `${path}: frame ${i + 1}`);
  }
}

/** frame number → Time column of tshark's packet list. */
function tsharkTimes(txt: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of readFileSync(txt, 'utf8').split('\n')) {
    const r = /^\s*(\d+)\s+(-?\d+(?:\.\d+)?)\s/.exec(line);
    if (r) m.set(Number(r[1]), r[2]!);
  }
  return m;
}

async function compareWithTshark(path: string, txt: string): Promise<number> {
  const want = tsharkTimes(txt);
  let first: Timestamp | undefined;
  let checked = 0;
  const mismatches: string[] = [];
  await readCapture(path, (f) => {
    first ??= { tsSec: f.tsSec, tsNsec: f.tsNsec };
    const w = want.get(f.no);
    if (w === undefined) return;
    checked++;
    const got = formatRelativeTime(f, first);
    if (got !== w && mismatches.length < 5) mismatches.push(`frame ${f.no}: ours ${got}, tshark ${w}`);
  });
  assert.deepEqual(mismatches, [], path);
  assert.equal(checked, want.size, `${path}: every frame tshark lists was read`);
  return checked;
}

test('pcap-parser agrees on every classic pcap in fixtures/', async (t) => {
  const files = captures(fixtures).filter((c) => c.format === 'pcap');
  if (files.length === 0) return t.skip('no classic pcap in fixtures/ yet');
  for (const f of files) await compareWithPcapParser(f.path);
});

test('pcap-parser agrees on every classic pcap of the shared corpus', async (t) => {
  if (!existsSync(corpus)) return t.skip('../shared/corpus is absent');
  const files = captures(corpus).filter((c) => c.format === 'pcap');
  assert.ok(files.length > 0);
  for (const f of files) await compareWithPcapParser(f.path);
  t.diagnostic(`classic pcaps compared: ${files.length}`);
});

test("relative Time equals tshark's packet list: shared corpus, pcap and pcapng", async (t) => {
  if (!existsSync(corpus)) return t.skip('../shared/corpus is absent');
  const seen = { pcap: 0, pcapng: 0 };
  for (const c of captures(corpus)) {
    const txt = `${c.path}.tshark.txt`;
    if (!existsSync(txt)) continue;
    if ((await compareWithTshark(c.path, txt)) > 0) seen[c.format]++;
  }
  assert.ok(seen.pcap >= 3 && seen.pcapng >= 3, JSON.stringify(seen));
  t.diagnostic(`captures compared with tshark: ${JSON.stringify(seen)}`);
});

test("relative Time equals tshark's packet list: fixtures/", async (t) => {
  const files = captures(fixtures).filter((c) => existsSync(`${c.path}.tshark.txt`));
  if (files.length === 0) return t.skip('no fixtures with .tshark.txt yet');
  for (const c of files) await compareWithTshark(c.path, `${c.path}.tshark.txt`);
});
