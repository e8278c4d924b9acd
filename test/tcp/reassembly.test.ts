import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TcpReassembler } from '../../src/tcp/reassembly.js';
import { frame, handshake, makeSeg, play, Recorder, type SegSpec } from './helpers.js';

const ISN_A = 1000;
const ISN_B = 5000;

test('in order: handshake, data both ways, FIN both ways', () => {
  const { rec, r } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, flags: 'PA', data: 'hello' },
    { from: 'B', seq: ISN_B + 1, ack: ISN_A + 6, flags: 'PA', data: 'world!' },
    { from: 'A', seq: ISN_A + 6, ack: ISN_B + 7, flags: 'PA', data: ' again' },
    { from: 'A', seq: ISN_A + 12, ack: ISN_B + 7, flags: 'FA' },
    { from: 'B', seq: ISN_B + 7, ack: ISN_A + 13, flags: 'FA' },
    { from: 'A', seq: ISN_A + 13, ack: ISN_B + 8, flags: 'A' },
  ], {}, false);
  assert.equal(rec.opened.length, 1);
  const s = rec.opened[0]!;
  assert.equal(s.id, 0);
  assert.equal(s.synFrom, 0);
  assert.deepEqual(s.synFrame, [1, 2]);
  assert.deepEqual(s.finFrame, [7, 8]);
  assert.deepEqual(s.rstFrame, [0, 0]);
  assert.equal(s.a.port, 50000);
  assert.equal(s.b.port, 1883);
  assert.equal(s.portA, 50000);
  assert.deepEqual([...s.addrB], [10, 0, 0, 2]);
  assert.equal(s.firstTime, frame(1).tsSec);
  assert.equal(rec.text(0, 0), 'hello again');
  assert.equal(rec.text(0, 1), 'world!');
  assert.deepEqual(rec.chunks.map((c) => [c.frame, c.gap]), [[4, 0], [5, 0], [6, 0]]);
  assert.deepEqual(rec.events, ['open 0 @1', 'fin 0/0 @7', 'fin 0/1 @8']);
  // Released as soon as both FINs are in and everything is delivered.
  assert.deepEqual(rec.released, [{ stream: 0, reason: 'closed' }]);
  assert.equal(r.stats.open, 0);
  // The final ACK (frame 9) still belongs to the stream: no new stream for it.
  r.end();
  assert.equal(rec.opened.length, 1);
});

test('first packet from the server side makes the server endpoint A (dir 0)', () => {
  const { rec } = play([
    { from: 'B', seq: 1, ack: 1, data: 'x' },
    { from: 'A', seq: 1, ack: 2, data: 'y' },
  ]);
  const s = rec.opened[0]!;
  assert.equal(s.a.port, 1883);
  assert.equal(s.synFrom, null);
  assert.equal(rec.text(0, 0), '|gap:-1|x');
  assert.equal(rec.text(0, 1), '|gap:-1|y');
});

test('out of order: every permutation of four segments is delivered in order, once', () => {
  const parts = ['aa', 'bbb', 'c', 'dddd'];
  const segs: SegSpec[] = [];
  let seq = ISN_A + 1;
  for (const p of parts) { segs.push({ from: 'A', seq, ack: ISN_B + 1, data: p }); seq += p.length; }
  for (const order of permutations([0, 1, 2, 3])) {
    const { rec } = play([...handshake(ISN_A, ISN_B), ...order.map((i) => segs[i]!)]);
    assert.equal(rec.text(0, 0), 'aabbbcdddd', `order ${order}`);
    assert.ok(rec.chunks.every((c) => c.gap === 0));
    // The last chunk is delivered on the frame that made it deliverable: the frame that carried
    // the segment at the front of the hole.
    const firstPos = order.indexOf(0);
    assert.equal(rec.chunks[0]!.frame, 4 + firstPos);
  }
});

test('retransmission is delivered once and reported', () => {
  const { rec, r } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc' },
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc' },
    { from: 'A', seq: ISN_A + 4, ack: ISN_B + 1, data: 'def' },
  ]);
  assert.equal(rec.text(0, 0), 'abcdef');
  assert.deepEqual(rec.retrans, [{ stream: 0, dir: 0, frame: 5, bytes: 'abc' }]);
  assert.equal(r.stats.retransmissions, 1);
});

