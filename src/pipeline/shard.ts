// One dissection split across worker threads by TCP connection. Every worker reads the whole
// capture, but only the connections whose 4-tuple hashes to it go through TCP reassembly and MQTT;
// rows are then merged by frame number. Each connection is wholly in one worker, so everything
// per connection (reassembly, framing, Wireshark's TCP flags, topic aliases) is unchanged.
//
// The one thing that is global is the MQTT connection id: connections are numbered in the order
// they become MQTT, across all workers. A worker that sees a connection become MQTT at frame F
// counts the births of the other workers before F. Each worker publishes, in shared memory, how
// far it has got (every frame before `progress` is done) and a log of its births; the one ahead
// waits for the one behind, which never waits for it in return (it is behind), so there is no
// deadlock. Births are rare (one per connection), so the waits are short.

/** Slots per worker in the shared Int32Array. */
const PROGRESS = 0;
const BIRTHS = 1;
/** 1 while another worker sleeps waiting for this worker's progress. */
const WAITER = 2;
/** Where the births log of each worker starts, after the header and the read cursors. */
const RING = 1 << 15;
/** Frame number standing for "after the last frame": births while flushing at capture end. */
export const END_FRAME = 0x7fffffff;

function headerSize(count: number): number {
  // progress, births, waiter, then one read cursor per other worker
  return 3 + count;
}

function stride(count: number): number {
  return headerSize(count) + 2 * RING;
}

/** The shared memory for `count` workers: give the same buffer to each. */
export function shardMemory(count: number): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * count * stride(count));
}

export interface ShardHooks {
  /** About to sleep waiting for another worker: hand on what is ready so nobody waits for us. */
  onBlock?(): void;
}

/** Which connections one worker dissects, and the global connection numbering. */
export class Shard {
  private readonly mem: Int32Array;
  private readonly stride: number;
  private readonly base: number;
  /** Births of this worker so far. */
  private births = 0;
  /** Births of each other worker counted so far (their log read up to here). */
  private readonly read: number[];
  private othersBefore = 0;

  constructor(
    readonly index: number,
    readonly count: number,
    memory: SharedArrayBuffer,
    private readonly hooks: ShardHooks = {},
  ) {
    this.mem = new Int32Array(memory);
    this.stride = stride(count);
    this.base = index * this.stride;
    this.read = new Array<number>(count).fill(0);
  }

  /** True when the connection of a segment with this flow hash belongs to this worker. */
  owns(flowHash: number): boolean {
    return ((flowHash ^ (flowHash >>> 16)) >>> 0) % this.count === this.index;
  }

  /** Every frame before `frameNo` has been dissected by this worker. */
  passed(frameNo: number): void {
    const at = this.base + PROGRESS;
    Atomics.store(this.mem, at, frameNo);
    if (Atomics.load(this.mem, this.base + WAITER) !== 0) {
      Atomics.store(this.mem, this.base + WAITER, 0);
      Atomics.notify(this.mem, at);
    }
    // Read the others' logs now and then, even without births of our own, so they never fill.
    if ((frameNo & 1023) === 0) {
      for (let k = 0; k < this.count; k++) if (k !== this.index) this.consume(k, k * this.stride, frameNo);
    }
  }

  /** This worker is done with the whole capture (its births log is complete). */
  finish(): void {
    this.passed(END_FRAME);
  }

  /** How far this worker has got: every row of a frame before this one is out. */
  get progress(): number {
    return Atomics.load(this.mem, this.base + PROGRESS);
  }

  /**
   * The global id of a connection that becomes MQTT while this worker dissects frame `frameNo`:
   * its own earlier births plus every other worker's births at earlier frames. At the end of the
   * capture (`END_FRAME`) the workers cannot wait for each other (each may be flushing too), so
   * a birth of the final flush counts only what the others have logged so far: its id may differ
   * from one thread's, even repeat another worker's. Such connections make no row (no frame
   * completes their packets), so the packet list, the only output made this way, is unaffected.
   */
  connectionId(frameNo: number): number {
    for (let k = 0; k < this.count; k++) {
      if (k === this.index) continue;
      if (frameNo === END_FRAME) this.consume(k, k * this.stride, END_FRAME + 1);
      else this.countBirthsBefore(k, frameNo);
    }
    this.logBirth(frameNo);
    return this.births - 1 + this.othersBefore;
  }

  /** Reads worker k's births before `frameNo`, waiting until k has got that far. */
  private countBirthsBefore(k: number, frameNo: number): void {
    const kb = k * this.stride;
    for (;;) {
      this.consume(k, kb, frameNo);
      const progress = Atomics.load(this.mem, kb + PROGRESS);
      if (progress >= frameNo) {
        this.consume(k, kb, frameNo); // births logged before that progress was published
        return;
      }
      this.hooks.onBlock?.();
      Atomics.store(this.mem, kb + WAITER, 1);
      Atomics.wait(this.mem, kb + PROGRESS, progress, 50);
    }
  }

  /** Counts k's logged births before `frameNo` and frees their log slots. */
  private consume(k: number, kb: number, frameNo: number): void {
    const logged = Atomics.load(this.mem, kb + BIRTHS);
    const ring = kb + headerSize(this.count);
    let r = this.read[k]!;
    while (r < logged && (frameNo > END_FRAME || this.mem[ring + (r % RING)]! < frameNo)) r++;
    if (r === this.read[k]) return;
    this.othersBefore += r - this.read[k]!;
    this.read[k] = r;
    Atomics.store(this.mem, kb + 3 + this.index, r);
  }

  private logBirth(frameNo: number): void {
    const b = this.base;
    const ring = b + headerSize(this.count);
    // A full log waits for the slowest reader (which reads as it goes, so it frees slots).
    for (;;) {
      let slowest = this.births;
      for (let j = 0; j < this.count; j++) {
        // A worker that has finished reads no more: its cursor does not hold the log back.
        if (j === this.index || Atomics.load(this.mem, j * this.stride + PROGRESS) === END_FRAME) continue;
        slowest = Math.min(slowest, Atomics.load(this.mem, b + 3 + j));
      }
      if (this.births - slowest < RING) break;
      this.hooks.onBlock?.();
      Atomics.wait(this.mem, b + 3 + this.index, Atomics.load(this.mem, b + 3 + this.index), 5);
    }
    this.mem[ring + (this.births % RING)] = frameNo;
    this.births++;
    Atomics.store(this.mem, b + BIRTHS, this.births);
  }
}
