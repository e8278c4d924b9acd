// Reading one capture once for `check` and `grade`: the dissection feeds both the analysis passes
// and the trace collector. An unreadable capture is a result here, not an exception, so a
// grading batch can say "could not read: …" for one student and carry on.

import { basename } from 'node:path';
import type { AnalysisResult } from '../analysis/schema.js';
import { dissectCapture, fanOut, type DissectOptions, type DissectSummary, type RowSink } from '../pipeline/dissect.js';
import type { DissectionSink } from '../pipeline/events.js';
import { TraceCollector, type Trace } from './trace.js';

export type Collected =
  | { status: 'ok'; trace: Trace; analysis: AnalysisResult | null; summary: DissectSummary }
  /** Nothing usable: not a capture, empty, missing, or failed. */
  | { status: 'unreadable'; reason: string };

export interface CollectOptions extends DissectOptions {
  /** Stop collecting packets for the checks after this many (the analysis still sees all). */
  maxPackets?: number;
  /** Name shown in messages (default: the file's base name). */
  name?: string;
  /** Run the analysis passes too (needed for `findings` checks and the findings table). */
  analyze?: boolean;
  /** Another consumer of the same read (grading's HTML report: rows included), so the capture
   *  is read once. It gets every event after the analysis and the trace. */
  also?: DissectionSink & RowSink;
}

const NO_SINK: DissectionSink = {};

/** The analysis is loaded only when asked for: a rubric without `findings` checks grades faster
 *  without it. */
async function newAnalyzer(): Promise<(DissectionSink & { result(): AnalysisResult })> {
  const { Analyzer } = await import('../analysis/analyzer.js');
  return new Analyzer();
}


export async function collectCapture(path: string, opts: CollectOptions = {}): Promise<Collected> {
  const name = opts.name ?? basename(path);
  const analyzer = opts.analyze === false ? null : await newAnalyzer();
  const collector = new TraceCollector(name, opts.maxPackets);
  let summary: DissectSummary;
  try {
    const both = fanOut(analyzer ?? NO_SINK, collector);
    const sink = opts.also ? { ...fanOut(both, opts.also), ...(opts.also.row ? { row: opts.also.row.bind(opts.also) } : {}) } : both;
    summary = await dissectCapture(path, sink, opts);
  } catch (err) {
    return { status: 'unreadable', reason: (err as Error).message };
  }
  const end = summary.captureEnd;
  if (end.status === 'invalid') {
    // A file that ends inside its header, or is not a capture at all: nothing to grade.
    if (end.frames === 0) return { status: 'unreadable', reason: `not a readable capture (${end.reason})` };
  }
  const readNote =
    end.status === 'truncated'
      ? `the capture is cut short at byte ${end.offset} (${end.reason}); checked the ${end.frames} frames before it`
      : end.status === 'invalid'
        ? `the capture is broken at byte ${end.offset} (${end.reason}); checked the ${end.frames} frames before it`
        : null;
  const analysis = analyzer ? analyzer.result() : null;
  return { status: 'ok', trace: collector.trace(analysis ? analysis.findings : null, readNote), analysis, summary };
}
