// Shared helpers for the capture tests: run the reader and keep copies of what it handed out.

import assert from 'node:assert/strict';
import { CaptureReader } from '../../src/capture/reader.js';
import type { CaptureEnd, Frame } from '../../src/capture/types.js';

export interface FrameCopy {
  no: number;
  tsSec: number;
  tsNsec: number;
  tsDigits: number;
  linkType: number;
  interfaceId: number;
  caplen: number;
  origLen: number;
  data: string; // hex of the captured bytes
}

export function copyFrame(f: Frame): FrameCopy {
  if (f.off < 0 || f.off + f.caplen > f.buf.length) throw new Error(`frame ${f.no} points outside its buffer`);
  return {
    no: f.no,
    tsSec: f.tsSec,
    tsNsec: f.tsNsec,
    tsDigits: f.tsDigits,
    linkType: f.linkType,
    interfaceId: f.interfaceId,
    caplen: f.caplen,
    origLen: f.origLen,
    data: Buffer.from(f.buf.buffer, f.buf.byteOffset + f.off, f.caplen).toString('hex'),
  };
}

/** Pushes `bytes` to a fresh reader in the given pieces (sizes), collecting frames and the end. */
export function readSplit(bytes: Uint8Array, sizes: Iterable<number>): { frames: FrameCopy[]; end: CaptureEnd; warnings: string[] } {
  const frames: FrameCopy[] = [];
  const warnings: string[] = [];
  const r = new CaptureReader((f) => frames.push(copyFrame(f)), (w) => warnings.push(w));
  let p = 0;
  for (const s of sizes) {
    if (p >= bytes.length) break;
    // Each piece is its own copy, so a reader holding on to an old chunk would be caught.
    r.push(Uint8Array.from(bytes.subarray(p, p + s)));
    p += s;
  }
  if (p < bytes.length) r.push(Uint8Array.from(bytes.subarray(p)));
  return { frames, end: r.end(), warnings };
}

export function readAll(bytes: Uint8Array): { frames: FrameCopy[]; end: CaptureEnd; warnings: string[] } {
  return readSplit(bytes, [bytes.length]);
}

/** Chunk sizes all equal to `n`. */
export function* every(n: number): Generator<number> {
  for (;;) yield n;
}

/**
 * End offsets of the units of a capture, found by a walk independent of the reader: for pcap,
 * the file header then each record (16 + caplen); for pcapng, each block by its total length.
 */
export function unitEnds(bytes: Buffer): { format: 'pcap' | 'pcapng'; ends: number[]; packets: number[] } {
  const ends: number[] = [];
  const packets: number[] = []; // ends of units that carry a frame
  const magic = bytes.readUInt32LE(0);
  if (magic === 0x0a0d0d0a) {
    let be = false;
    for (let p = 0; p + 12 <= bytes.length; ) {
      const type = bytes.readUInt32LE(p);
      if (type === 0x0a0d0d0a) be = bytes.readUInt32LE(p + 8) !== 0x1a2b3c4d;
      const t = be ? bytes.readUInt32BE(p) : bytes.readUInt32LE(p);
      const len = be ? bytes.readUInt32BE(p + 4) : bytes.readUInt32LE(p + 4);
      if (p + len > bytes.length) break;
      p += len;
      ends.push(p);
      if (t === 2 || t === 3 || t === 6) packets.push(p);
    }
    return { format: 'pcapng', ends, packets };
  }
  const be = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  ends.push(24);
  for (let p = 24; p + 16 <= bytes.length; ) {
    const caplen = be ? bytes.readUInt32BE(p + 8) : bytes.readUInt32LE(p + 8);
    if (p + 16 + caplen > bytes.length) break;
    p += 16 + caplen;
    ends.push(p);
    packets.push(p);
  }
  return { format: 'pcap', ends, packets };
}

/** Cuts `file` at every offset: never throws, delivers exactly the whole records, ends correctly. */
export function checkEveryCut(file: Buffer, chunk = 4096): void {
  const whole = readAll(file);
  assert.equal(whole.end.status, 'ok');
  const { format, ends, packets } = unitEnds(file);
  assert.equal(ends[ends.length - 1], file.length, 'the walk covers the file');
  for (let k = 0; k <= file.length; k++) {
    const { frames, end } = readSplit(file.subarray(0, k), every(chunk));
    const complete = packets.filter((e) => e <= k).length;
    assert.equal(frames.length, complete, `cut at ${k}`);
    assert.deepEqual(frames, whole.frames.slice(0, complete), `cut at ${k}`);
    if (k < 4) {
      assert.equal(end.status, 'invalid', `cut at ${k}`);
    } else if (ends.includes(k)) {
      assert.deepEqual(end, { status: 'ok', format, frames: complete }, `cut at ${k}`);
    } else {
      assert.equal(end.status, 'truncated', `cut at ${k}`);
      if (end.status !== 'truncated') continue;
      const unitStart = [0, ...ends].filter((e) => e <= k).pop();
      assert.equal(end.offset, unitStart, `cut at ${k}`);
      assert.equal(end.format, format);
      assert.equal(end.frames, complete);
    }
  }
}

