// Grading worker thread: reads one capture and evaluates the rubric parts that read it. Runs off
// the main thread so a class is graded on all cores, and so a capture that makes the reader
// misbehave (too slow, too much memory) can be stopped without stopping the batch.

import { parentPort } from 'node:worker_threads';
import { collectCapture } from '../expect/collect.js';
import { evaluatePart, type PartResult } from '../expect/evaluate.js';
import type { Part } from '../expect/schema.js';
import type { MqttVersion } from '../mqtt/types.js';

export interface GradeJob {
  id: number;
  path: string;
  name: string;
  parts: Part[];
  analyze: boolean;
  ports: number[];
  mqttVersion?: MqttVersion;
  maxPackets: number;
}

export type GradeJobResult =
  | { id: number; status: 'ok'; parts: PartResult[] }
  | { id: number; status: 'unreadable'; reason: string };

export async function runJob(job: GradeJob): Promise<GradeJobResult> {
  try {
    const c = await collectCapture(job.path, { name: job.name, analyze: job.analyze, ports: job.ports, mqttVersion: job.mqttVersion, maxPackets: job.maxPackets });
    if (c.status !== 'ok') return { id: job.id, status: 'unreadable', reason: c.reason };
    return { id: job.id, status: 'ok', parts: job.parts.map((p) => evaluatePart(p, c.trace)) };
  } catch (err) {
    // A hostile file must never stop the batch: whatever went wrong is this file's result.
    return { id: job.id, status: 'unreadable', reason: (err as Error).message || String(err) };
  }
}

parentPort?.on('message', (job: GradeJob) => {
  void runJob(job).then((r) => parentPort!.postMessage(r));
});
