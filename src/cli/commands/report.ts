// `mqtt-analyze report CAPTURE --out report.html`: one self-contained HTML report.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { Analyzer } from '../../analysis/analyzer.js';
import { collectCapture } from '../../flow/run.js';
import { detailBlock } from '../../render/detail.js';
import { renderReportHtml, type RubricResults } from '../../report/html.js';
import { UserError } from '../errors.js';
import { captureEndExit, nothingRead } from './capture-end.js';
import type { SetExit } from './index.js';
import { addCaptureOptions, dissectOptions, type CaptureCliOptions } from './shared.js';

interface ReportCliOptions extends CaptureCliOptions {
  out: string;
  title?: string;
  rubric?: string;
}

const RubricSchema = z.object({
  title: z.string().optional(),
  student: z.string().optional(),
  score: z.number().optional(),
  maxScore: z.number().optional(),
  items: z.array(
    z.object({
      id: z.string().optional(),
      description: z.string(),
      passed: z.boolean().nullable(),
      points: z.number().optional(),
      maxPoints: z.number().optional(),
      comment: z.string().optional(),
      frames: z.array(z.number().int()).optional(),
    }),
  ),
});

const EXAMPLES = `
Examples:
  mqtt-analyze report lab3-qos.pcap --out lab3.html     open lab3.html in any browser, offline
  mqtt-analyze report big.pcapng -o - > report.html      write to stdout`;

export function registerReport(program: Command, setExit: SetExit): void {
  addCaptureOptions(program.command('report'))
    .description('write a self-contained HTML report: summary, sequence diagram, findings, packet list, keepalive, latencies')
    .argument('<capture>', 'pcap or pcapng file, or - for stdin')
    .requiredOption('-o, --out <file>', 'HTML file to write (- for stdout)')
    .option('--title <text>', 'page title (default: the capture name)')
    .option('--rubric <file>', 'JSON rubric results to show on top (grading feedback)')
    .addHelpText('after', EXAMPLES)
    .action(async (capture: string, opts: ReportCliOptions) => {
      setExit(await runReport(capture, opts));
    });
}

function loadRubric(path: string): RubricResults {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read the rubric file ${path}: ${(err as Error).message}`);
  }
  const parsed = RubricSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`the rubric file ${path} is not valid: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

async function runReport(capture: string, opts: ReportCliOptions): Promise<number> {
  const rubricResults = opts.rubric ? loadRubric(opts.rubric) : undefined;
  const { options, done } = dissectOptions(opts);
  let result;
  try {
    result = await collectCapture(capture, { dissect: options, analyzer: new Analyzer(), detail: detailBlock });
  } finally {
    done();
  }
  if (nothingRead(result.summary)) return captureEndExit(result.summary);
  const html = renderReportHtml(result.collected, { rubricResults, title: opts.title });
  try {
    if (opts.out === '-') process.stdout.write(html);
    else writeFileSync(opts.out, html);
  } catch (err) {
    throw new UserError(`cannot write ${opts.out}: ${(err as Error).message}`);
  }
  // A view, not a gate: `check` is the command whose exit code reflects violations.
  return captureEndExit(result.summary);
}
