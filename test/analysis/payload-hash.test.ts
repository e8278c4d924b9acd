// The payload hash matches deliveries to publishes (with topic and length): two different
// payloads of one length must practically never share it. FNV's multiply-only step, used before,
// moved bits upward only, so payloads differing in the top byte of several 32-bit words collided
// one time in 256 (a real-traffic stress capture mixed up "m850…" and "m857…" deliveries).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { payloadHash } from '../../src/analysis/session.js';

const enc = new TextEncoder();

test('payload hash: 100 000 sequence-numbered payloads ("m857" repeated 20 times, …): no two of one length collide', () => {
  const seen = new Map<string, number>();
  for (let i = 0; i < 100_000; i++) {
    const p = enc.encode(`m${i}`.repeat(20));
    const key = `${p.length}:${payloadHash(p)}`;
    assert.equal(seen.get(key), undefined, `m${i} and m${seen.get(key)} collide`);
    seen.set(key, i);
  }
});

test('payload hash: payloads that differ in a few bytes anywhere get different hashes', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
      (a, flips) => {
        const b = Uint8Array.from(a);
        for (const [at, x] of flips) b[at % b.length] ^= x;
        fc.pre(b.some((v, i) => v !== a[i]));
        assert.notEqual(payloadHash(a), payloadHash(b));
      },
    ),
    { numRuns: 20_000, seed: 20261126 },
  );
});

test('payload hash: differences only in the top byte of several words (what FNV\'s step kept apart one time in 256)', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 300 }),
      fc.uniqueArray(fc.nat(), { minLength: 2, maxLength: 6 }),
      fc.integer({ min: 1, max: 255 }),
      (a, words, x) => {
        const b = Uint8Array.from(a);
        const n = Math.floor(a.length / 4);
        const at = new Set(words.map((w) => 4 * (w % n) + 3));
        fc.pre(at.size >= 2);
        for (const i of at) b[i] ^= x;
        assert.notEqual(payloadHash(a), payloadHash(b));
      },
    ),
    { numRuns: 20_000, seed: 20261126 },
  );
});

test('payload hash: a difference in one 32-bit word never collides (each step is a bijection)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 4, maxLength: 200 }), fc.nat(), fc.integer({ min: 1, max: 0xffffffff }), (a, w, x) => {
      const words = Math.floor(a.length / 4);
      const at = 4 * (w % words);
      const b = Uint8Array.from(a);
      for (let k = 0; k < 4; k++) b[at + k] ^= (x >>> (8 * k)) & 0xff;
      assert.notEqual(payloadHash(a), payloadHash(b));
    }),
    { numRuns: 5000 },
  );
});
