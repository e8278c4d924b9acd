import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TcpReassembler } from '../../src/tcp/reassembly.js';
import { frame, makeSeg, Recorder } from './helpers.js';

test('fuzz: random segments (flags, seqs, losses) never throw and stay within the bounds', () => {
  fc.assert(fc.property(
    fc.array(fc.record({
      from: fc.constantFrom('A' as const, 'B' as const),
      seq: fc.oneof(fc.nat({ max: 400 }), fc.integer({ min: 0, max: 0xffffffff })),
      ack: fc.oneof(fc.nat({ max: 400 }), fc.integer({ min: 0, max: 0xffffffff })),
      flags: fc.constantFrom('', 'A', 'S', 'SA', 'FA', 'RA', 'PA', 'F', 'R'),
      data: fc.string({ maxLength: 30 }),
      missing: fc.constantFrom(0, 0, 0, 5),
    }), { maxLength: 80 }),
    (specs) => {
      const rec = new Recorder();
      const r = new TcpReassembler(rec, { maxPendingSegments: 8, maxBufferedBytes: 100, lingerFrames: 5 });
      specs.forEach((s, i) => r.segment(makeSeg(s), frame(i + 1)));
      r.end();
      // Each stream is released exactly once, and nothing is called for it afterwards.
      assert.equal(rec.released.length, rec.opened.length);
      assert.equal(new Set(rec.released.map((x) => x.stream)).size, rec.opened.length);
      assert.equal(r.stats.open, 0);
      for (const c of rec.chunks) assert.ok(c.gap >= -1);
    },
  ), { numRuns: 3000 });
});
