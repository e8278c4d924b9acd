// One read of a capture for the diagram and the report: the dissection feeds the collector and,
// when given, the analyzer (the same events, so nothing is decoded twice).

import { basename } from 'node:path';
import type { AnalysisResult } from '../analysis/schema.js';
import { dissectCapture, forwardTo, type DissectOptions, type DissectSummary } from '../pipeline/dissect.js';
import type { DissectionSink } from '../pipeline/events.js';
import type { PacketRow } from '../pipeline/rows.js';
import { Collector, type Collected } from './collect.js';

export interface AnalyzerLike extends DissectionSink {
  result(): AnalysisResult;
}

export interface CollectOptions {
  dissect?: DissectOptions;
  analyzer?: AnalyzerLike;
  /** The `-V` text of a row, kept for the report. */
  detail?: (row: PacketRow) => string;
}

export async function collectCapture(path: string, opts: CollectOptions = {}): Promise<{ collected: Collected; summary: DissectSummary }> {
  const collector = new Collector(path === '-' ? 'stdin' : basename(path), opts.detail);
  const sink = opts.analyzer
    ? { ...forwardTo(multi(collector, opts.analyzer)), row: (r: PacketRow) => collector.row(r) }
    : collector;
  const summary = await dissectCapture(path, sink, opts.dissect ?? {});
  const c = collector.data;
  const end = summary.captureEnd;
  c.captureEnd = end.status === 'ok' ? { status: 'ok' } : { status: end.status, reason: end.reason };
  if (opts.analyzer) c.analysis = opts.analyzer.result();
  return { collected: c, summary };
}

/** Both sinks get every event, the collector first. */
function multi(a: DissectionSink, b: DissectionSink): DissectionSink {
  return {
    connection: (c) => (a.connection?.(c), b.connection?.(c)),
    message: (m) => (a.message?.(m), b.message?.(m)),
    gap: (c, d, f, t, n) => (a.gap?.(c, d, f, t, n), b.gap?.(c, d, f, t, n)),
    close: (c, k, d, f, t) => (a.close?.(c, k, d, f, t), b.close?.(c, k, d, f, t)),
    end: (f, t) => (a.end?.(f, t), b.end?.(f, t)),
  };
}
