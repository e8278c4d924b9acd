// Small helpers shared by the analyzer, the passes and the renderer.

import type { Direction } from '../pipeline/events.js';

export function dirName(d: Direction): string {
  return d === 'c2s' ? 'client→broker' : 'broker→client';
}

/** Seconds to the microsecond (handshake latencies on loopback are well under a millisecond). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Seconds with at most 3 decimals, as text for messages. */
export function secs(x: number): string {
  return String(round3(x));
}
