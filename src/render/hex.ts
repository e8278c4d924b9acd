// Lowercase hex digits of payloads, straight into an output buffer: payloads are about 40 % of
// the JSON Lines output, so this is one of its hottest loops.
//
// Two encoders, picked by length (measured in-process on Node 20, input MB/s at 16 / 40 / 200 /
// 1000 / 8000 bytes: JS 220 / 360 / 750 / 950 / 1000; WebAssembly 170 / 420 / 1800 / 3250 / 4500):
// - WebAssembly SIMD (hex.wat), 16 bytes per iteration. Each call costs a copy in, the call and a
//   copy out, so it only wins from about 32 bytes on.
// - A JS loop, two bytes (four digits) per store: short payloads, and wherever WebAssembly or its
//   SIMD instructions are unavailable (e.g. `node --jitless`).

import { HEX_WASM_BASE64 } from './hex-wasm.js';

/** Two hex digits per byte value as one 16-bit little-endian word (first digit in the low byte),
 *  for `DataView.setUint16/32(…, true)`. */
const HEX_PAIRS16 = (() => {
  const t = new Uint16Array(256);
  const digits = '0123456789abcdef';
  for (let i = 0; i < 256; i++) t[i] = digits.charCodeAt(i >> 4) | (digits.charCodeAt(i & 15) << 8);
  return t;
})();

/** Payloads from this length on go through WebAssembly (the measured crossover is 28–32). */
export const WASM_MIN_BYTES = 32;

/** The module's fixed layout (hex.wat): input at 0, output at IN_CAPACITY. */
const IN_CAPACITY = 32768;
const OUT_START = IN_CAPACITY;

interface WasmHex {
  /** Encodes memory [0, n) into [OUT_START, OUT_START + 2n). */
  readonly encode: (n: number) => void;
  readonly memory: Uint8Array;
  /** outViews[n]: memory [OUT_START, OUT_START + 2n), made on first use so that copying the
   *  digits out allocates nothing (the memory never grows, so the views stay valid). */
  readonly outViews: (Uint8Array | null)[];
}

/** The little of the WebAssembly JS API used here (the project's `lib` has no DOM types). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The compiled module, or null where WebAssembly or SIMD is unavailable. */
function loadWasm(): WasmHex | null {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return null; // e.g. node --jitless
  try {
    const { exports } = new api.Instance(new api.Module(Buffer.from(HEX_WASM_BASE64, 'base64')), {});
    const encode = exports['hex'] as (n: number) => void;
    const memory = new Uint8Array((exports['memory'] as { buffer: ArrayBuffer }).buffer);
    return { encode, memory, outViews: new Array<Uint8Array | null>(IN_CAPACITY + 1).fill(null) };
  } catch {
    return null; // a CompileError: this engine has no SIMD
  }
}

const WASM = loadWasm();

/** True when the WebAssembly encoder is in use (for tests and benchmarks). */
export const hasWasmHex = WASM !== null;

/**
 * Writes the 2 × bytes.length hex digits of `bytes` at `buf[pos]` and returns the position after
 * them. The caller has checked that they fit: pos + 2 × bytes.length ≤ buf.length. `view` is a
 * DataView of exactly `buf`.
 */
export function writeHex(buf: Buffer, view: DataView, pos: number, bytes: Uint8Array): number {
  return bytes.length >= WASM_MIN_BYTES && WASM !== null ? hexWasm(WASM, buf, pos, bytes) : hexJs(view, pos, bytes);
}

/** The JS loop: four digits per store, at any alignment. Exported for tests. */
export function hexJs(view: DataView, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    view.setUint32(pos, HEX_PAIRS16[bytes[i]!]! | (HEX_PAIRS16[bytes[i + 1]!]! << 16), true);
    pos += 4;
  }
  if (i < n) {
    view.setUint16(pos, HEX_PAIRS16[bytes[i]!]!, true);
    pos += 2;
  }
  return pos;
}

/** Through the module, at most IN_CAPACITY bytes a call. */
function hexWasm(w: WasmHex, buf: Buffer, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > IN_CAPACITY) return hexWasmChunks(w, buf, pos, bytes);
  w.memory.set(bytes, 0);
  w.encode(n);
  let out = w.outViews[n]!;
  if (out === null) out = w.outViews[n] = w.memory.subarray(OUT_START, OUT_START + 2 * n);
  buf.set(out, pos);
  return pos + 2 * n;
}

/** The rare payload longer than the module's input area, a chunk at a time. */
function hexWasmChunks(w: WasmHex, buf: Buffer, pos: number, bytes: Uint8Array): number {
  for (let start = 0; start < bytes.length; start += IN_CAPACITY) {
    pos = hexWasm(w, buf, pos, bytes.subarray(start, Math.min(start + IN_CAPACITY, bytes.length)));
  }
  return pos;
}

/** The WebAssembly encoder alone, at any length (tests hold it equal to Buffer's hex). */
export function hexWasmOnly(buf: Buffer, pos: number, bytes: Uint8Array): number {
  if (WASM === null) throw new Error('hexWasmOnly: WebAssembly SIMD is unavailable');
  return hexWasm(WASM, buf, pos, bytes);
}
