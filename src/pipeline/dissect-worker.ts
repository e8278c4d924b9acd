// Worker thread of dissectInWorker (threaded.ts): dissects the capture and sends its events, packets
// as raw bytes, in batches to the thread that analyses them.

import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { dissectCapture, UNDECODED, type DissectSummary } from './dissect.js';
import { EventWriter } from './event-wire.js';
import type { DissectedRow } from './rows.js';
import { JsonlWriter } from '../render/jsonl-writer.js';
import { ByteOutput } from '../cli/output.js';
import { UserError } from '../cli/errors.js';
import type { MqttVersion } from '../mqtt/types.js';

export interface DissectWorkerData {
  capture: string;
  ports: number[];
  mqttVersion?: MqttVersion;
  progress: boolean;
  /** Send the packet-list rows too. */
  rows: boolean;
  /** The receiver takes rows as JSON lines too: write some here when it falls behind. */
  jsonLines: boolean;
  /** A fixed share of rows to write here as JSON lines (tests); adaptive when absent. */
  jsonShare?: number;
  /** [batches sent and not yet replayed]: the receiving thread counts them down. */
  flow: SharedArrayBuffer;
  /** Replayed batches' buffers come back here, for reuse. */
  returns: MessagePort;
}

export type DissectWorkerReport =
  | { type: 'events'; bytes: Uint8Array }
  | { type: 'warning'; message: string }
  | { type: 'progress'; bytesRead: number; totalBytes?: number }
  | { type: 'done'; summary: DissectSummary }
  | { type: 'error'; message: string; userError: boolean };

/** Bytes of events per batch. Each batch costs the receiving thread ~0.1-0.2 ms of messaging
 *  (1 GiB list: 0.6 s of gaps with 256 KB batches, 0.4 s with 1 MB); four in flight stay small. */
export const BATCH_BYTES = 1 << 20;
/** A batch this big goes early when the receiver is idle. */
export const EARLY_BYTES = 1 << 16;
/** Batches in flight: bounds memory when the analysis is slower than the dissection. */
export const MAX_IN_FLIGHT = 4;
/**
 * How much of the JSON writing this worker takes on, when the receiver takes JSON lines: the
 * share of rows it decodes and writes itself (the others it sends undecoded, for the receiver to
 * decode and write). Adjusted at each batch by how many are in flight: the receiver behind
 * (3 or more waiting) → a larger share, idle (none) → smaller.
 */
class HelpShare {
  private credit = 0;

  /** `fixed`: always this share (tests), else adaptive from 0. */
  constructor(
    private share = 0,
    private readonly fixed = false,
  ) {}

  /** After sending a batch, with `inFlight` batches not yet replayed. */
  adjust(inFlight: number): void {
    if (this.fixed) return;
    if (inFlight >= 3) this.share = Math.min(1, this.share + STEP);
    else if (inFlight === 0) this.share = Math.max(0, this.share - STEP);
  }

  /** Write this row here? */
  take(): boolean {
    this.credit += this.share;
    if (this.credit < 1) return false;
    this.credit -= 1;
    return true;
  }
}
const STEP = 0.05;

/** One JSON line at a time, growing to the longest. */
class LineBuffer extends ByteOutput {
  constructor() {
    super(-1, 1 << 16);
  }

  override reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.from(new ArrayBuffer(Math.max(2 * this.buf.length, this.pos + n)));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  override flush(): void {}
}

async function run(data: DissectWorkerData): Promise<void> {
  const port = parentPort!;
  const inFlight = new Int32Array(data.flow);
  const free: ArrayBuffer[] = [];
  const w = new EventWriter(BATCH_BYTES + 4096);
  const help = data.jsonShare === undefined ? new HelpShare() : new HelpShare(data.jsonShare, true);
  const send = (): void => {
    if (w.pos === 0) return;
    const bytes = w.buf.subarray(0, w.pos);
    help.adjust(Atomics.add(inFlight, 0, 1));
    port.postMessage({ type: 'events', bytes } satisfies DissectWorkerReport, [bytes.buffer as ArrayBuffer]);
    // Wait while the other side is behind, taking back the buffers it is done with.
    for (;;) {
      for (let m = receiveMessageOnPort(data.returns); m; m = receiveMessageOnPort(data.returns)) free.push(m.message as ArrayBuffer);
      const n = Atomics.load(inFlight, 0);
      if (n < MAX_IN_FLIGHT) break;
      Atomics.wait(inFlight, 0, n, 50);
    }
    const reuse = free.pop();
    w.reset(reuse && reuse.byteLength >= BATCH_BYTES + 4096 ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(BATCH_BYTES + 4096));
  };
  let pdu: Uint8Array | null = null;
  let pduStart = 0;
  let pduEnd = 0;
  let lastPercent = -1;
  const line = data.jsonLines ? new LineBuffer() : null;
  const json = line ? new JsonlWriter(line) : null;
  // Whether the frame being dissected is written here as a JSON line: decided at its first
  // packet, so that its packets are decoded here and not sent, or sent undecoded.
  let writeHere = false;
  try {
    const summary = await dissectCapture(
      data.capture,
      {
        connection: (c) => w.connection(c),
        message: (m) => {
          if (writeHere) return;
          w.message(m, pdu!, pduStart, pduEnd, m.result !== UNDECODED);
          if (!data.rows && w.pos >= BATCH_BYTES) send();
        },
        gap: (c, d, f, t, n) => w.gap(c, d, f, t, n),
        close: (c, k, d, f, t) => w.close(c, k, d, f, t),
        end: (f, t) => w.end(f, t),
        // A row goes in the batch of its messages: the receiver's decoded packets are views on
        // the batch, which goes back here once replayed.
        row: data.rows
          ? (r) => {
              if (writeHere) {
                line!.pos = 0;
                json!.line(r);
                w.jsonLine(line!.buf, line!.pos);
              } else {
                w.row(r as DissectedRow);
              }
              // A receiver with nothing left to do gets what is ready rather than wait for a full batch.
              if (w.pos >= BATCH_BYTES || (w.pos >= EARLY_BYTES && Atomics.load(inFlight, 0) === 0)) send();
            }
          : undefined,
      },
      {
        ports: data.ports,
        mqttVersion: data.mqttVersion,
        onWarning: (message) => port.postMessage({ type: 'warning', message } satisfies DissectWorkerReport),
        // The receiver decodes what it is sent; here only the rows written here.
        decodeFrame: () => (writeHere = json !== null && help.take()),
        // Every message and row is encoded or written at once (above): none is kept.
        transient: true,
        onPacketBytes: (buf, start, end) => {
          pdu = buf;
          pduStart = start;
          pduEnd = end;
        },
        onProgress: (bytesRead, totalBytes) => {
          if (!data.progress || !totalBytes) return;
          const percent = Math.floor((100 * bytesRead) / totalBytes);
          if (percent === lastPercent) return;
          lastPercent = percent;
          port.postMessage({ type: 'progress', bytesRead, totalBytes } satisfies DissectWorkerReport);
        },
      },
    );
    send();
    port.postMessage({ type: 'done', summary } satisfies DissectWorkerReport);
  } catch (err) {
    port.postMessage({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
      userError: err instanceof UserError,
    } satisfies DissectWorkerReport);
  }
}

if (parentPort && workerData) void run(workerData as DissectWorkerData);
