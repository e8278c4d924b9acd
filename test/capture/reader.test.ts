// CaptureReader: formats, edge cases, chunking, truncation and fuzzing. Expected values come from
// how each input was built (the writer's arguments) or from the pcap/pcapng specs' arithmetic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureReader, MAX_RECORD } from '../../src/capture/reader.js';
import type { Frame } from '../../src/capture/types.js';
import {
  LINKTYPE,
  PcapWriter,
  ethernetIPv4Tcp,
  sllIPv6Tcp,
  writePcap,
  writePcapng,
  type PcapngSection,
} from '../support/pcap-writer.js';
import { checkEveryCut, every, readAll, readSplit } from './collect.js';

const seg = { src: '192.0.2.1', dst: '192.0.2.2', sport: 40000, dport: 1883, seq: 1000, ack: 1, payload: Buffer.from([0xc0, 0x00]) };
const pkt = ethernetIPv4Tcp(seg);
const pkt6 = sllIPv6Tcp({ ...seg, src: '2001:db8::1', dst: '2001:db8::2' });

const classicCases = [
  { nanos: false, bigEndian: false, magic: 'd4c3b2a1' },
  { nanos: false, bigEndian: true, magic: 'a1b2c3d4' },
  { nanos: true, bigEndian: false, magic: '4d3cb2a1' },
  { nanos: true, bigEndian: true, magic: 'a1b23c4d' },
];

for (const c of classicCases) {
  test(`classic pcap, ${c.nanos ? 'ns' : 'µs'}, ${c.bigEndian ? 'big' : 'little'}-endian (magic ${c.magic})`, () => {
    const recs = [
      { tsSec: 1_700_000_000, tsNsec: 123_456_789, data: pkt },
      { tsSec: 1_700_000_001, tsNsec: 0, data: pkt6.subarray(0, 40), origLen: pkt6.length }, // snapped
      { tsSec: 4_000_000_000, tsNsec: 999_999_999, data: new Uint8Array(0), origLen: 60 }, // empty record, tsSec > 2^31
    ];
    const file = writePcap(recs, { nanos: c.nanos, bigEndian: c.bigEndian, linkType: LINKTYPE.LINUX_SLL });
    assert.equal(file.subarray(0, 4).toString('hex'), c.magic);
    const { frames, end, warnings } = readAll(file);
    assert.deepEqual(end, { status: 'ok', format: 'pcap', frames: 3 });
    assert.deepEqual(warnings, []);
    assert.deepEqual(frames.map((f) => f.no), [1, 2, 3]);
    // µs files can only hold the µs part of the written time.
    assert.deepEqual(frames.map((f) => [f.tsSec, f.tsNsec]), [
      [1_700_000_000, c.nanos ? 123_456_789 : 123_456_000],
      [1_700_000_001, 0],
      [4_000_000_000, c.nanos ? 999_999_999 : 999_999_000],
    ]);
    for (const f of frames) {
      assert.equal(f.tsDigits, c.nanos ? 9 : 6);
      assert.equal(f.linkType, LINKTYPE.LINUX_SLL);
      assert.equal(f.interfaceId, 0);
    }
    assert.deepEqual(frames.map((f) => [f.caplen, f.origLen]), [[pkt.length, pkt.length], [40, pkt6.length], [0, 60]]);
    assert.equal(frames[0]!.data, pkt.toString('hex'));
    assert.equal(frames[1]!.data, pkt6.subarray(0, 40).toString('hex'));
  });
}

test('classic pcap: FCS/reserved bits above the link type are masked off', () => {
  // pcap draft §4: the upper 4 bits give the FCS length, bit 28 says they are present.
  const file = writePcap([{ tsSec: 1, tsNsec: 0, data: pkt }], { linkType: LINKTYPE.ETHERNET, linkTypeHighBits: 0x1400 });
  assert.equal(file.readUInt32LE(20), 0x14000001);
  const { frames } = readAll(file);
  assert.equal(frames[0]!.linkType, 1);
});

