// Worker thread of `--format jsonl` split across threads (parallel-jsonl.ts): dissects its share of
// the connections and writes their rows as JSON Lines into batches, each with the frame number and
// end offset of every row, which the main thread merges in frame order.

import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { dissectCapture, type DissectSummary } from '../pipeline/dissect.js';
import { PROVISIONAL, Shard } from '../pipeline/shard.js';
import type { PacketRow } from '../pipeline/rows.js';
import { JsonlWriter } from '../render/jsonl-writer.js';
import { ByteOutput } from './output.js';
import { UserError } from './errors.js';
import type { MqttVersion } from '../mqtt/types.js';

export interface JsonlWorkerData {
  capture: string;
  index: number;
  count: number;
  memory: SharedArrayBuffer;
  /** [outstanding batches per worker, then 'the main thread waits for you' per worker]: the main
   *  thread counts the batches down as it writes them. */
  flow: SharedArrayBuffer;
  ports: number[];
  mqttVersion?: MqttVersion;
  progress: boolean;
  /** This worker's batch slots (batchMemory). */
  batches: SharedArrayBuffer;
  /** The main thread hands batches' buffers of their own back here (see SlotPool.buffer). */
  returns: MessagePort;
  limits: BatchLimits;
}

/** Rows with frame numbers before `upTo` are all in this batch or earlier ones. */
export interface RowBatch {
  type: 'rows';
  index: number;
  /** The worker's slot holding (some of) the batch, which the main thread releases once it has
   *  written the rows (releaseSlot); -1 when the batch has buffers of its own. */
  slot: number;
  bytes: Uint8Array;
  frames: Int32Array;
  ends: Int32Array;
  upTo: number;
}

export type WorkerReport =
  | RowBatch
  | { type: 'warning'; message: string }
  | { type: 'connection-warning'; frameNo: number; message: string }
  | { type: 'progress'; bytesRead: number; totalBytes?: number }
  | { type: 'done'; summary: DissectSummary }
  | { type: 'error'; message: string; userError: boolean };

/** At most this many batches of one worker wait in the main thread: bounds memory when one
 *  worker runs ahead of the other or the output is slow. */
export const MAX_OUTSTANDING = 4;
/** The sizes of a worker's batches (tests make them tiny, so every path is taken). */
export interface BatchLimits {
  /** Bytes of rows in a batch (a slot). */
  batchBytes: number;
  /** Rows in a batch. */
  maxRows: number;
  /** Bytes of rows a worker may hold back for provisional ids before it waits for the others. */
  maxHeld: number;
}

export const BATCH_LIMITS: BatchLimits = { batchBytes: 1 << 18, maxRows: 1 << 14, maxHeld: 1 << 20 };

const STREAM_KEY = Buffer.from('"stream":');
/** A batch with no rows, which only says how far its worker is, shares these (never moved). */
const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_INTS = new Int32Array(0);

/**
 * One worker's batches live in shared memory: SLOTS slots, each `batchBytes` of rows, then
 * `maxRows` frame numbers and as many row ends; before them one state word per slot (1 while the
 * main thread has the slot). A batch crosses to the main thread as views on its slot, with nothing
 * copied, transferred or allocated: handing 256 KB buffers back and forth cost allocations, page
 * faults and transfers (on 1 GiB, about 1.5 CPU-seconds more, system time 1.85 s instead of
 * 1.34 s). A batch too big for a slot (a huge row, or rows held back for a provisional id) gets
 * buffers of its own.
 */
export const SLOTS = MAX_OUTSTANDING + 2;
const STATE_BYTES = 8 * Math.ceil((4 * SLOTS) / 8);
const slotBytes = (l: BatchLimits): number => 8 * Math.ceil((l.batchBytes + 8 * l.maxRows) / 8);

export function batchMemory(limits: BatchLimits = BATCH_LIMITS): SharedArrayBuffer {
  return new SharedArrayBuffer(STATE_BYTES + SLOTS * slotBytes(limits));
}

