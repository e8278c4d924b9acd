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
  /** The main thread hands written batches' buffers back here, for reuse. */
  returns: MessagePort;
}

/** Rows with frame numbers before `upTo` are all in this batch or earlier ones. */
export interface RowBatch {
  type: 'rows';
  index: number;
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
const BATCH_BYTES = 1 << 18;
const MAX_ROWS = 1 << 14;
/** Bytes of rows a worker may hold back for provisional ids before it waits for the others. */
const MAX_HELD = 4 << 20;

const STREAM_KEY = Buffer.from('"stream":');

/**
 * Buffers the main thread has written out and handed back, by size: a batch's buffers are reused
 * rather than allocated, zeroed and collected again for every batch.
 */
class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();

  constructor(
    private readonly port: MessagePort | null,
    sizes: number[],
  ) {
    for (const n of sizes) this.free.set(n, []);
  }

  take(size: number): ArrayBuffer {
    this.collect();
    return this.free.get(size)?.pop() ?? new ArrayBuffer(size);
  }

  private collect(): void {
    if (!this.port) return;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      for (const b of m.message as ArrayBuffer[]) {
        // Only the usual sizes: a patched batch or a grown buffer has a size of its own, and
        // keeping one list per size would keep them all.
        const list = this.free.get(b.byteLength);
        if (list && list.length < MAX_OUTSTANDING + 2) list.push(b);
      }
    }
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
  /** The provisional connection id in each row, or -1 (never sent: not pooled). */
  private prov = new Int32Array(MAX_ROWS);
  private rows = 0;
  /** End of the last complete row in `buf`. */
  private rowsEnd = 0;
  /** Flush once this much is written (raised while rows are held back, so they are not copied
   *  again at every row). */
  private flushAt = BATCH_BYTES - 4096;
  private waitingForOthers = false;

  constructor(
    private readonly send: (batch: RowBatch, transfer: ArrayBuffer[]) => void,
    private readonly index: number,
    private readonly shard: Shard,
    private readonly outstanding: Int32Array,
    private readonly pool: BufferPool,
  ) {
    super(-1, BATCH_BYTES);
    this.frames = new Int32Array(pool.take(4 * MAX_ROWS));
    this.ends = new Int32Array(pool.take(4 * MAX_ROWS));
  }

  endRow(frameNo: number, connectionId: number): void {
    this.frames[this.rows] = frameNo;
    this.ends[this.rows] = this.pos;
    this.prov[this.rows] = connectionId >= PROVISIONAL ? connectionId : -1;
    this.rows++;
    this.rowsEnd = this.pos;
    if (this.rows === this.frames.length || this.pos >= this.flushAt) this.flush();
  }

  /** Rows not yet sent (complete or being written). */
  get holding(): boolean {
    return this.pos > 0;
  }

  /**
   * Sends the rows that can go: those before the first row whose connection id is still
   * provisional (patched where their ids were settled since). Also sent with no rows: the main
   * thread learns how far this worker is (`upTo`).
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
    const cutAt = cut === 0 ? 0 : this.ends[cut - 1]!;
    const upTo = cut < this.rows ? this.frames[cut]! : this.shard.progress;
    // What stays: the held-back rows and a row being written, copied out before the buffer goes.
    const keep = Buffer.from(this.buf.subarray(cutAt, this.pos));
    const keptRows = this.rows - cut;
    const keptFrames = this.frames.slice(cut, this.rows);
    const keptEnds = this.ends.slice(cut, this.rows).map((e) => e - cutAt);
    const keptProv = this.prov.slice(cut, this.rows);
    let batch: RowBatch;
    let transfer: ArrayBuffer[];
    if (patch) {
      batch = this.patched(cut, upTo);
      transfer = [batch.bytes.buffer as ArrayBuffer, batch.ends.buffer as ArrayBuffer];
    } else {
      batch = { type: 'rows', index: this.index, bytes: this.buf.subarray(0, cutAt), frames: this.frames.subarray(0, cut), ends: this.ends.subarray(0, cut), upTo };
      transfer = [this.buf.buffer as ArrayBuffer, this.ends.buffer as ArrayBuffer];
    }
    transfer.push(this.frames.buffer as ArrayBuffer);
    Atomics.add(this.outstanding, this.index, 1);
    this.send(batch, transfer);
    // Nothing held and no row half-written (which may carry a provisional id from before it was
    // settled): no row needs the renames any more.
    if (keep.length === 0) renames.clear();

    this.flushAt = Math.max(BATCH_BYTES - 4096, keep.length + (BATCH_BYTES >> 2));
    const size = Math.max(BATCH_BYTES, this.flushAt + 4096);
    const fresh = Buffer.from(this.pool.take(size + (size & 1)));
    fresh.set(keep, 0);
    this.buf = fresh; // (the setter keeps ByteOutput's other views on it)
    this.pos = keep.length;
    const rowSlots = Math.max(MAX_ROWS, keptRows * 2);
    this.frames = new Int32Array(this.pool.take(4 * rowSlots));
    this.ends = new Int32Array(this.pool.take(4 * rowSlots));
    if (this.prov.length < rowSlots) this.prov = new Int32Array(rowSlots);
    this.frames.set(keptFrames);
    this.ends.set(keptEnds);
    this.prov.set(keptProv);
    this.rows = keptRows;
    this.rowsEnd = keptRows === 0 ? 0 : this.ends[keptRows - 1]!;
    this.waitForRoom();
    // A worker must not run ahead of the others without bound (the rows it holds back would
    // grow with the lead): past MAX_HELD, wait for them to pass the births. What could go has
    // gone, so they are not waiting for us.
    if (keep.length > MAX_HELD && this.shard.pending > 0 && !this.waitingForOthers) {
      this.waitingForOthers = true;
      try {
        this.shard.resolve(true);
      } finally {
        this.waitingForOthers = false;
      }
      this.flush();
    }
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
    return { type: 'rows', index: this.index, bytes: out.subarray(0, o), frames: this.frames.subarray(0, cut), ends, upTo };
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
  out = new BatchOutput(post, data.index, shard, outstanding, new BufferPool(data.returns, [BATCH_BYTES, 4 * MAX_ROWS]));
  const json = new JsonlWriter(out);
  const o = out;
  let lastPercent = -1;
  try {
    const summary = await dissectCapture(
      data.capture,
      {
        row: (r: PacketRow) => {
          // The id before writing: a big row's buffer may fill and settle the id half-way.
          const id = r.messages[0]!.conn.id;
          json.line(r);
          o.endRow(r.no, id);
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
