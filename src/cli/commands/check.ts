// `mqtt-analyze check CAPTURE [--expect FILE|lab2[:N]]`: the CI gate.
// Without --expect: the analysis only (findings + summary tables, or the AnalysisResult JSON);
// exit 1 when a finding is a violation. With --expect: each expectation with pass/fail and its
// evidence frames; exit 1 when one fails. Exit 2 on bad input either way.

import { Option, type Command } from 'commander';
import { dissectCapture } from '../../pipeline/dissect.js';
import { dissectInWorker, worthThreads } from '../../pipeline/threaded.js';
import { Analyzer } from '../../analysis/analyzer.js';
import { renderAnalysis } from '../../render/analysis-tables.js';
import { UserError } from '../errors.js';
import { Output } from '../output.js';
import { captureEndExit, nothingRead } from './capture-end.js';
import { addCaptureOptions, dissectOptions, parseJobs, useColor, type CaptureCliOptions } from './shared.js';
import type { SetExit } from './index.js';

export interface CheckOptions extends CaptureCliOptions {
  format: 'table' | 'json';
  expect?: string;
  junit?: string;
  jobs?: number;
}

const EXAMPLES = `
Examples:
  mqtt-analyze check trace.pcap                          findings; exit 1 on a violation
  mqtt-analyze check trace.pcap --expect ci.yaml         exit 1 when an expectation fails
  mqtt-analyze check lab.pcapng --expect lab2:5          part 5 of the built-in lab rubric
  mqtt-analyze check trace.pcap --expect ci.yaml --junit report.xml --format json

Exit codes: 0 all good, 1 a violation / a failed expectation, 2 bad input.
With GITHUB_ACTIONS set, each failed expectation is also printed as an ::error annotation.`;

export function registerCheck(program: Command, setExit: SetExit): void {
  addCaptureOptions(program.command('check'))
    .description('check a capture: the analysis findings, or the expectations of --expect (CI gate)')
    .argument('<capture>', 'pcap or pcapng file')
    .option('--expect <file>', 'expectations file (YAML/JSON), or a built-in rubric: lab2, lab2:5, lab2:3,5')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--junit <file>', 'also write the expectations as JUnit XML to FILE')
    .option('--jobs <n>', 'threads: 2 or more dissects on a worker while the analysis runs (default: 2 for a file over 32 MB on 2+ cores)', parseJobs)
    .addHelpText('after', EXAMPLES)
    .action(async (capture: string, opts: CheckOptions) => {
      if (opts.junit && !opts.expect) throw new UserError('--junit needs --expect (the JUnit test cases are the expectations)');
      if (opts.expect) {
        // (Loaded only here: expectations bring the YAML parser and their zod schema.)
        const { runExpect } = await import('./check-expect.js');
        setExit(await runExpect(capture, opts, opts.expect));
      } else setExit(await runAnalysis(capture, opts));
    });
}

async function runAnalysis(capture: string, opts: CheckOptions): Promise<number> {
  const out = new Output();
  const { options, done } = dissectOptions(opts);
  const analyzer = new Analyzer();
  try {
    const threaded = capture !== '-' && (opts.jobs !== undefined ? opts.jobs > 1 : worthThreads(capture));
    const summary = threaded ? await dissectInWorker(capture, analyzer, options) : await dissectCapture(capture, analyzer, options);
    if (nothingRead(summary)) return captureEndExit(summary);
    const result = analyzer.result();
    if (opts.format === 'json') out.write(JSON.stringify(result, null, 2) + '\n');
    else out.write(renderAnalysis(result, { color: useColor(opts), width: process.stdout.columns }) + '\n');
    const violation = result.findings.some((f) => f.severity === 'violation') ? 1 : 0;
    return Math.max(violation, captureEndExit(summary));
  } finally {
    done();
    out.flush();
  }
}