/** The main thread is done with `slot` of the worker whose batch memory this is. */
export function releaseSlot(memory: SharedArrayBuffer, slot: number): void {
  Atomics.store(new Int32Array(memory, 0, SLOTS), slot, 0);
}

/** The buffers of a batch that are not in its worker's slots: they are moved, not shared. */
export function ownBuffers(b: RowBatch): ArrayBuffer[] {
  const own: ArrayBuffer[] = [];
  for (const a of [b.bytes, b.frames, b.ends]) {
    if (a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0 && !own.includes(a.buffer)) own.push(a.buffer);
  }
  return own;
}

/** Room left at a batch's end for the row being written when the batch is flushed. */
const margin = (l: BatchLimits): number => l.batchBytes >> 6;

interface BatchBuffers {
  /** The slot, or -1 for buffers of their own. */
  slot: number;
  bytes: Buffer;
  frames: Int32Array;
  ends: Int32Array;
}

class SlotPool {
  private readonly state: Int32Array;
  /** Buffers of their own that the main thread has written out and handed back, for reuse. */
  private readonly spare: ArrayBuffer[] = [];

  constructor(
    private readonly memory: SharedArrayBuffer,
    private readonly returns: MessagePort | null,
    readonly limits: BatchLimits,
  ) {
    this.state = new Int32Array(memory, 0, SLOTS);
  }

  /** Buffers for at least `bytes` bytes and `rows` rows: a free slot's when they fit. At most
   *  MAX_OUTSTANDING slots are lent at a time (the flow control waits before that), so one of
   *  SLOTS is free; the fallback is only a safety net. */
  take(bytes: number, rows: number): BatchBuffers {
    const { batchBytes, maxRows } = this.limits;
    if (bytes <= batchBytes && rows <= maxRows) {
      for (let i = 0; i < SLOTS; i++) {
        if (Atomics.load(this.state, i) !== 0) continue;
        const at = STATE_BYTES + i * slotBytes(this.limits);
        return {
          slot: i,
          bytes: Buffer.from(this.memory, at, batchBytes),
          frames: new Int32Array(this.memory, at + batchBytes, maxRows),
          ends: new Int32Array(this.memory, at + batchBytes + 4 * maxRows, maxRows),
        };
      }
    }
    const size = Math.max(bytes, batchBytes);
    const slots = Math.max(rows, maxRows);
    return {
      slot: -1,
      bytes: Buffer.from(this.buffer(size), 0, size),
      frames: new Int32Array(this.buffer(4 * slots), 0, slots),
      ends: new Int32Array(this.buffer(4 * slots), 0, slots),
    };
  }

  /** The main thread has `slot` until it releases it (releaseSlot). */
  lend(slot: number): void {
    if (slot >= 0) Atomics.store(this.state, slot, 1);
  }

  /**
   * A buffer of its own of at least `size` bytes, handed back by the main thread
   * if one fits. They come back here to be reused or dropped: dropped in the main thread, which
   * makes little garbage and so collects rarely, they piled up (peak RSS 420 MB instead of 250).
   */
  private buffer(size: number): ArrayBuffer {
    if (this.returns) {
      for (let m = receiveMessageOnPort(this.returns); m; m = receiveMessageOnPort(this.returns)) {
        for (const b of m.message as ArrayBuffer[]) if (b.byteLength >= 4 * this.limits.maxRows) this.spare.push(b);
      }
      // The newest few are kept (held rows come in runs of similar sizes).
      if (this.spare.length > SLOTS) this.spare.splice(0, this.spare.length - SLOTS);
    }
    let best = -1;
    for (let i = 0; i < this.spare.length; i++) {
      const n = this.spare[i]!.byteLength;
      if (n >= size && (best < 0 || n < this.spare[best]!.byteLength)) best = i;
    }
    return best >= 0 ? this.spare.splice(best, 1)[0]! : new ArrayBuffer(size);
  }
}

