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

/** A binary min-heap of items keyed by a number (timers: the earliest first). */
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** The smallest key, Infinity when empty. */
  peekKey(): number {
    return this.keys.length === 0 ? Infinity : this.keys[0]!;
  }

  push(key: number, item: T): void {
    const k = this.keys;
    const it = this.items;
    let i = k.length;
    k.push(key);
    it.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! <= key) break;
      k[i] = k[p]!;
      it[i] = it[p]!;
      i = p;
    }
    k[i] = key;
    it[i] = item;
  }

  /** Remove and return the item with the smallest key (undefined when empty). */
  pop(): T | undefined {
    const k = this.keys;
    const it = this.items;
    if (k.length === 0) return undefined;
    const top = it[0];
    const lastKey = k.pop()!;
    const lastItem = it.pop()!;
    const n = k.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && k[c + 1]! < k[c]!) c++;
        if (k[c]! >= lastKey) break;
        k[i] = k[c]!;
        it[i] = it[c]!;
        i = c;
      }
      k[i] = lastKey;
      it[i] = lastItem;
    }
    return top;
  }
}
