// One read of a capture for the diagram and the report: the dissection feeds the collector and,
// when given, the analyzer (the same events, so nothing is decoded twice).

import { basename } from 'node:path';
import type { AnalysisResult } from '../analysis/schema.js';
import { dissectCapture, fanOut, forwardTo, type DissectOptions, type DissectSummary } from '../pipeline/dissect.js';
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
    ? { ...forwardTo(fanOut(collector, opts.analyzer)), row: (r: PacketRow) => collector.row(r) }
    : collector;
  const summary = await dissectCapture(path, sink, opts.dissect ?? {});
  const c = collector.data;
  const end = summary.captureEnd;
  c.captureEnd = end.status === 'ok' ? { status: 'ok' } : { status: end.status, reason: end.reason };
  if (opts.analyzer) c.analysis = opts.analyzer.result();
  return { collected: c, summary };
}