/**
 * A ByteOutput whose full buffer becomes a batch (sent to the main thread) instead of a write.
 * A row cut by a full buffer moves to the next batch whole. Rows written with a provisional
 * connection id (see shard.ts) are held back until the id is settled, then patched and sent.
 */
class BatchOutput extends ByteOutput {
  private frames: Int32Array;
  private ends: Int32Array;
  /** The slot behind the batch being filled (its rows, or only its frames and ends once a huge
   *  row outgrew it), or -1. */
  private slot: number;
  /** The provisional connection id in each row, or -1 (never sent: not pooled). */
  private prov: Int32Array;
  private rows = 0;
  /** End of the last complete row in `buf`. */
  private rowsEnd = 0;
  /** Flush once this much is written (raised while rows are held back, so they are not copied
   *  again at every row). */
  private flushAt: number;
  private readonly limits: BatchLimits;
  private waitingForOthers = false;

  constructor(
    private readonly send: (batch: RowBatch, transfer: ArrayBuffer[]) => void,
    private readonly index: number,
    private readonly shard: Shard,
    private readonly outstanding: Int32Array,
    private readonly pool: SlotPool,
  ) {
    super(-1, 2);
    this.limits = pool.limits;
    this.flushAt = this.limits.batchBytes - margin(this.limits);
    this.prov = new Int32Array(this.limits.maxRows);
    const b = pool.take(this.limits.batchBytes, this.limits.maxRows);
    this.slot = b.slot;
    this.buf = b.bytes;
    this.frames = b.frames;
    this.ends = b.ends;
  }

  /**
   * A row is complete. `idBefore` / `idAfter`: its connection's id when the row was begun and
   * when it was done (writing may fill the buffer, and the flush may settle the id half-way).
   */
  endRow(frameNo: number, idBefore: number, idAfter: number): void {
    this.frames[this.rows] = frameNo;
    this.ends[this.rows] = this.pos;
    this.prov[this.rows] = this.provisionalIn(idBefore, idAfter);
    this.rows++;
    this.rowsEnd = this.pos;
    if (this.rows === this.frames.length || this.pos >= this.flushAt) this.flush();
  }

  /** The provisional id a row may contain (to patch once it is settled), or -1. */
  private provisionalIn(idBefore: number, idAfter: number): number {
    if (idBefore < PROVISIONAL) return -1;
    // Settled while the row was written: its rename is kept until no row being written could
    // hold the provisional id, and dropped only at a flush with nothing in the buffer, so a
    // dropped rename means the row was begun after that flush, with the settled id throughout.
    if (idAfter < PROVISIONAL && !this.shard.renames.has(idBefore)) return -1;
    return idBefore;
  }

  /** Rows not yet sent (complete or being written). */
  get holding(): boolean {
    return this.pos > 0;
  }

  /**
   * Sends the rows that can go: those before the first row whose connection id is still
   * provisional (patched where their ids were settled since). With none to send, still tells the
   * main thread how far this worker is (`upTo`). The rows that must wait stay, and the buffer grows
   * for more, up to `maxHeld`; only then does this worker wait for the others.
   */
  override flush(): void {
    this.shard.resolve(false);
    const renames = this.shard.renames;
    let cut = 0;
    let patch = false;
    for (; cut < this.rows; cut++) {
      const p = this.prov[cut]!;
      if (p < 0) continue;
      if (!renames.has(p)) break;
      patch = true;
    }
    const upTo = cut < this.rows ? this.frames[cut]! : this.shard.progress;
    if (cut > 0) this.sendRows(cut, patch, upTo);
    else this.sendProgress(upTo);
    // Nothing held and no row half-written (which may carry a provisional id from before it was
    // settled): no row needs the renames any more.
    if (this.pos === 0) renames.clear();
    this.waitForRoom();
    // A worker must not run ahead of the others without bound (the rows it holds back would
    // grow with the lead): past `maxHeld`, wait for them to pass the births. What could go has
    // gone, so they are not waiting for us.
    const { batchBytes, maxHeld } = this.limits;
    if (this.pos > maxHeld && this.shard.pending > 0 && !this.waitingForOthers) {
      this.waitingForOthers = true;
      try {
        this.shard.resolve(true);
      } finally {
        this.waitingForOthers = false;
      }
      this.flush();
      return;
    }
    // Room for a quarter batch more before the next flush, so held rows are not looked at again
    // at every row; grown by doubling, so they are copied a bounded number of times.
    this.flushAt = Math.max(batchBytes - margin(this.limits), this.pos + (batchBytes >> 2));
    if (this.flushAt + margin(this.limits) > this.buf.length || this.rows * 2 > this.frames.length) {
      this.moveTo(this.pool.take(Math.max(2 * this.buf.length, this.flushAt + margin(this.limits)), Math.max(this.frames.length, 2 * this.rows)), 0, 0);
    }
  }