test('partial overlap: the first copy wins, only new bytes are delivered', () => {
  const { rec } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abcd' },
    // Overlaps "cd" with different bytes (a rewrite attempt), then adds "ef".
    { from: 'A', seq: ISN_A + 3, ack: ISN_B + 1, data: 'XYef' },
  ]);
  assert.equal(rec.text(0, 0), 'abcdef');
  assert.deepEqual(rec.chunks.map((c) => c.bytes), ['abcd', 'ef']);
});

test('out-of-order duplicates and overlaps inside the buffer', () => {
  const { rec } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 5, ack: ISN_B + 1, data: 'efgh' },
    { from: 'A', seq: ISN_A + 5, ack: ISN_B + 1, data: 'efgh' },
    { from: 'A', seq: ISN_A + 7, ack: ISN_B + 1, data: 'gh' },
    { from: 'A', seq: ISN_A + 3, ack: ISN_B + 1, data: 'cdef' },
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'ab' },
  ]);
  assert.equal(rec.text(0, 0), 'abcdefgh');
  assert.equal(rec.retrans.length, 2);
});

test('gap: a lost segment is skipped once the peer ACKs past it', () => {
  const { rec } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc' },
    // "defg" (4 bytes) never captured.
    { from: 'A', seq: ISN_A + 8, ack: ISN_B + 1, data: 'hij' },
    { from: 'B', seq: ISN_B + 1, ack: ISN_A + 11, flags: 'A' },
  ], {}, false);
  assert.equal(rec.text(0, 0), 'abc|gap:4|hij');
  assert.equal(rec.chunks[1]!.frame, 6);
});

test('gap: an ACK that does not reach the buffered data does not bridge the hole', () => {
  const { rec } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc' },
    { from: 'A', seq: ISN_A + 8, ack: ISN_B + 1, data: 'hij' },
    { from: 'B', seq: ISN_B + 1, ack: ISN_A + 4, flags: 'A' },
    { from: 'A', seq: ISN_A + 4, ack: ISN_B + 1, data: 'defg' },
  ]);
  assert.equal(rec.text(0, 0), 'abcdefghij');
});

test('gap at end of capture: pending data is flushed after a gap marker', () => {
  const { rec } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc' },
    { from: 'A', seq: ISN_A + 10, ack: ISN_B + 1, data: 'xyz' },
  ]);
  assert.equal(rec.text(0, 0), 'abc|gap:6|xyz');
  assert.deepEqual(rec.released, [{ stream: 0, reason: 'end' }]);
});

test('gap before a FIN the peer acknowledged is reported with an empty chunk', () => {
  const { rec } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc' },
    { from: 'A', seq: ISN_A + 9, ack: ISN_B + 1, flags: 'FA' },
    { from: 'B', seq: ISN_B + 1, ack: ISN_A + 10, flags: 'FA' },
  ], {}, false);
  assert.equal(rec.text(0, 0), 'abc|gap:5|');
  assert.deepEqual(rec.released, [{ stream: 0, reason: 'closed' }]);
});

