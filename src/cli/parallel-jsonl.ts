// `--format jsonl` on three or more threads: each worker (jsonl-worker.ts) reads the whole capture
// and dissects the connections that hash to it (pipeline/shard.ts); this thread merges their rows
// by frame number and writes them. The output is byte for byte what one thread writes. (Two
// threads are a pipeline instead, see commands/list.ts: on two cores the split costs more CPU
// than it saves, 9.1-9.5 s against 8.6 s on 1 GiB, and twice the memory.)

import { statSync } from 'node:fs';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '../pipeline/start-worker.js';
import type { DissectOptions, DissectSummary } from '../pipeline/dissect.js';
import { shardMemory } from '../pipeline/shard.js';
import { WORKER_LIMITS, worthThreads } from '../pipeline/threaded.js';
import { ByteOutput } from './output.js';
import { UserError } from './errors.js';
import { BATCH_LIMITS, batchMemory, ownBuffers, releaseSlot, type BatchLimits, type JsonlWorkerData, type RowBatch, type WorkerReport } from './jsonl-worker.js';

/** A second thread writes the packet list faster only on big files: on 2 cores, 100 MB takes
 *  as long on two threads as on one (1.43 vs 1.41 s), 1 GiB 8.6 s instead of 9.6 s. */
const MIN_PARALLEL_BYTES = 256 << 20;

/**
 * How many threads `--format jsonl` should use: `jobs` when given; otherwise 2 for a big,
 * uncompressed regular file on a machine with the cores (worthThreads), else 1.
 */
export function jsonlThreads(capture: string, jobs: number | undefined): number {
  if (capture === '-' || tooManyFramesPossible(capture)) return 1;
  if (jobs !== undefined) return jobs;
  return worthThreads(capture, MIN_PARALLEL_BYTES) ? 2 : 1;
}

/** The workers exchange frame numbers as int32: a file that could hold 2^31 frames (16-byte
 *  records at the least) stays on one thread. */
function tooManyFramesPossible(capture: string): boolean {
  try {
    return statSync(capture).size >= 16 * 2 ** 31;
  } catch {
    return false;
  }
}

/** One worker's batches waiting to be written, and how far it has got. */
interface Lane {
  batches: RowBatch[];
  /** Next row of batches[0]. */
  row: number;
  upTo: number;
  done: boolean;
}

/** Merges the workers' rows in frame order into `out`, as they arrive. */
export class RowMerger {
  private readonly lanes: Lane[];

  constructor(
    count: number,
    private readonly out: ByteOutput,
    /** A batch of worker k was written out (or was empty): its buffers are free. */
    private readonly consumed: (k: number, b: RowBatch) => void,
    /** Rows wait for word from worker k (a batch, even empty, to say how far it is). */
    private readonly waitingFor: (k: number) => void = () => {},
  ) {
    this.lanes = Array.from({ length: count }, () => ({ batches: [], row: 0, upTo: 0, done: false }));
  }

  add(b: RowBatch): void {
    const lane = this.lanes[b.index]!;
    lane.upTo = Math.max(lane.upTo, b.upTo);
    if (b.frames.length === 0) this.consumed(b.index, b);
    else lane.batches.push(b);
    this.drain();
  }

  finish(k: number): void {
    this.lanes[k]!.done = true;
    this.drain();
  }

  /** True when every row of every worker has been written. */
  get empty(): boolean {
    return this.lanes.every((l) => l.done && l.batches.length === 0);
  }

  /** Writes every row that no worker can still precede with a row of an earlier frame. */
  private drain(): void {
    for (;;) {
      // The lane with the earliest next row, and the bound the others set on it.
      let best = -1;
      let bestFrame = Infinity;
      for (let k = 0; k < this.lanes.length; k++) {
        const f = this.head(k);
        if (f < bestFrame) {
          bestFrame = f;
          best = k;
        }
      }
      if (best < 0) return;
      let bound = Infinity;
      let bounder = -1;
      for (let k = 0; k < this.lanes.length; k++) {
        if (k === best) continue;
        const l = this.lanes[k]!;
        const f = this.head(k);
        // Without a row in hand, a running worker may still send rows from its upTo on.
        const b = f !== Infinity ? f : l.done ? Infinity : l.upTo;
        if (b < bound) {
          bound = b;
          bounder = k;
        }
      }
      if (bestFrame >= bound) {
        this.waitingFor(bounder); // a worker that is behind, or has not said how far it is
        return;
      }
      this.writeRun(best, bound);
    }
  }

  private head(k: number): number {
    const l = this.lanes[k]!;
    const b = l.batches[0];
    return b ? b.frames[l.row]! : Infinity;
  }

