// The HTML report of one graded capture, made in the grading worker from the same read that
// evaluates the rubric (the report's collector is one more consumer of the dissection events).
// The report holds the whole packet list in memory and in the page, so it is capped: past
// `maxRows` MQTT frames (or `maxBytes` of file) the collector is dropped and the feedback says
// the capture is too large for a report.

import type { AnalysisResult } from '../analysis/schema.js';
import { Collector, type Collected } from '../flow/collect.js';
import type { DissectSummary, RowSink } from '../pipeline/dissect.js';
import type { CloseKind, ConnectionInfo, DissectionSink, Direction } from '../pipeline/events.js';
import type { PacketRow } from '../pipeline/rows.js';
import { detailBlock } from '../render/detail.js';

export interface ReportLimits {
  /** Packet-list rows (frames with MQTT) a report may hold. Measured on the bench's synthetic
   *  capture: ~6 KB of worker heap per row while collecting and rendering (40 000 rows: +250 MB,
   *  an 18 MB page), on top of the grading trace, in every worker at once; 50 000 keeps a worker
   *  well inside its heap limit, so a report never costs a student their grade. */
  maxRows: number;
  /** Capture files larger than this get no report and are not collected for one: a dense capture
   *  passes maxRows at ~25 MB, and past it the pipeline still builds each row's Info text. */
  maxBytes: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = { maxRows: 50_000, maxBytes: 64 * 1024 * 1024 };

/** What the feedback needs to know about a capture's report. */
export type ReportOutcome = { status: 'written'; path: string } | { status: 'skipped'; reason: string };

export function tooLargeReason(limits: ReportLimits, what: 'rows' | 'bytes'): string {
  return what === 'rows'
    ? `the capture has more than ${limits.maxRows} frames with MQTT, too many for the HTML report`
    : `the capture file is larger than ${limits.maxBytes >= 1 << 20 ? `${Math.round(limits.maxBytes / (1 << 20))} MB` : `${limits.maxBytes} bytes`}, too large for the HTML report`;
}

/** A flow Collector that gives up (and frees what it held) once the report would be too large. */
export class CappedReportSink implements DissectionSink, RowSink {
  private collector: Collector | null;
  private overflowed = false;

  constructor(
    name: string,
    private readonly maxRows: number,
  ) {
    // The -V text per row is what the report shows when a row is clicked.
    this.collector = new Collector(name, detailBlock);
  }

  get tooLarge(): boolean {
    return this.overflowed;
  }

  connection(c: ConnectionInfo): void {
    this.collector?.connection(c);
  }

  row(r: PacketRow): void {
    const col = this.collector;
    if (!col) return;
    if (col.data.rows.length >= this.maxRows) {
      this.collector = null;
      this.overflowed = true;
      return;
    }
    col.row(r);
  }

  close(c: ConnectionInfo, kind: CloseKind, dir: Direction, frame: number, time: number): void {
    this.collector?.close(c, kind, dir, frame, time);
  }

  gap(): void {
    this.collector?.gap();
  }

  end(lastFrame: number, lastTime: number): void {
    this.collector?.end(lastFrame, lastTime);
  }

  /** The collected capture, completed with how it ended and its analysis; null when too large. */
  collected(summary: DissectSummary, analysis: AnalysisResult | null): Collected | null {
    const c = this.collector?.data;
    if (!c) return null;
    const end = summary.captureEnd;
    c.captureEnd = end.status === 'ok' ? { status: 'ok' } : { status: end.status, reason: end.reason };
    c.analysis = analysis;
    return c;
  }
}