test('snaplen-cut segments: the missing bytes become a gap before the next chunk', () => {
  const { rec } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc', missing: 7 },
    { from: 'A', seq: ISN_A + 11, ack: ISN_B + 1, data: 'klm' },
  ]);
  assert.equal(rec.text(0, 0), 'abc|gap:7|klm');
  // Cut at the very end of the capture: the trailing loss is reported with an empty chunk.
  const { rec: rec2 } = play([...handshake(ISN_A, ISN_B), { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc', missing: 7 }]);
  assert.equal(rec2.text(0, 0), 'abc|gap:7|');
});

test('mid-stream start: begins at the first segment seen, gap unknown', () => {
  const { rec } = play([
    { from: 'A', seq: 777777, ack: 1, data: 'mid' },
    { from: 'A', seq: 777780, ack: 1, data: 'dle' },
    { from: 'B', seq: 1, ack: 777783, data: 'ok' },
  ]);
  assert.equal(rec.text(0, 0), '|gap:-1|middle');
  assert.equal(rec.text(0, 1), '|gap:-1|ok');
  assert.equal(rec.opened[0]!.synFrom, null);
});

test('sequence numbers wrap around 2^32', () => {
  const isn = 0xfffffffa;
  const base = isn + 1;
  const segs: SegSpec[] = [
    { from: 'A', seq: base + 4, ack: ISN_B + 1, data: 'EFGH' }, // crosses the wrap
    { from: 'A', seq: base + 8, ack: ISN_B + 1, data: 'IJ' }, // after the wrap
    { from: 'A', seq: base, ack: ISN_B + 1, data: 'ABCD' }, // before the wrap
    { from: 'A', seq: base + 2, ack: ISN_B + 1, data: 'CDEF' }, // overlap, retransmission
  ];
  const { rec } = play([...handshake(isn, ISN_B), ...segs]);
  assert.equal(rec.text(0, 0), 'ABCDEFGHIJ');
  assert.equal(rec.retrans.length, 1);
  // ISN exactly 2^32 - 1: the first data byte is sequence number 0.
  const { rec: rec2 } = play([...handshake(0xffffffff, ISN_B), { from: 'A', seq: 0, ack: ISN_B + 1, data: 'zero' }]);
  assert.equal(rec2.text(0, 0), 'zero');
});

test('SYN after FIN on the same 4-tuple starts a new stream; a retransmitted SYN does not', () => {
  const first = [
    ...handshake(ISN_A, ISN_B),
    { from: 'A' as const, seq: ISN_A + 1, ack: ISN_B + 1, data: 'one' },
    { from: 'A' as const, seq: ISN_A + 4, ack: ISN_B + 1, flags: 'FA' },
    { from: 'B' as const, seq: ISN_B + 1, ack: ISN_A + 5, flags: 'FA' },
    { from: 'A' as const, seq: ISN_A + 5, ack: ISN_B + 2, flags: 'A' },
  ];
  const second = [
    { from: 'A' as const, seq: 90000, flags: 'S' },
    { from: 'A' as const, seq: 90000, flags: 'S' }, // retransmitted SYN
    { from: 'B' as const, seq: 70000, ack: 90001, flags: 'SA' },
    { from: 'A' as const, seq: 90001, ack: 70001, data: 'two' },
  ];
  const { rec } = play([...first, ...second]);
  assert.equal(rec.opened.length, 2);
  assert.equal(rec.text(0, 0), 'one');
  assert.equal(rec.text(1, 0), 'two');
  assert.equal(rec.opened[1]!.firstFrame, 8);
  assert.equal(rec.opened[1]!.synFrom, 0);
  // Same ISN after a full close: a new stream too (the old one is over).
  const { rec: rec2 } = play([...first, ...handshake(ISN_A, ISN_B), { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'again' }]);
  assert.equal(rec2.opened.length, 2);
  assert.equal(rec2.text(1, 0), 'again');
});

test('SYN with a different ISN on an open 4-tuple: the old stream is released as reused', () => {
  const { rec } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc' },
    { from: 'A', seq: ISN_A + 8, ack: ISN_B + 1, data: 'xyz' }, // held behind a hole
    ...handshake(123456, 654321),
  ]);
  assert.equal(rec.opened.length, 2);
  assert.equal(rec.text(0, 0), 'abc|gap:4|xyz');
  assert.deepEqual(rec.released[0], { stream: 0, reason: 'reused' });
});

test('RST closes the stream; later segments of it are ignored, not new streams', () => {
  const { rec, r } = play([
    ...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 1, ack: ISN_B + 1, data: 'abc' },
    { from: 'A', seq: ISN_A + 6, ack: ISN_B + 1, data: 'fg' },
    { from: 'B', seq: ISN_B + 1, ack: ISN_A + 4, flags: 'RA' },
    { from: 'A', seq: ISN_A + 8, ack: ISN_B + 1, data: 'late' },
  ]);
  const s = rec.opened[0]!;
  assert.deepEqual(s.rstFrame, [0, 6]);
  assert.deepEqual(rec.events, ['open 0 @1', 'rst 0/1 @6']);
  assert.equal(rec.text(0, 0), 'abc|gap:2|fg');
  assert.equal(rec.opened.length, 1);
  assert.equal(r.stats.afterRelease, 1);
  assert.deepEqual(rec.released, [{ stream: 0, reason: 'closed' }]);
});