test('classic pcap: a header-only file is ok with 0 frames; other versions only warn', () => {
  assert.deepEqual(readAll(writePcap([])).end, { status: 'ok', format: 'pcap', frames: 0 });
  const file = writePcap([{ tsSec: 1, tsNsec: 0, data: pkt }]);
  file.writeUInt16LE(3, 6); // minor version 3
  const { end, warnings } = readAll(file);
  assert.equal(end.status, 'ok');
  assert.equal(warnings.length, 1);
});

test('one Frame object is reused, and a record inside the chunk is handed out without a copy', () => {
  const file = writePcap([
    { tsSec: 1, tsNsec: 0, data: pkt },
    { tsSec: 2, tsNsec: 0, data: pkt },
  ]);
  const seen: Frame[] = [];
  const bufs: Uint8Array[] = [];
  const r = new CaptureReader((f) => {
    seen.push(f);
    bufs.push(f.buf);
  });
  r.push(file);
  r.end();
  assert.equal(seen.length, 2);
  assert.equal(seen[0], seen[1]);
  // No copy: both frames view the chunk's own memory (as a plain Uint8Array, not a Buffer).
  for (const b of bufs) {
    assert.equal(b.buffer, file.buffer);
    assert.equal(b.byteOffset, file.byteOffset);
    assert.equal(b.length, file.length);
  }
});

// pcapng --------------------------------------------------------------------------------------

const tiny = Buffer.from('0123456789abcdefghij', 'latin1');

/** Two sections in different byte orders, several interfaces and resolutions, every packet block kind. */
function multiSection(): { file: Buffer; sections: PcapngSection[] } {
  const sections: PcapngSection[] = [
    {
      bigEndian: false,
      interfaces: [
        { linkType: LINKTYPE.ETHERNET, tsresol: 9 },
        { linkType: LINKTYPE.LINUX_SLL, tsresol: 0x80 | 10 },
        { linkType: LINKTYPE.RAW, tsresol: 3 },
        { linkType: 147 /* a USER link type: passed through */, tsoffset: 1000 },
      ],
      blocks: [
        { type: 'epb', interfaceId: 0, ts: 1_700_000_000_123_456_789n, data: pkt },
        { type: 'raw', blockType: 0x0bad0001, body: Buffer.from('unknown block, skipped') },
        { type: 'epb', interfaceId: 1, ts: 1025n, data: pkt6 }, // 1 + 1/1024 s
        { type: 'raw', blockType: 4, body: Buffer.from([1, 0, 4, 0, 192, 0, 2, 1, 0x61, 0, 0, 0, 0, 0, 0, 0]) }, // NRB
        { type: 'epb', interfaceId: 2, tsSec: 1_700_000_002, tsNsec: 987_654_321, data: tiny }, // ms: truncated
        { type: 'pb', interfaceId: 1, ts: 3n * 1024n + 256n, data: tiny, origLen: 100 },
        { type: 'epb', interfaceId: 3, ts: 5_000_001n, data: tiny }, // µs + 1000 s offset
        { type: 'raw', blockType: 5, body: Buffer.alloc(12) }, // ISB
      ],
    },
    {
      bigEndian: true,
      interfaces: [
        { linkType: LINKTYPE.LINUX_SLL2, snaplen: 8 },
        { linkType: LINKTYPE.NULL, tsresol: 0x80 | 30 }, // 2^-30: beyond the fast paths
        { linkType: LINKTYPE.IPV4, tsresol: 10 }, // 10^-10
        { linkType: LINKTYPE.IPV6, tsresol: 12 }, // 10^-12
      ],
      blocks: [
        { type: 'spb', data: tiny.subarray(0, 8), origLen: 20 }, // cut to iface 0's snaplen
        { type: 'epb', interfaceId: 1, ts: (3n << 30n) + (1n << 29n), data: tiny },
        { type: 'epb', interfaceId: 2, ts: 12_345_678_901n, data: tiny },
        { type: 'epb', interfaceId: 3, ts: 1_500_000_000_001n, data: tiny },
        { type: 'raw', blockType: 0x0a, body: Buffer.alloc(8) }, // DSB
        { type: 'spb', data: tiny.subarray(0, 3), origLen: 3 }, // shorter than the snaplen
      ],
    },
  ];
  return { file: writePcapng(sections), sections };
}

