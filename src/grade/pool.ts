// A small worker-thread pool for grading: one job per capture, as many workers as cores. A job
// that runs past its time limit or makes its worker die (out of memory, crash) is answered
// "could not read: ..." and the worker is replaced, so one file never stops the batch.

import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../pipeline/start-worker.js';
import type { GradeJob, GradeJobResult } from './worker.js';

export interface PoolOptions {
  workers?: number;
  /** Seconds one capture may take. */
  timeoutSeconds?: number;
  /** Heap limit per worker (MB). */
  maxHeapMb?: number;
}

interface Slot {
  worker: Worker;
  job: GradeJob | null;
  timer: NodeJS.Timeout | null;
  resolve: ((r: GradeJobResult) => void) | null;
}

export class GradePool {
  private readonly slots: Slot[] = [];
  private readonly queue: { job: GradeJob; resolve: (r: GradeJobResult) => void }[] = [];
  private readonly timeoutMs: number;
  private readonly maxHeapMb: number;
  private closed = false;

  constructor(opts: PoolOptions = {}) {
    const n = Math.max(1, opts.workers ?? availableParallelism());
    this.timeoutMs = (opts.timeoutSeconds ?? 300) * 1000;
    this.maxHeapMb = opts.maxHeapMb ?? 2048;
    for (let k = 0; k < n; k++) this.slots.push(this.spawn());
  }

  /** Start a worker for `slot` (a new slot when none is given). */
  private spawn(slot?: Slot): Slot {
    const worker = startWorker(import.meta.url, 'worker', { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    const s: Slot = slot ?? { worker, job: null, timer: null, resolve: null };
    s.worker = worker;
    worker.on('message', (r: GradeJobResult) => this.finish(s, r));
    worker.on('error', (err: Error & { code?: string }) =>
      this.replace(s, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the capture needs more memory than allowed' : `the reader failed: ${err.message}`),
    );
    worker.on('exit', () => {
      if (s.job && s.worker === worker) this.replace(s, 'the reader stopped unexpectedly');
    });
    worker.unref();
    return s;
  }

  run(job: GradeJob): Promise<GradeJobResult> {
    return new Promise((resolve) => {
      this.queue.push({ job, resolve });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job || !this.queue.length) continue;
      const { job, resolve } = this.queue.shift()!;
      slot.job = job;
      slot.resolve = resolve;
      slot.timer = setTimeout(() => this.replace(slot, `took longer than ${this.timeoutMs / 1000} s`), this.timeoutMs);
      slot.worker.ref();
      slot.worker.postMessage(job);
    }
  }

  private finish(slot: Slot, r: GradeJobResult): void {
    if (!slot.job || r.id !== slot.job.id) return;
    const resolve = slot.resolve!;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    slot.resolve = null;
    slot.timer = null;
    slot.worker.unref();
    resolve(r);
    this.pump();
  }

  /** The job in this slot failed with `reason`: answer it, and start a fresh worker. */
  private replace(slot: Slot, reason: string): void {
    const job = slot.job;
    const resolve = slot.resolve;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    slot.resolve = null;
    slot.timer = null;
    const old = slot.worker;
    old.removeAllListeners();
    old.on('error', () => {});
    void old.terminate();
    if (!this.closed) this.spawn(slot);
    if (job && resolve) resolve({ id: job.id, status: 'unreadable', reason });
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.slots) s.worker.removeAllListeners();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