test('bounded buffer: hitting the bound warns once and skips ahead with a gap', () => {
  const segs: SegSpec[] = [...handshake(ISN_A, ISN_B)];
  // Byte 0 is lost; then 10 one-byte segments arrive behind the hole.
  for (let i = 1; i <= 10; i++) segs.push({ from: 'A', seq: ISN_A + 1 + i, ack: ISN_B + 1, data: String.fromCharCode(96 + i) });
  const { rec, r } = play(segs, { maxPendingSegments: 4 }, false);
  assert.deepEqual(rec.warnings, [{ stream: 0, dir: 0, code: 'buffer-limit', frame: 8 }]);
  assert.equal(rec.text(0, 0), '|gap:1|abcdefghij');
  assert.equal(r.stats.bufferLimitHits, 1);
  // Byte bound as well.
  const big: SegSpec[] = [...handshake(ISN_A, ISN_B),
    { from: 'A', seq: ISN_A + 11, ack: ISN_B + 1, data: 'x'.repeat(60) },
    { from: 'A', seq: ISN_A + 71, ack: ISN_B + 1, data: 'y'.repeat(60) }];
  const b = play(big, { maxBufferedBytes: 100 }, false);
  assert.equal(b.rec.warnings.length, 1);
  assert.equal(b.rec.text(0, 0), `|gap:10|${'x'.repeat(60)}${'y'.repeat(60)}`);
});

test('released streams leave the flow table after the linger period', () => {
  const rec = new Recorder();
  const r = new TcpReassembler(rec, { lingerFrames: 100 });
  let no = 1;
  for (let port = 1; port <= 50; port++) {
    const src = { addr: [10, 0, 0, 1], port };
    const dst = { addr: [10, 0, 0, 2], port: 1883 };
    const specs: SegSpec[] = [
      { src, dst, seq: 1, flags: 'S' },
      { src: dst, dst: src, seq: 9, ack: 2, flags: 'SA' },
      { src, dst, seq: 2, ack: 10, flags: 'FA' },
      { src: dst, dst: src, seq: 10, ack: 3, flags: 'FA' },
    ];
    for (const s of specs) r.segment(makeSeg(s), frame(no++));
  }
  assert.equal(r.stats.open, 0);
  assert.equal(r.stats.streams, 50);
  // Filler traffic on one open stream moves the frame clock on; released streams get evicted.
  for (let i = 0; i < 2000; i++) r.segment(makeSeg({ seq: 100 + i, ack: 1, data: 'z' }), frame(no++));
  assert.ok(r.tableSize <= 20, `table still holds ${r.tableSize}`);
  r.end();
});

test('IPv6 and IPv4 streams with equal ports are distinct', () => {
  const v6a = { addr: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], port: 50000 };
  const v6b = { addr: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], port: 1883 };
  const { rec } = play([
    { from: 'A', seq: 1, ack: 1, data: 'v4' },
    { src: v6a, dst: v6b, seq: 1, ack: 1, data: 'v6' },
    { src: v6b, dst: v6a, seq: 1, ack: 3, data: 'back' },
  ]);
  assert.equal(rec.opened.length, 2);
  assert.equal(rec.opened[1]!.ipVersion, 6);
  assert.equal(rec.text(1, 1), '|gap:-1|back');
});

test('an IPv6 4-tuple whose first address bytes equal an IPv4 one is a different stream', () => {
  // ::-padded copies of A's and B's IPv4 addresses: equal in their first 4 bytes, equal ports.
  const v6a = { addr: [10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], port: 50000 };
  const v6b = { addr: [10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], port: 1883 };
  const { rec } = play([
    { from: 'A', seq: 1, ack: 1, data: 'v4' },
    { src: v6b, dst: v6a, seq: 1, ack: 1, data: 'v6' },
    { from: 'B', seq: 1, ack: 3, data: 'back' },
  ]);
  assert.equal(rec.opened.length, 2);
  assert.equal(rec.text(0, 1), '|gap:-1|back');
  assert.equal(rec.text(1, 0), '|gap:-1|v6');
});

test('a reused segment object: IPv4 after IPv6 ignores the stale address bytes past the 4th', () => {
  const rec = new Recorder();
  const r = new TcpReassembler(rec);
  const seg = makeSeg({ src: { addr: [0x20, 1, 0x0d, 0xb8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9], port: 7 },
    dst: { addr: [0x20, 1, 0x0d, 0xb8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8], port: 1883 }, seq: 1, ack: 1, data: 'x' });
  r.segment(seg, frame(1));
  // Refill as the IPv4 decoder does: only the first 4 address bytes are written.
  const v4 = (spec: SegSpec, no: number): void => {
    const fresh = makeSeg(spec);
    seg.ipVersion = 4;
    seg.addrLen = 4;
    seg.src.set(fresh.src.subarray(0, 4));
    seg.dst.set(fresh.dst.subarray(0, 4));
    seg.srcPort = fresh.srcPort;
    seg.dstPort = fresh.dstPort;
    seg.seq = fresh.seq;
    seg.ack = fresh.ack;
    seg.flags = fresh.flags;
    seg.buf = fresh.buf;
    seg.off = fresh.off;
    seg.len = fresh.len;
    r.segment(seg, frame(no));
  };
  v4({ from: 'A', seq: 1, ack: 1, data: 'ab' }, 2);
  // Stale bytes differ between these two refills (src then dst side), the stream must not.
  seg.src.fill(0x55, 4);
  seg.dst.fill(0x66, 4);
  v4({ from: 'B', seq: 1, ack: 3, data: 'cd' }, 3);
  v4({ from: 'A', seq: 3, ack: 3, data: 'ef' }, 4);
  r.end();
  assert.equal(rec.opened.length, 2);
  assert.equal(rec.text(1, 0), '|gap:-1|abef');
  assert.equal(rec.text(1, 1), '|gap:-1|cd');
});

