// The dissection on a worker thread, its events replayed here: on two cores the analysis (the
// slower half of `check`) overlaps the dissection instead of following it. The sink sees exactly
// the events, in the same order, that dissectCapture would give it (a test holds the analysis
// equal on every fixture and corpus capture).

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { startWorker } from './start-worker.js';
import { isGzipStart } from '../capture/source.js';
import type { DissectOptions, DissectSummary } from './dissect.js';
import type { DissectionSink } from './events.js';
import type { RowSink } from './dissect.js';
import { EventReader, type JsonLineSink } from './event-wire.js';
import { UserError } from '../cli/errors.js';
import type { DissectWorkerData, DissectWorkerReport } from './dissect-worker.js';

/**
 * A worker's young generation kept small: V8's default lets each isolate's nursery grow to tens of
 * MB, which three isolates pay three times (peak RSS 270 MB on the 1 GiB capture); the objects a
 * worker makes die young in any case. Measured: same speed, about half the memory.
 */
export const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };

/** Below this size one thread is as quick for `check`: starting a worker costs what it saves. */
export const MIN_THREADED_BYTES = 32 << 20;

/**
 * Is a second thread worth it for this capture: an uncompressed regular file of `minBytes` or
 * more on a machine with 2 or more cores? (stdin cannot be read twice; gzip would be decompressed
 * once per thread.)
 */
export function worthThreads(capture: string, minBytes = MIN_THREADED_BYTES): boolean {
  if (capture === '-' || availableParallelism() < 2) return false;
  try {
    const st = statSync(capture);
    return st.isFile() && st.size >= minBytes && !isGzip(capture);
  } catch {
    return false; // the one-thread path says what is wrong with the file
  }
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return isGzipStart(b.subarray(0, readSync(fd, b, 0, 2, 0)));
  } finally {
    closeSync(fd);
  }
}

/** For tests: `jsonShare`, a fixed share of rows the worker writes as JSON lines itself. */
export interface Tuning {
  jsonShare?: number;
}

/**
 * dissectCapture(path, sink, opts), with the dissection on a worker thread. A sink that takes
 * `jsonLine`s as well as rows gets some rows as JSON lines written by the worker, as many as
 * keep both threads busy (see dissect-worker.ts). With `opts.stop` (asked after each batch), a
 * run told to stop resolves to null: whoever reads our output went away (`| head`).
 */
export async function dissectInWorker(path: string, sink: DissectionSink & RowSink & JsonLineSink, opts: DissectOptions & { stop: () => boolean }, tuning?: Tuning): Promise<DissectSummary | null>;
export async function dissectInWorker(path: string, sink: DissectionSink & RowSink & JsonLineSink, opts?: Omit<DissectOptions, 'stop'>, tuning?: Tuning): Promise<DissectSummary>;
export async function dissectInWorker(path: string, sink: DissectionSink & RowSink & JsonLineSink, opts: DissectOptions = {}, tuning: Tuning = {}): Promise<DissectSummary | null> {
  const flow = new SharedArrayBuffer(4);
  const inFlight = new Int32Array(flow);
  const channel = new MessageChannel();
  const reader = new EventReader(sink);
  const data: DissectWorkerData = {
    capture: path,
    ports: opts.ports ?? [],
    mqttVersion: opts.mqttVersion,
    progress: opts.onProgress !== undefined,
    rows: sink.row !== undefined,
    jsonLines: sink.jsonLine !== undefined,
    jsonShare: tuning.jsonShare,
    flow,
    returns: channel.port2,
  };
  const worker = startWorker(import.meta.url, 'dissect-worker', { workerData: data, transferList: [channel.port2], resourceLimits: WORKER_LIMITS });
  try {
    return await new Promise<DissectSummary | null>((resolve, reject) => {
      let finished = false;
      worker.on('error', reject);
      // (Messages posted before a worker exits are delivered before its exit event.)
      worker.on('exit', (code) => finished || reject(new Error(`dissection worker exited (code ${code})`)));
      worker.on('message', (m: DissectWorkerReport) => {
        try {
          switch (m.type) {
            case 'events':
              reader.replay(m.bytes, m.bytes.length);
              if (opts.stop?.()) {
                finished = true;
                resolve(null);
                break;
              }
              channel.port1.postMessage(m.bytes.buffer, [m.bytes.buffer as ArrayBuffer]);
              Atomics.sub(inFlight, 0, 1);
              Atomics.notify(inFlight, 0);
              break;
            case 'warning':
              opts.onWarning?.(m.message);
              break;
            case 'progress':
              opts.onProgress?.(m.bytesRead, m.totalBytes);
              break;
            case 'error':
              reject(m.userError ? new UserError(m.message) : new Error(m.message));
              break;
            case 'done':
              finished = true;
              resolve({ ...m.summary, malformedPdus: m.summary.malformedPdus + reader.malformed });
              break;
          }
        } catch (err) {
          reject(err as Error); // the sink failed: a bug, reported as one
        }
      });
    });
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
    channel.port1.close();
  }
}
