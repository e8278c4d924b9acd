// The payload hex encoders (src/render/hex.ts) against Node's own `Buffer.toString('hex')`, and the
// committed WebAssembly bytes against what wat2wasm makes of their source.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { hasWasmHex, hexJs, hexWasmOnly, writeHex, WASM_MIN_BYTES } from '../../src/render/hex.js';
import { HEX_WASM_BASE64 } from '../../src/render/hex-wasm.js';
import { projectRoot } from '../support/paths.js';

type Encoder = (buf: Buffer, view: DataView, pos: number, bytes: Uint8Array) => number;

const encoders: [string, Encoder][] = [
  ['writeHex', writeHex],
  ['hexJs', (_buf, view, pos, bytes) => hexJs(view, pos, bytes)],
  ['hexWasmOnly', (buf, _view, pos, bytes) => hexWasmOnly(buf, pos, bytes)],
];

const SENTINEL = 0x5a;

/** Encodes `bytes` at `pos` of a buffer with `after` spare bytes at its end (filled with a
 *  sentinel) and checks the digits, the returned position and that nothing else was touched. */
function check(name: string, encode: Encoder, bytes: Uint8Array, pos: number, after: number): void {
  const buf = Buffer.alloc(pos + 2 * bytes.length + after, SENTINEL);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const end = encode(buf, view, pos, bytes);
  const want = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
  assert.equal(end, pos + 2 * bytes.length, `${name}: end position, length ${bytes.length}`);
  assert.equal(buf.toString('latin1', pos, end), want, `${name}: digits, length ${bytes.length} at ${pos}`);
  for (let i = 0; i < buf.length; i++) {
    if (i < pos || i >= end) assert.equal(buf[i], SENTINEL, `${name}: byte ${i} outside [${pos}, ${end}) written`);
  }
}

test('the WebAssembly encoder is available on Node 20 (else the JS loop is all that runs)', () => {
  assert.ok(hasWasmHex);
});

test('every length 0..300, random contents, at even and odd positions, the digits ending at the buffer end', () => {
  for (const [name, encode] of encoders) {
    if (name === 'hexWasmOnly' && !hasWasmHex) continue;
    for (let n = 0; n <= 300; n++) {
      const bytes = Uint8Array.from({ length: n }, () => (Math.random() * 256) | 0);
      for (const pos of [0, 1, 2, 3, 5]) check(name, encode, bytes, pos, 0);
      check(name, encode, bytes, 7, 40);
    }
  }
});

test('every byte value, and views into a larger buffer at any offset', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const big = new Uint8Array(1000).map((_, i) => (i * 97 + 13) & 0xff);
  for (const [name, encode] of encoders) {
    if (name === 'hexWasmOnly' && !hasWasmHex) continue;
    check(name, encode, all, 3, 0);
    for (const [start, end] of [[1, 33], [7, 600], [999, 1000], [31, 31 + WASM_MIN_BYTES - 1]] as const) {
      check(name, encode, big.subarray(start, end), 1, 0);
    }
  }
});

test('payloads longer than the module input area (32 KiB) and multi-KB ones', () => {
  for (const n of [4096, 32767, 32768, 32769, 70000]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + (i >> 8)) & 0xff);
    for (const [name, encode] of encoders) {
      if (name === 'hexWasmOnly' && !hasWasmHex) continue;
      check(name, encode, bytes, 1, 0);
    }
  }
});

test('property: random payloads at random positions equal Buffer hex', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(64), fc.nat(40), (bytes, pos, after) => {
      for (const [name, encode] of encoders) {
        if (name === 'hexWasmOnly' && !hasWasmHex) continue;
        check(name, encode, bytes, pos, after);
      }
    }),
    { numRuns: 300 },
  );
});

test('the committed module bytes are what wat2wasm makes of src/render/hex.wat', (t) => {
  let built: string;
  try {
    built = execFileSync(process.execPath, [join(projectRoot, 'scripts', 'hex-wasm.mjs'), '--print'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const code = (e as { stderr?: Buffer | string }).stderr?.toString() ?? '';
    if (/ENOENT|wat2wasm/.test(code) || /ENOENT/.test(String(e))) {
      t.skip('wat2wasm (wabt) is not installed: cannot rebuild the module to compare');
      return;
    }
    throw e;
  }
  assert.equal(HEX_WASM_BASE64, built, 'run `node scripts/hex-wasm.mjs` after editing hex.wat');
});