  /** Writes lane k's consecutive rows before frame `bound` from its first batch in one copy. */
  private writeRun(k: number, bound: number): void {
    const l = this.lanes[k]!;
    const b = l.batches[0]!;
    const first = l.row;
    let r = first;
    while (r < b.frames.length && b.frames[r]! < bound) r++;
    const start = first === 0 ? 0 : b.ends[first - 1]!;
    const end = b.ends[r - 1]!;
    this.out.bytesOf(b.bytes, start, end);
    l.row = r;
    if (r === b.frames.length) {
      l.batches.shift();
      l.row = 0;
      this.consumed(k, b);
    }
  }
}

/** Sums the workers' summaries: capture-wide counts come from worker 0 only (all read it all). */
export function mergeSummaries(parts: DissectSummary[]): DissectSummary {
  const s0 = parts[0]!;
  const total: DissectSummary = {
    ...s0,
    skipped: { ...s0.skipped },
    framingErrors: { ...s0.framingErrors },
  };
  for (const p of parts.slice(1)) {
    total.mqttFrames += p.mqttFrames;
    total.pdus += p.pdus;
    total.malformedPdus += p.malformedPdus;
    total.connections += p.connections;
    total.tlsConnections += p.tlsConnections;
    total.defaultVersionConnections += p.defaultVersionConnections;
    for (const [k, v] of Object.entries(p.skipped)) total.skipped[k] = (total.skipped[k] ?? 0) + v;
    for (const k of Object.keys(total.framingErrors) as (keyof DissectSummary['framingErrors'])[]) total.framingErrors[k] += p.framingErrors[k];
  }
  return total;
}

/** The packet list as JSON Lines on stdout, dissected by `threads` workers; null when whoever
 *  reads our output went away (`| head`) and the workers were stopped. */
export async function jsonlInParallel(
  capture: string,
  threads: number,
  options: DissectOptions,
  out = new ByteOutput(),
  limits: BatchLimits = BATCH_LIMITS,
): Promise<DissectSummary | null> {
  const memory = shardMemory(threads);
  const flow = new SharedArrayBuffer(8 * threads);
  const outstanding = new Int32Array(flow);
  const batches = Array.from({ length: threads }, () => batchMemory(limits));
  const returns: MessagePort[] = [];
  const merger = new RowMerger(
    threads,
    out,
    (k, b) => {
      if (b.slot >= 0) releaseSlot(batches[k]!, b.slot);
      const own = ownBuffers(b);
      if (own.length > 0) returns[k]!.postMessage(own, own);
      Atomics.sub(outstanding, k, 1);
      Atomics.notify(outstanding, k);
    },
    (k) => Atomics.store(outstanding, threads + k, 1),
  );
  const workers: Worker[] = [];
  const summaries: DissectSummary[] = new Array(threads);
  let firstConnectionWarning: { frameNo: number; message: string } | null = null;
  let stopped = false;
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      const fail = (err: Error) => reject(err);
      for (let index = 0; index < threads; index++) {
        const channel = new MessageChannel();
        returns.push(channel.port1);
        const data: JsonlWorkerData = {
          returns: channel.port2,
          batches: batches[index]!,
          limits,
          capture,
          index,
          count: threads,
          memory,
          flow,
          ports: options.ports ?? [],
          mqttVersion: options.mqttVersion,
          progress: options.onProgress !== undefined,
        };
        const w = startWorker(import.meta.url, 'jsonl-worker', { workerData: data, transferList: [channel.port2], resourceLimits: WORKER_LIMITS });
        workers.push(w);
        w.on('error', fail);
        // (Messages a worker posted before exiting arrive before its exit event.)
        w.on('exit', (code) => summaries[index] === undefined && fail(new Error(`packet list worker ${index} exited (code ${code})`)));
        w.on('message', (m: WorkerReport) => {
          switch (m.type) {
            case 'rows':
              merger.add(m);
              if (out.closed) {
                stopped = true;
                resolve();
              }
              break;
            case 'warning':
              options.onWarning?.(m.message);
              break;
            case 'connection-warning':
              if (!firstConnectionWarning || m.frameNo < firstConnectionWarning.frameNo) firstConnectionWarning = m;
              break;
            case 'progress':
              options.onProgress?.(m.bytesRead, m.totalBytes);
              break;
            case 'error':
              fail(m.userError ? new UserError(m.message) : new Error(m.message));
              break;
            case 'done':
              summaries[index] = m.summary;
              merger.finish(index);
              if (++finished === threads) resolve();
              break;
          }
        });
      }
    });
  } finally {
    for (const w of workers) w.removeAllListeners('exit');
    await Promise.all(workers.map((w) => w.terminate()));
    for (const p of returns) p.close();
  }
  if (stopped) return null;
  if (!merger.empty) throw new Error('parallel packet list: rows left unmerged at the end');
  const summary = mergeSummaries(summaries);
  const w = firstConnectionWarning as { frameNo: number; message: string } | null;
  if (w) options.onWarning?.(w.message);
  const cut = summary.framingErrors['cut-short'];
  if (cut > 0) options.onWarning?.(`${cut} MQTT packet(s) cut short by the end of their connection or of the capture`);
  return summary;
}