test('pcapng: sections in both byte orders, interfaces, resolutions, EPB/PB/SPB, skipped blocks', () => {
  const { file } = multiSection();
  const { frames, end, warnings } = readAll(file);
  assert.deepEqual(warnings, []);
  assert.deepEqual(end, { status: 'ok', format: 'pcapng', frames: 10 });
  const got = frames.map((f) => [f.no, f.interfaceId, f.linkType, f.tsSec, f.tsNsec, f.tsDigits, f.caplen, f.origLen]);
  assert.deepEqual(got, [
    [1, 0, 1, 1_700_000_000, 123_456_789, 9, pkt.length, pkt.length],
    [2, 1, 113, 1, 976_562, 3, pkt6.length, pkt6.length], // floor(1e9/1024); 2^-10 shows ms (tshark bucket)
    [3, 2, 101, 1_700_000_002, 987_000_000, 3, 20, 20],
    [4, 1, 113, 3, 250_000_000, 3, 20, 100],
    [5, 3, 147, 1005, 1000, 6, 20, 20],
    [6, 0, 276, 0, 0, 6, 8, 20],
    [7, 1, 0, 3, 500_000_000, 9, 20, 20],
    [8, 2, 228, 1, 234_567_890, 9, 20, 20],
    [9, 3, 229, 1, 500_000_000, 9, 20, 20], // 1 ps is below a ns: dropped
    [10, 0, 276, 0, 0, 6, 3, 3],
  ]);
  assert.equal(frames[0]!.data, pkt.toString('hex'));
  assert.equal(frames[5]!.data, tiny.subarray(0, 8).toString('hex'));
  assert.equal(frames[9]!.data, tiny.subarray(0, 3).toString('hex'));
});

test('pcapng: big-endian section first, then a little-endian one', () => {
  const s = (be: boolean, lt: number): PcapngSection => ({
    bigEndian: be,
    interfaces: [{ linkType: lt }],
    blocks: [{ type: 'epb', tsSec: 10, tsNsec: 5000, data: pkt }],
  });
  const { frames, end } = readAll(writePcapng([s(true, 1), s(false, 113)]));
  assert.equal(end.status, 'ok');
  assert.deepEqual(frames.map((f) => [f.no, f.linkType, f.tsSec, f.tsNsec]), [[1, 1, 10, 5000], [2, 113, 10, 5000]]);
});

// Invalid and broken files ---------------------------------------------------------------------

function endOf(bytes: Uint8Array) {
  return readAll(bytes).end;
}

test('invalid: empty, too short, not a capture, gzip handed to the bare reader', () => {
  assert.deepEqual(endOf(new Uint8Array(0)), { status: 'invalid', frames: 0, offset: 0, reason: 'empty file' });
  assert.equal(endOf(Uint8Array.of(0xd4, 0xc3)).status, 'invalid');
  const http = endOf(Buffer.from('GET / HTTP/1.1\r\n'));
  assert.equal(http.status, 'invalid');
  assert.equal((http as { reason: string }).reason, 'not a pcap or pcapng capture (starts with 47 45 54 20)');
  assert.equal(endOf(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0)).status, 'invalid');
});

test('invalid: a pcap record with caplen above snaplen, after delivering the records before it', () => {
  const w = new PcapWriter({ snaplen: 100 });
  const file = Buffer.concat([w.header(), w.record(1, 0, pkt), w.record(2, 0, Buffer.alloc(101)), w.record(3, 0, pkt)]);
  const { frames, end } = readAll(file);
  assert.equal(frames.length, 1);
  assert.equal(end.status, 'invalid');
  assert.equal((end as { offset: number }).offset, 24 + 16 + pkt.length);
  // Same verdict when the bad header straddles chunks.
  assert.deepEqual(readSplit(file, every(7)).end, end);
});

