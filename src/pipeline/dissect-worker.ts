// Worker thread of dissectInWorker (threaded.ts): dissects the capture and sends its events, packets
// as raw bytes, in batches to the thread that analyses them.

import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { dissectCapture, type DissectSummary } from './dissect.js';
import { EventWriter } from './event-wire.js';
import type { DissectedRow } from './rows.js';
import { UserError } from '../cli/errors.js';
import type { MqttVersion } from '../mqtt/types.js';

export interface DissectWorkerData {
  capture: string;
  ports: number[];
  mqttVersion?: MqttVersion;
  progress: boolean;
  /** Send the packet-list rows too. */
  rows: boolean;
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

export const BATCH_BYTES = 1 << 18;
/** Batches in flight: bounds memory when the analysis is slower than the dissection. */
export const MAX_IN_FLIGHT = 4;

async function run(data: DissectWorkerData): Promise<void> {
  const port = parentPort!;
  const inFlight = new Int32Array(data.flow);
  const free: ArrayBuffer[] = [];
  const w = new EventWriter(BATCH_BYTES + 4096);
  const send = (): void => {
    if (w.pos === 0) return;
    const bytes = w.buf.subarray(0, w.pos);
    Atomics.add(inFlight, 0, 1);
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
  try {
    const summary = await dissectCapture(
      data.capture,
      {
        connection: (c) => w.connection(c),
        message: (m) => {
          w.message(m, pdu!.subarray(pduStart, pduEnd));
          if (!data.rows && w.pos >= BATCH_BYTES) send();
        },
        gap: (c, d, f, t, n) => w.gap(c, d, f, t, n),
        close: (c, k, d, f, t) => w.close(c, k, d, f, t),
        end: (f, t) => w.end(f, t),
        // A row goes in the batch of its messages: the receiver's decoded packets are views on
        // the batch, which goes back here once replayed.
        row: data.rows
          ? (r) => {
              w.row(r as DissectedRow);
              if (w.pos >= BATCH_BYTES) send();
            }
          : undefined,
      },
      {
        ports: data.ports,
        mqttVersion: data.mqttVersion,
        onWarning: (message) => port.postMessage({ type: 'warning', message } satisfies DissectWorkerReport),
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
