// Worker thread of `--format jsonl` split across threads (parallel-jsonl.ts): dissects its share of
// the connections and writes their rows as JSON Lines into batches, each with the frame number and
// end offset of every row, which the main thread merges in frame order.

import { parentPort, workerData } from 'node:worker_threads';
import { dissectCapture, type DissectSummary } from '../pipeline/dissect.js';
import { Shard } from '../pipeline/shard.js';
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
  /** [outstanding batches per worker]: the main thread counts them down as it writes them. */
  flow: SharedArrayBuffer;
  ports: number[];
  mqttVersion?: MqttVersion;
  progress: boolean;
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

/**
 * A ByteOutput whose full buffer becomes a batch (sent to the main thread) instead of a write.
 * A row cut by a full buffer moves to the next batch whole.
 */
class BatchOutput extends ByteOutput {
  private frames = new Int32Array(MAX_ROWS);
  private ends = new Int32Array(MAX_ROWS);
  private rows = 0;
  /** End of the last complete row in `buf`. */
  private rowsEnd = 0;

  constructor(
    private readonly send: (batch: RowBatch, transfer: ArrayBuffer[]) => void,
    private readonly index: number,
    private readonly shard: () => Shard,
    private readonly outstanding: Int32Array,
  ) {
    super(-1, BATCH_BYTES);
  }

  endRow(frameNo: number): void {
    this.frames[this.rows] = frameNo;
    this.ends[this.rows] = this.pos;
    this.rows++;
    this.rowsEnd = this.pos;
    if (this.rows === MAX_ROWS || this.pos >= BATCH_BYTES - 4096) this.flush();
  }

  /** Sends the complete rows (also with none: the main thread learns how far we are). */
  override flush(): void {
    // The start of a row cut by a full buffer: copied out before the buffer is handed over.
    const partial = Buffer.from(this.buf.subarray(this.rowsEnd, this.pos));
    const bytes = this.buf.subarray(0, this.rowsEnd);
    const frames = this.frames.subarray(0, this.rows);
    const ends = this.ends.subarray(0, this.rows);
    const batch: RowBatch = { type: 'rows', index: this.index, bytes, frames, ends, upTo: this.shard().progress };
    Atomics.add(this.outstanding, this.index, 1);
    this.send(batch, [this.buf.buffer as ArrayBuffer, this.frames.buffer as ArrayBuffer, this.ends.buffer as ArrayBuffer]);
    this.waitForRoom();
    const size = Math.max(BATCH_BYTES, partial.length * 2);
    const fresh = Buffer.from(new ArrayBuffer(size));
    fresh.set(partial, 0);
    this.buf = fresh;
    this.words = new Uint16Array(fresh.buffer, 0, fresh.length >> 1);
    this.pos = partial.length;
    this.rowsEnd = 0;
    this.rows = 0;
    this.frames = new Int32Array(MAX_ROWS);
    this.ends = new Int32Array(MAX_ROWS);
  }

  override reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.rowsEnd > 0) this.flush();
    if (this.pos + n > this.buf.length) {
      // One row larger than the buffer: grow it, keeping what the row has written so far.
      const bigger = Buffer.from(new ArrayBuffer(Math.max(this.buf.length * 2, this.pos + n + (n & 1))));
      bigger.set(this.buf.subarray(0, this.pos), 0);
      this.buf = bigger;
      this.words = new Uint16Array(bigger.buffer, 0, bigger.length >> 1);
    }
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
  out = new BatchOutput(post, data.index, () => shard, outstanding);
  const json = new JsonlWriter(out);
  const o = out;
  let lastPercent = -1;
  try {
    const summary = await dissectCapture(
      data.capture,
      {
        row: (r: PacketRow) => {
          json.line(r);
          o.endRow(r.no);
        },
      },
      {
        ports: data.ports,
        mqttVersion: data.mqttVersion,
        shard,
        onWarning: (message) => post({ type: 'warning', message }),
        onConnectionWarning: (frameNo, message) => post({ type: 'connection-warning', frameNo, message }),
        onProgress: (bytesRead, totalBytes) => {
          // Every chunk read also tells the main thread how far this worker is, rows or not.
          o.flush();
          if (!data.progress || data.index !== 0 || !totalBytes) return;
          const percent = Math.floor((100 * bytesRead) / totalBytes);
          if (percent !== lastPercent) {
            lastPercent = percent;
            post({ type: 'progress', bytesRead, totalBytes });
          }
        },
      },
    );
    o.flush();
    post({ type: 'done', summary });
  } catch (err) {
    shard.finish(); // never leave the other workers waiting for us
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), userError: err instanceof UserError });
  }
}

if (parentPort && workerData) void run(workerData as JsonlWorkerData);