test('invalid: an absurd caplen with snaplen 0 (unlimited) is still refused, not allocated', () => {
  const w = new PcapWriter({ snaplen: 0 });
  const rec = w.record(1, 0, pkt);
  rec.writeUInt32LE(MAX_RECORD + 1, 8);
  const end = endOf(Buffer.concat([w.header(), rec]));
  assert.equal(end.status, 'invalid');
  assert.equal((end as { offset: number }).offset, 24);
});

function pcapngWith(blocks: PcapngSection['blocks']): Buffer {
  return writePcapng({ interfaces: [{ linkType: 1 }], blocks });
}

test('invalid pcapng: impossible block lengths, mismatched trailer, unknown interface, oversize caplen, bad BOM', () => {
  const ok = pcapngWith([{ type: 'epb', tsSec: 1, tsNsec: 0, data: tiny }]);
  const shbIdb = 28 + 20; // SHB (no options) + IDB (no options)
  const epbAt = shbIdb;

  const mutate = (f: (b: Buffer) => void) => {
    const b = Buffer.from(ok);
    f(b);
    return readAll(b);
  };
  for (const len of [8, 13, 0xfffffff0]) {
    const r = mutate((b) => b.writeUInt32LE(len, epbAt + 4));
    assert.equal(r.end.status, 'invalid', `block length ${len}`);
    assert.equal((r.end as { offset: number }).offset, epbAt);
  }
  let r = mutate((b) => b.writeUInt32LE(999, b.length - 4));
  assert.equal(r.end.status, 'invalid');
  assert.match((r.end as { reason: string }).reason, /trailing length/);
  r = mutate((b) => b.writeUInt32LE(1, epbAt + 8)); // interface 1 of 1
  assert.equal(r.end.status, 'invalid');
  assert.match((r.end as { reason: string }).reason, /interface 1/);
  r = mutate((b) => b.writeUInt32LE(21, epbAt + 20)); // caplen beyond the 20 data bytes
  assert.equal(r.end.status, 'invalid');
  r = mutate((b) => b.writeUInt32LE(0x11223344, 8)); // byte-order magic
  assert.equal(r.end.status, 'invalid');
  assert.equal((r.end as { offset: number }).offset, 8);
  assert.equal(r.frames.length, 0);
});

test('pcapng: an SPB before any IDB is invalid (it needs interface 0)', () => {
  const file = writePcapng({ interfaces: [], blocks: [{ type: 'spb', data: tiny }] });
  assert.equal(endOf(file).status, 'invalid');
});

// Chunking ------------------------------------------------------------------------------------

const chunkFiles: [string, Buffer][] = [
  ['pcapng multi-section', multiSection().file],
  ['pcap ns big-endian', writePcap(
    [1, 2, 3, 4, 5].map((i) => ({ tsSec: i, tsNsec: i * 7, data: pkt.subarray(0, i * 11) })),
    { nanos: true, bigEndian: true },
  )],
];

for (const [name, file] of chunkFiles) {
  test(`chunk-boundary independence: ${name}, every chunk size 1..${file.length}`, () => {
    const whole = readAll(file);
    assert.equal(whole.end.status, 'ok');
    for (let s = 1; s <= file.length; s++) {
      const split = readSplit(file, every(s));
      assert.deepEqual(split.frames, whole.frames, `chunk size ${s}`);
      assert.deepEqual(split.end, whole.end, `chunk size ${s}`);
    }
  });

  test(`chunk-boundary independence: ${name}, random splits`, () => {
    const whole = readAll(file);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), (sizes) => {
        const split = readSplit(file, sizes);
        assert.deepEqual(split.frames, whole.frames);
        assert.deepEqual(split.end, whole.end);
      }),
      { numRuns: 300 },
    );
  });
}

// Truncation ----------------------------------------------------------------------------------

test('truncation at every byte offset: generated pcapng and pcap', () => {
  for (const [, file] of chunkFiles) {
    checkEveryCut(file, 4096);
    checkEveryCut(file, 13);
  }
});

