// Grading worker thread: reads one capture and evaluates the rubric parts that read it. Runs off
// the main thread so a class is graded on all cores, and so a capture that makes the reader
// misbehave (too slow, too much memory) can be stopped without stopping the batch. When HTML
// feedback is wanted, the same read also feeds the capture's HTML report, which this worker
// renders and writes to disk (the main thread later puts the student's rubric results on top):
// nothing is read twice, and no report crosses between threads.

import { statSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { collectCapture } from '../expect/collect.js';
import { evaluatePart, type PartResult } from '../expect/evaluate.js';
import type { Part } from '../expect/schema.js';
import type { MqttVersion } from '../mqtt/types.js';
import { renderReportHtml } from '../report/html.js';
import { CappedReportSink, tooLargeReason, type ReportLimits, type ReportOutcome } from './capture-report.js';

export interface ReportJob extends ReportLimits {
  /** Where to write the report (a scratch file; the feedback page is made from it). */
  path: string;
  /** Page title and heading. */
  title: string;
}

export interface GradeJob {
  id: number;
  path: string;
  name: string;
  parts: Part[];
  analyze: boolean;
  ports: number[];
  mqttVersion?: MqttVersion;
  maxPackets: number;
  /** Also write the capture's HTML report. */
  report?: ReportJob;
}

export type GradeJobResult =
  | { id: number; status: 'ok'; parts: PartResult[]; report: ReportOutcome | null }
  | { id: number; status: 'unreadable'; reason: string };

function fileTooLarge(path: string, maxBytes: number): boolean {
  try {
    return statSync(path).size > maxBytes;
  } catch {
    return false; // the read below says what is wrong with it
  }
}

export async function runJob(job: GradeJob): Promise<GradeJobResult> {
  try {
    const rj = job.report;
    const skipBytes = rj ? fileTooLarge(job.path, rj.maxBytes) : false;
    const report = rj && !skipBytes ? new CappedReportSink(job.name, rj.maxRows) : null;
    // The report shows the analysis' findings, so it is run whenever there is a report.
    const c = await collectCapture(job.path, {
      name: job.name,
      analyze: job.analyze || report !== null,
      ports: job.ports,
      mqttVersion: job.mqttVersion,
      maxPackets: job.maxPackets,
      ...(report ? { also: report } : {}),
    });
    if (c.status !== 'ok') return { id: job.id, status: 'unreadable', reason: c.reason };
    const parts = job.parts.map((p) => evaluatePart(p, c.trace));
    let outcome: ReportOutcome | null = null;
    if (rj) {
      const collected = report?.collected(c.summary, c.analysis) ?? null;
      if (collected) {
        try {
          writeFileSync(rj.path, renderReportHtml(collected, { title: rj.title }));
          outcome = { status: 'written', path: rj.path };
        } catch (err) {
          // The grade stands without its picture.
          outcome = { status: 'skipped', reason: `the HTML report could not be written: ${(err as Error).message}` };
        }
      } else {
        outcome = { status: 'skipped', reason: tooLargeReason(rj, skipBytes ? 'bytes' : 'rows') };
      }
    }
    return { id: job.id, status: 'ok', parts, report: outcome };
  } catch (err) {
    // A hostile file must never stop the batch: whatever went wrong is this file's result.
    return { id: job.id, status: 'unreadable', reason: (err as Error).message || String(err) };
  }
}

parentPort?.on('message', (job: GradeJob) => {
  void runJob(job).then((r) => parentPort!.postMessage(r));
});
