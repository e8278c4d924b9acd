// One dissection split across worker threads by TCP connection. Every worker reads the whole
// capture, but only the connections whose 4-tuple hashes to it go through TCP reassembly and MQTT;
// rows are then merged by frame number. Each connection is wholly in one worker, so everything
// per connection (reassembly, framing, Wireshark's TCP flags, topic aliases) is unchanged.
//
// The one thing that is global is the MQTT connection id: connections are numbered in the order
// they become MQTT, across all workers. A connection born at frame F is numbered after the other
// workers' births before F. Each worker publishes, in shared memory, how far it has got (every
// frame before `progress` is done) and a log of its births. A worker ahead of another does not
// wait for it: the new connection gets a provisional id (PROVISIONAL + its local number), its rows
// are written with it, and the id is settled, and those rows patched, once the other worker has
// passed F (see `resolve`, and jsonl-worker.ts for the patching).

/** Slots per worker in the shared Int32Array. */
const PROGRESS = 0;
const BIRTHS = 1;
/** 1 while another worker sleeps waiting for this worker's progress. */
const WAITER = 2;
/** Capacity of each worker's births log (frame numbers), after its header and read cursors: a
 *  worker that gets this many births ahead of a reader waits for it. */
const RING = 1 << 15;
/** Frame number standing for "after the last frame": births while flushing at capture end. */
export const END_FRAME = 0x7fffffff;
/** Provisional ids are PROVISIONAL + the worker's own birth count: far above any real id. */
export const PROVISIONAL = 2_000_000_000;

function headerSize(count: number): number {
  // progress, births, waiter, then one read cursor per other worker
  return 3 + count;
}

function stride(count: number): number {
  return headerSize(count) + RING;
}

/** The shared memory for `count` workers: give the same buffer to each. */
export function shardMemory(count: number): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * count * stride(count));
}

export interface ShardHooks {
  /** About to sleep waiting for another worker: hand on what is ready so nobody waits for us. */
  onBlock?(): void;
}

/** Anything numbered by the shard: a ConnectionInfo. */
export interface Numbered {
  id: number;
}

interface Birth {
  frameNo: number;
  local: number;
  conn: Numbered;
  then: (() => void) | null;
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
  /** Own births whose id is still provisional, in frame order. */
  private readonly unresolved: Birth[] = [];
  private unresolvedHead = 0;
  private resolving = false;
  /** Provisional id → settled id, for rows written before the id was settled. */
  readonly renames = new Map<number, number>();

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
    if (this.unresolvedHead < this.unresolved.length) this.resolve(false);
    else if ((frameNo & 1023) === 0) {
      // Read the others' logs now and then, even without births of our own, so they never fill.
      for (let k = 0; k < this.count; k++) if (k !== this.index) this.consume(k, frameNo);
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

  /** Connections still numbered provisionally. */
  get pending(): number {
    return this.unresolved.length - this.unresolvedHead;
  }

  /**
   * A connection became MQTT while this worker dissected frame `frameNo` (END_FRAME: while
   * flushing at the end): `conn.id` is set, provisionally unless the others are already past.
   */
  birth(frameNo: number, conn: Numbered): void {
    const local = this.births;
    this.logBirth(frameNo);
    conn.id = PROVISIONAL + local;
    this.unresolved.push({ frameNo, local, conn, then: null });
    this.resolve(false);
  }

  /** Runs `fn` once `conn` has its settled id (at once if it has). */
  whenNumbered(conn: Numbered, fn: () => void): void {
    if (conn.id < PROVISIONAL) return fn();
    const b = this.unresolved.find((x, i) => i >= this.unresolvedHead && x.conn === conn);
    if (b) b.then = fn;
  }

  /**
   * Settles provisional ids in birth order, as far as the other workers have got (or, with
   * `wait`, waiting for them). A birth of the final flush cannot wait (every worker may be
   * flushing): it counts what the others have logged, so its id may differ from one thread's or
   * repeat another worker's. Such connections make no row (no frame completes their packets).
   */
  resolve(wait: boolean): boolean {
    // Not again from inside itself (a hook run while waiting): the outer call owns the queue.
    if (this.resolving) return false;
    this.resolving = true;
    try {
      return this.settle(wait);
    } finally {
      this.resolving = false;
    }
  }

  private settle(wait: boolean): boolean {
    while (this.unresolvedHead < this.unresolved.length) {
      const b = this.unresolved[this.unresolvedHead]!;
      for (let k = 0; k < this.count; k++) {
        if (k === this.index) continue;
        if (b.frameNo === END_FRAME) this.consume(k, END_FRAME + 1);
        else if (!this.caughtUp(k, b.frameNo, wait)) return false;
      }
      const id = b.local + this.othersBefore;
      this.renames.set(b.conn.id, id);
      b.conn.id = id;
      this.unresolvedHead++;
      b.then?.();
    }
    this.unresolved.length = 0;
    this.unresolvedHead = 0;
    return true;
  }

  /** Has worker k dissected every frame before `frameNo`? Counts its births before it if so. */
  private caughtUp(k: number, frameNo: number, wait: boolean): boolean {
    const kb = k * this.stride;
    for (;;) {
      const progress = Atomics.load(this.mem, kb + PROGRESS);
      if (progress >= frameNo) {
        this.consume(k, frameNo);
        return true;
      }
      if (!wait) return false;
      this.hooks.onBlock?.();
      Atomics.store(this.mem, kb + WAITER, 1);
      Atomics.wait(this.mem, kb + PROGRESS, progress, 50);
    }
  }

  /** Counts k's logged births before `frameNo` and frees their log slots. Never past our own
   *  first unsettled birth: its count must stop there. */
  private consume(k: number, frameNo: number): void {
    const first = this.unresolved[this.unresolvedHead];
    if (first && first.frameNo !== END_FRAME && first.frameNo < frameNo) frameNo = first.frameNo;
    const kb = k * this.stride;
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