test('truncation reasons say header or record', () => {
  const file = writePcap([{ tsSec: 1, tsNsec: 0, data: pkt }]);
  const inHeader = readAll(file.subarray(0, 24 + 10)).end;
  const inData = readAll(file.subarray(0, 24 + 20)).end;
  const inFileHeader = readAll(file.subarray(0, 10)).end;
  assert.match((inHeader as { reason: string }).reason, /record header/);
  assert.match((inData as { reason: string }).reason, /inside the record of frame 1/);
  assert.match((inFileHeader as { reason: string }).reason, /file header/);
});

// Fuzzing -------------------------------------------------------------------------------------

function survives(bytes: Uint8Array, sizes: number[]): void {
  let count = 0;
  const r = new CaptureReader((f) => {
    count++;
    assert.equal(f.no, count);
    assert.ok(f.off >= 0 && f.off + f.caplen <= f.buf.length, 'frame inside its buffer');
    assert.ok(f.tsNsec >= 0 && f.tsNsec < 1e9 && Number.isInteger(f.tsNsec), 'ns in range');
  });
  let p = 0;
  for (const s of sizes) {
    r.push(bytes.subarray(p, p + s));
    p += s;
  }
  r.push(bytes.subarray(p));
  const end = r.end();
  assert.equal(end.frames, count);
  assert.ok(['ok', 'truncated', 'invalid'].includes(end.status));
}

const splits = fc.array(fc.integer({ min: 0, max: 64 }), { maxLength: 20 });

test('fuzz: random bytes after a valid pcap header never throw', () => {
  const header = new PcapWriter({ snaplen: 2000 }).header();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), splits, (tail, sizes) => survives(Buffer.concat([header, tail]), sizes)),
    { numRuns: 2000 },
  );
});

test('fuzz: random bytes after a valid SHB + IDB never throw', () => {
  const head = writePcapng({ interfaces: [{ linkType: 1, tsresol: 9 }], blocks: [] });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), splits, (tail, sizes) => survives(Buffer.concat([head, tail]), sizes)),
    { numRuns: 2000 },
  );
});

test('fuzz: random byte changes to a valid pcapng never throw', () => {
  const { file } = multiSection();
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(file.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      splits,
      (edits, sizes) => {
        const b = Buffer.from(file);
        for (const [at, v] of edits) b[at] = v;
        survives(b, sizes);
      },
    ),
    { numRuns: 3000 },
  );
});

test('truncation at every byte offset: small real captures (corpus)', (t) => {
  const root = join(process.cwd(), '..', 'shared', 'corpus');
  if (!existsSync(root)) return t.skip('../shared/corpus is absent');
  for (const f of ['DevPatel1704-SmartFactory-Telemetry-System-IOT-Protocols/mqtt.pcap', 'TakuKitamura-verimqtt/mqtt.pcapng']) {
    checkEveryCut(readFileSync(join(root, f)), 1000);
  }
});

test('pcapng timestamps: any 64-bit value at any resolution equals exact BigInt arithmetic', () => {
  const resolutions = [0, 1, 3, 6, 9, 10, 11, 12, 15, 0x80 | 0, 0x80 | 10, 0x80 | 20, 0x80 | 23, 0x80 | 24, 0x80 | 30, 0x80 | 40];
  fc.assert(
    fc.property(
      fc.constantFrom(...resolutions),
      fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 1n << 62n }), fc.bigInt({ min: 0n, max: 1n << 40n })),
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      (tsresol, ts, tsoffset) => {
        const file = writePcapng({ interfaces: [{ linkType: 1, tsresol, tsoffset }], blocks: [{ type: 'epb', ts, data: tiny }] });
        const { frames } = readAll(file);
        // pcapng §4.2/§4.3: seconds = ts / units + if_tsoffset; the rest, in ns, truncated.
        const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
        const sec = ts / units + BigInt(tsoffset);
        const ns = ((ts % units) * 1_000_000_000n) / units;
        // tsSec is a double: exact while the seconds fit in 2^53, as every real capture does.
        if (sec < 1n << 53n && sec > -(1n << 53n)) assert.equal(frames[0]!.tsSec, Number(sec));
        assert.equal(frames[0]!.tsNsec, Number(ns));
      },
    ),
    { numRuns: 5000 },
  );
});