  /** Sends rows [0, cut) and moves the others (and a row being written) to fresh buffers. */
  private sendRows(cut: number, patch: boolean, upTo: number): void {
    const batch: RowBatch = patch
      ? this.patched(cut, upTo)
      : { type: 'rows', index: this.index, slot: this.slot, bytes: this.buf.subarray(0, this.ends[cut - 1]!), frames: this.frames.subarray(0, cut), ends: this.ends.subarray(0, cut), upTo };
    // The slot is the main thread's from here on (lent before taking fresh buffers, so they are
    // not the same slot); what stays is copied out of it, which the main thread only reads.
    this.pool.lend(batch.slot);
    const rest = this.pos - this.ends[cut - 1]!;
    const { batchBytes, maxRows } = this.limits;
    this.moveTo(this.pool.take(Math.max(batchBytes, rest + (batchBytes >> 2) + margin(this.limits)), Math.max(maxRows, 2 * (this.rows - cut))), cut, this.ends[cut - 1]!);
    // Buffers of their own move to the main thread.
    Atomics.add(this.outstanding, this.index, 1);
    this.send(batch, ownBuffers(batch));
  }

  /** No row can go yet: only how far this worker is. */
  private sendProgress(upTo: number): void {
    const batch: RowBatch = { type: 'rows', index: this.index, slot: -1, bytes: EMPTY_BYTES, frames: EMPTY_INTS, ends: EMPTY_INTS, upTo };
    Atomics.add(this.outstanding, this.index, 1);
    this.send(batch, []);
  }

  /** Continues in `to`, keeping the rows from `firstRow` on (which start at byte `from`) and the
   *  row being written. */
  private moveTo(to: BatchBuffers, firstRow: number, from: number): void {
    const kept = this.rows - firstRow;
    to.bytes.set(this.buf.subarray(from, this.pos), 0);
    for (let r = 0; r < kept; r++) {
      to.frames[r] = this.frames[firstRow + r]!;
      to.ends[r] = this.ends[firstRow + r]! - from;
    }
    if (this.prov.length < to.frames.length) {
      const prov = new Int32Array(to.frames.length);
      prov.set(this.prov.subarray(firstRow, this.rows));
      this.prov = prov;
    } else if (firstRow > 0) {
      this.prov.copyWithin(0, firstRow, this.rows);
    }
    this.slot = to.slot;
    this.buf = to.bytes; // (the setter keeps ByteOutput's other views on it)
    this.frames = to.frames;
    this.ends = to.ends;
    this.pos -= from;
    this.rows = kept;
    this.rowsEnd = kept === 0 ? 0 : this.ends[kept - 1]!;
  }

