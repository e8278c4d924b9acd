// Small helpers shared by the analyzer, the passes and the renderer.

import type { Direction } from '../pipeline/events.js';

export function dirName(d: Direction): string {
  return d === 'c2s' ? 'client→broker' : 'broker→client';
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Seconds with at most 3 decimals, as text for messages. */
export function secs(x: number): string {
  return String(round3(x));
}