test('thousands of concurrent streams: each segment finds its own stream, both directions', () => {
  const rec = new Recorder();
  const r = new TcpReassembler(rec);
  const N = 5000; // several times the initial lookup table, so it grows while streams are open
  const client = (i: number) => ({ addr: [10, (i >> 8) & 255, i & 255, 1], port: 1024 + (i % 3) });
  const server = { addr: [10, 0, 0, 2], port: 1883 };
  let no = 1;
  for (let i = 0; i < N; i++) r.segment(makeSeg({ src: client(i), dst: server, seq: 1, ack: 1, data: `c${i};` }), frame(no++));
  for (let i = N - 1; i >= 0; i--) r.segment(makeSeg({ src: server, dst: client(i), seq: 1, ack: 1, data: `s${i};` }), frame(no++));
  for (let i = 0; i < N; i++) r.segment(makeSeg({ src: client(i), dst: server, seq: 1 + `c${i};`.length, ack: 1, data: 'z' }), frame(no++));
  r.end();
  assert.equal(rec.opened.length, N);
  for (let i = 0; i < N; i += 97) {
    assert.equal(rec.text(i, 0), `|gap:-1|c${i};z`);
    assert.equal(rec.text(i, 1), `|gap:-1|s${i};`);
  }
});

test('property: any segmentation, reordering and duplication without loss gives the original bytes', () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 1, maxLength: 300 }),
    fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }),
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.array(fc.nat(), { maxLength: 80 }),
    fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
    (stream, sizes, isn, shuffle, dups) => {
      // Cut the stream into segments of the given sizes (cycled).
      const segs: { seq: number; data: Uint8Array }[] = [];
      for (let off = 0, i = 0; off < stream.length; i++) {
        const n = Math.min(sizes[i % sizes.length]!, stream.length - off);
        segs.push({ seq: (isn + 1 + off) >>> 0, data: stream.subarray(off, off + n) });
        off += n;
      }
      // Overlapping duplicates: a copy of a random range of the stream.
      for (const [a, b] of dups) {
        const s = a % stream.length;
        const e = s + 1 + (b % (stream.length - s));
        segs.push({ seq: (isn + 1 + s) >>> 0, data: stream.subarray(s, e) });
      }
      // Reorder with a Fisher-Yates driven by `shuffle`.
      for (let i = segs.length - 1; i > 0 && shuffle.length > 0; i--) {
        const j = shuffle[i % shuffle.length]! % (i + 1);
        [segs[i], segs[j]] = [segs[j]!, segs[i]!];
      }
      const rec = new Recorder();
      const r = new TcpReassembler(rec);
      const got: number[] = [];
      const sink = {
        ...rec,
        open: rec.open.bind(rec),
        close: rec.close.bind(rec),
        data: (_s: unknown, _d: unknown, buf: Uint8Array, start: number, end: number, _f: unknown, gap: number) => {
          assert.equal(gap, 0);
          got.push(...buf.subarray(start, end));
        },
      };
      const r2 = new TcpReassembler(sink);
      void r;
      let no = 1;
      for (const sp of handshake(isn, 42)) r2.segment(makeSeg(sp), frame(no++));
      for (const sg of segs) {
        const seg = makeSeg({ from: 'A', seq: sg.seq, ack: 43, data: '' });
        seg.buf = sg.data;
        seg.off = 0;
        seg.len = sg.data.length;
        r2.segment(seg, frame(no++));
      }
      r2.end();
      assert.deepEqual(Uint8Array.from(got), stream);
    },
  ), { numRuns: 300 });
});

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