  override reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.rowsEnd > 0) this.flush();
    // Rows held back for a provisional id fill the buffer: wait for the other workers to pass
    // their births (what could go has gone, so they are not waiting for us), then send them.
    while (this.pos + n > this.buf.length && this.rows > 0 && this.shard.pending > 0) {
      this.shard.resolve(true);
      this.flush();
    }
    if (this.pos + n > this.buf.length) {
      // One row larger than the buffer: grow it, keeping what is in it.
      const size = Math.max(this.buf.length * 2, this.pos + n);
      const bigger = Buffer.from(new ArrayBuffer(size + (size & 1)));
      bigger.set(this.buf.subarray(0, this.pos), 0);
      this.buf = bigger;
    }
  }

  /** Rows [0, cut) with each provisional `"stream":N` replaced by the settled id. */
  private patched(cut: number, upTo: number): RowBatch {
    const renames = this.shard.renames;
    const src = this.buf;
    const out = Buffer.from(new ArrayBuffer(this.ends[cut - 1]! + 16 * cut));
    const ends = new Int32Array(cut);
    let o = 0;
    let start = 0;
    for (let r = 0; r < cut; r++) {
      const end = this.ends[r]!;
      const p = this.prov[r]!;
      if (p < 0) {
        o += src.copy(out, o, start, end);
      } else {
        // The key cannot occur inside a string value: a quote there is escaped (\").
        let at = start;
        for (;;) {
          const k = src.indexOf(STREAM_KEY, at);
          if (k < 0 || k >= end) break;
          let d = k + STREAM_KEY.length;
          let v = 0;
          while (src[d]! >= 0x30 && src[d]! <= 0x39) v = v * 10 + (src[d++]! - 0x30);
          o += src.copy(out, o, at, k + STREAM_KEY.length);
          o += out.write(String(v === p ? renames.get(p)! : v), o, 'latin1');
          at = d;
        }
        o += src.copy(out, o, at, end);
      }
      ends[r] = o;
      start = end;
    }
    return { type: 'rows', index: this.index, slot: this.slot, bytes: out.subarray(0, o), frames: this.frames.subarray(0, cut), ends, upTo };
  }

  private waitForRoom(): void {
    for (;;) {
      const n = Atomics.load(this.outstanding, this.index);
      if (n < MAX_OUTSTANDING) return;
      Atomics.wait(this.outstanding, this.index, n, 100);
    }
  }
}

async function run(data: JsonlWorkerData): Promise<void> {
  const port = parentPort!;
  const post = (m: WorkerReport, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  const outstanding = new Int32Array(data.flow);
  let out: BatchOutput | null = null;
  const shard = new Shard(data.index, data.count, data.memory, { onBlock: () => out?.flush() });
  out = new BatchOutput(post, data.index, shard, outstanding, new SlotPool(data.batches, data.returns, data.limits));
  const json = new JsonlWriter(out);
  const o = out;
  let lastPercent = -1;
  try {
    const summary = await dissectCapture(
      data.capture,
      {
        row: (r: PacketRow) => {
          const conn = r.messages[0]!.conn;
          const before = conn.id;
          json.line(r);
          o.endRow(r.no, before, conn.id);
        },
      },
      {
        ports: data.ports,
        mqttVersion: data.mqttVersion,
        shard,
        onWarning: (message) => post({ type: 'warning', message }),
        onConnectionWarning: (frameNo, message) => post({ type: 'connection-warning', frameNo, message }),
        onProgress: (bytesRead, totalBytes) => {
          // The main thread waits for word of how far we are (its other rows cannot go before
          // ours): send what we have, rows or not.
          if (Atomics.load(outstanding, data.count + data.index) !== 0) {
            Atomics.store(outstanding, data.count + data.index, 0);
            o.flush();
          }
          if (!data.progress || data.index !== 0 || !totalBytes) return;
          const percent = Math.floor((100 * bytesRead) / totalBytes);
          if (percent !== lastPercent) {
            lastPercent = percent;
            post({ type: 'progress', bytesRead, totalBytes });
          }
        },
      },
    );
    // The ids still provisional are settled once the others get there (or finish).
    shard.resolve(true);
    o.flush();
    // Every row must have gone: a row held back for good would be a row silently lost.
    if (o.holding) throw new Error(`jsonl worker ${data.index}: rows left unsent at the end (a connection id never settled)`);
    post({ type: 'done', summary });
  } catch (err) {
    shard.finish(); // never leave the other workers waiting for us
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), userError: err instanceof UserError });
  }
}

if (parentPort && workerData) void run(workerData as JsonlWorkerData);
