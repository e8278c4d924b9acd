// Drivers: files (plain and gzip), streams, stdin, open errors. The frames a driver delivers must
// equal what the bare reader gives for the same (decompressed) bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { CaptureOpenError, readCapture, readCaptureBytes, readCaptureStream } from '../../src/capture/source.js';
import { ethernetIPv4Tcp, writePcap, writePcapng } from '../support/pcap-writer.js';
import { copyFrame, readAll, type FrameCopy } from './collect.js';

const dir = mkdtempSync(join(tmpdir(), 'capture-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function packets(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    tsSec: 1_600_000_000 + i,
    tsNsec: i * 1000,
    data: ethernetIPv4Tcp({ src: '10.1.1.1', dst: '10.1.1.2', sport: 1000 + i, dport: 1883, payload: Buffer.alloc(i % 50, i) }),
  }));
}

const pcap = writePcap(packets(300));
const pcapng = writePcapng([
  { interfaces: [{ linkType: 1, tsresol: 9 }], blocks: packets(100).map((p) => ({ type: 'epb' as const, ...p })) },
  { bigEndian: true, interfaces: [{ linkType: 113 }], blocks: packets(50).map((p) => ({ type: 'epb' as const, ...p })) },
]);

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function collect(path: string, chunkSize?: number) {
  const frames: FrameCopy[] = [];
  const progress: [number, number | undefined][] = [];
  const end = await readCapture(path, (f) => frames.push(copyFrame(f)), {
    chunkSize,
    onProgress: (a, b) => progress.push([a, b]),
  });
  return { frames, end, progress };
}

for (const [name, bytes] of [['pcap', pcap], ['pcapng', pcapng]] as const) {
  test(`readCapture: a plain ${name} file, small and default chunks`, async () => {
    const want = readAll(bytes);
    assert.equal(want.end.status, 'ok');
    const p = file(`plain.${name}`, bytes);
    for (const chunk of [undefined, 1000, 7]) {
      const got = await collect(p, chunk);
      assert.deepEqual(got.frames, want.frames);
      assert.deepEqual(got.end, { ...want.end, bytes: bytes.length });
      assert.deepEqual(got.progress[got.progress.length - 1], [bytes.length, bytes.length]);
      for (let i = 1; i < got.progress.length; i++) assert.ok(got.progress[i]![0] > got.progress[i - 1]![0]);
    }
  });

  test(`readCapture: a gzip-compressed ${name} (.gz), whole and cut short`, async () => {
    const want = readAll(bytes);
    const gz = gzipSync(bytes);
    const got = await collect(file(`c.${name}.gz`, gz), 4096);
    assert.deepEqual(got.frames, want.frames);
    assert.deepEqual(got.end, { ...want.end, bytes: gz.length });
    assert.equal(got.progress[got.progress.length - 1]![1], gz.length);

    // A cut gzip stream: never an exception, a truncated end, and only frames of the original.
    const early = await collect(file(`early.${name}.gz`, gz.subarray(0, 10)));
    assert.equal(early.end.status, 'invalid'); // only the gzip header: no format to speak of
    assert.match((early.end as { reason: string }).reason, /gzip stream ends early/);
    for (const cut of [Math.floor(gz.length / 3), gz.length - 5]) {
      const part = gz.subarray(0, cut);
      const r = await collect(file(`cut${cut}.${name}.gz`, part), 512);
      assert.equal(r.end.status, 'truncated', `cut at ${cut}`);
      assert.ok(r.frames.length < want.frames.length);
      assert.deepEqual(r.frames, want.frames.slice(0, r.frames.length));
      const m = readCaptureBytes(part, () => {});
      assert.equal(m.status, 'truncated');
    }
  });

  test(`readCaptureStream: a ${name} from a Readable, plain and gzip`, async () => {
    const want = readAll(bytes);
    for (const data of [bytes, gzipSync(bytes)]) {
      const pieces = [data.subarray(0, 1), data.subarray(1, 3), data.subarray(3, 1000), data.subarray(1000)];
      const frames: FrameCopy[] = [];
      const end = await readCaptureStream(Readable.from(pieces), (f) => frames.push(copyFrame(f)));
      assert.deepEqual(frames, want.frames);
      assert.deepEqual(end, { ...want.end, bytes: data.length });
    }
  });
}

test('readCaptureBytes: plain and gzip in memory', () => {
  const want = readAll(pcapng);
  for (const data of [pcapng, gzipSync(pcapng)]) {
    const frames: FrameCopy[] = [];
    const end = readCaptureBytes(data, (f) => frames.push(copyFrame(f)));
    assert.deepEqual(frames, want.frames);
    assert.equal(end.status, 'ok');
  }
});

test('corrupt gzip data is a returned end, not an exception', async () => {
  const gz = gzipSync(pcap);
  const bad = Buffer.from(gz);
  for (let i = 20; i < 60; i++) bad[i] ^= 0x5a;
  const r = await collect(file('bad.pcap.gz', bad));
  assert.ok(r.end.status === 'invalid' || r.end.status === 'truncated', r.end.status);
});

test('an empty file is an invalid end', async () => {
  const r = await collect(file('empty.pcap', new Uint8Array(0)));
  assert.deepEqual(r.end, { status: 'invalid', frames: 0, offset: 0, reason: 'empty file', bytes: 0 });
});

test('missing file and directory reject with CaptureOpenError', async () => {
  await assert.rejects(readCapture(join(dir, 'nope.pcap'), () => {}), (e: unknown) => {
    assert.ok(e instanceof CaptureOpenError);
    assert.equal(e.code, 'ENOENT');
    assert.ok(e.message.includes('nope.pcap'));
    return true;
  });
  await assert.rejects(readCapture(dir, () => {}), (e: unknown) => e instanceof CaptureOpenError && e.code === 'EISDIR');
});

test("readCapture('-') reads stdin (child process), plain and gzip", () => {
  const script = join(dir, 'stdin-reader.mts');
  const src = resolve('src/capture/source.ts');
  writeFileSync(
    script,
    `import { readCapture } from ${JSON.stringify(src)};\n` +
      `let n = 0, last = '';\n` +
      `const end = await readCapture('-', (f) => { n++; last = f.tsSec + '.' + f.tsNsec + '/' + f.caplen; });\n` +
      `process.stdout.write(JSON.stringify({ n, last, end }));\n`,
  );
  const want = readAll(pcap);
  const lastFrame = want.frames[want.frames.length - 1]!;
  for (const input of [pcap, gzipSync(pcap)]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { input, cwd: process.cwd(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.n, 300);
    assert.equal(out.last, `${lastFrame.tsSec}.${lastFrame.tsNsec}/${lastFrame.caplen}`);
    assert.deepEqual(out.end, { ...want.end, bytes: input.length });
  }
});
