// The default command: `mqtt-analyze CAPTURE` prints Wireshark's packet list for the display
// filter `mqtt`, then the analysis.

import type { Command } from 'commander';
import { Option } from 'commander';
import { dissectCapture, forwardTo, type DissectSummary, type RowSink } from '../../pipeline/dissect.js';
import type { DissectionSink } from '../../pipeline/events.js';
import type { PacketRow } from '../../pipeline/rows.js';
import { PacketListTable } from '../../render/packet-list.js';
import { JsonlWriter } from '../../render/jsonl-writer.js';
import { detailBlock } from '../../render/detail.js';
import { footerLine, summaryJson } from '../../render/summary.js';
import { ByteOutput, Output } from '../output.js';
import { addCaptureOptions, dissectOptions, parseJobs, useColor, type CaptureCliOptions } from './shared.js';
import { captureEndExit, nothingRead } from './capture-end.js';
import { Analyzer } from '../../analysis/analyzer.js';
import { renderAnalysis } from '../../render/analysis-tables.js';
import { registerAll, type SetExit } from './index.js';
import { jsonlInParallel, jsonlThreads } from '../parallel-jsonl.js';
import { dissectInWorker } from '../../pipeline/threaded.js';

interface ListOptions extends CaptureCliOptions {
  format: 'table' | 'jsonl' | 'json';
  detail?: boolean;
  analysis: boolean;
  jobs?: number;
}

const EXAMPLES = `
Examples:
  mqtt-analyze capture.pcapng                    packet list, then the analysis
  mqtt-analyze capture.pcap --format jsonl       one JSON object per MQTT frame
  mqtt-analyze capture.pcap -V                   each packet's MQTT layer, like tshark -V
  mqtt-analyze trace.pcap --port 1337            decode port 1337 as MQTT too
  tcpdump -i lo -w - port 1883 | mqtt-analyze -  read a live capture from stdin
  mqtt-analyze check capture.pcap                the analysis only; exit 1 on a violation`;

export function registerList(program: Command, setExit: SetExit): void {
  addCaptureOptions(program)
    .argument('[capture]', 'pcap or pcapng file (optionally gzip-compressed), or - for stdin')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'jsonl', 'json']).default('table'))
    .option('-V, --detail', "print each packet's MQTT layer as a tree, like tshark -V")
    .option('--no-analysis', 'print only the packet list')
    .option('--jobs <n>', 'threads for --format jsonl (default: 2 for a file over 256 MB on 2+ cores, else 1)', parseJobs)
    .addHelpText('after', EXAMPLES)
    .action(async (capture: string | undefined, opts: ListOptions) => {
      if (!capture) {
        await registerAll(program, setExit); // help lists every command
        program.help({ error: true });
        return;
      }
      setExit(await runList(capture, opts));
    });
}

async function runList(capture: string, opts: ListOptions): Promise<number> {
  const color = useColor(opts);
  const { options, done } = dissectOptions(opts);
  const analyzer = opts.analysis && opts.format !== 'jsonl' ? new Analyzer() : null;
  let summary: DissectSummary;
  if (opts.format !== 'table') {
    // Machine formats are written byte by byte: at millions of rows, strings would dominate.
    const bytes = new ByteOutput();
    const json = new JsonlWriter(bytes);
    // When whoever reads our output goes away (`| head`), stop reading the capture.
    const stop = () => bytes.closed;
    try {
      if (opts.format === 'jsonl') {
        const threads = jsonlThreads(capture, opts.jobs);
        const row = (r: PacketRow) => json.line(r);
        // Two threads: the dissection on a worker, the rows written here (a pipeline). More: the
        // connections split between workers by 4-tuple hash, their rows merged here.
        const s =
          threads === 2
            ? await dissectInWorker(capture, { row, jsonLine: (b, start, end) => bytes.bytesOf(b, start, end) }, { ...options, stop })
            : threads > 2
              ? await jsonlInParallel(capture, threads, options, bytes)
              : await dissectCapture(capture, { row }, { ...options, stop, transient: true }); // (rows are written at once)
        if (s === null || bytes.closed) return 0;
        summary = s;
      } else {
        bytes.text('{"packets":[');
        let first = true;
        const row = (r: PacketRow) => {
          bytes.text(first ? '\n' : ',\n');
          first = false;
          json.row(r);
        };
        summary = await dissectCapture(capture, withAnalyzer(analyzer, { row }), { ...options, stop });
        if (bytes.closed) return 0;
        if (nothingRead(summary)) {
          bytes.pos = 0; // not a capture: no document, only the error line
          return captureEndExit(summary);
        }
        bytes.text(`\n],"summary":${JSON.stringify(summaryJson(summary))}`);
        if (analyzer) bytes.text(`,"analysis":${JSON.stringify(analyzer.result())}`);
        bytes.text('}\n');
      }
    } finally {
      done();
      bytes.flush();
    }
    return captureEndExit(summary);
  }
  const out = new Output();
  try {
    const table = opts.detail ? null : new PacketListTable(out, color);
    summary = await dissectCapture(
      capture,
      withAnalyzer(analyzer, { row: (r: PacketRow) => (table ? table.row(r) : out.write(detailBlock(r))) }),
      { ...options, stop: () => out.closed },
    );
    if (out.closed) return 0; // our reader went away (`| head`): nothing more to say
    if (nothingRead(summary)) return captureEndExit(summary);
    table?.end();
    out.write(footerLine(summary) + '\n');
    if (analyzer) out.write('\n' + renderAnalysis(analyzer.result(), { color, width: process.stdout.columns }) + '\n');
  } finally {
    done();
    out.flush();
  }
  return captureEndExit(summary);
}

/** The row sink plus the analyzer's event sink, so the capture is read once. */
function withAnalyzer(analyzer: Analyzer | null, sink: RowSink): DissectionSink & RowSink {
  return analyzer ? { ...forwardTo(analyzer), row: sink.row } : sink;
}
