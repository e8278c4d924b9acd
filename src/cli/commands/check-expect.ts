// `mqtt-analyze check CAPTURE --expect FILE|lab2[:N]`: each expectation with pass/fail, as a
// table or JSON, optionally JUnit XML and GitHub annotations (see check.ts).

import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { collectCapture } from '../../expect/collect.js';
import { evaluate, summarise, unreadablePart } from '../../expect/evaluate.js';
import { loadExpectations } from '../../expect/load.js';
import { evaluationJson, githubAnnotations, renderEvaluation, renderJunit } from '../../expect/render.js';
import { UserError } from '../errors.js';
import { Output } from '../output.js';
import { captureEndExit } from './capture-end.js';
import { dissectOptions, useColor } from './shared.js';
import type { CheckOptions } from './check.js';

export async function runExpect(capture: string, opts: CheckOptions, expectations: string): Promise<number> {
  const exp = loadExpectations(expectations);
  const out = new Output();
  const { options, done } = dissectOptions(opts);
  const needsFindings = exp.parts.some((p) => p.expect.some((c) => 'findings' in c));
  if (capture !== '-' && !existsSync(capture)) throw new UserError(`cannot read ${capture}: no such file`);
  const started = Date.now();
  let collected;
  try {
    collected = await collectCapture(capture, { ...options, analyze: needsFindings, maxPackets: 1_000_000 });
  } finally {
    done();
  }
  // A missing file is bad input; a file that is not a capture is too (exit 2), but CI still gets
  // its JUnit report saying why every expectation failed.
  const ev =
    collected.status === 'ok'
      ? evaluate(exp, collected.trace)
      : summarise(exp.title, basename(capture), exp.parts.map((p) => unreadablePart(p, basename(capture), collected.reason)));
  const seconds = (Date.now() - started) / 1000;
  if (opts.junit) {
    try {
      writeFileSync(opts.junit, renderJunit(ev, { seconds }));
    } catch (err) {
      throw new UserError(`cannot write ${opts.junit}: ${(err as Error).message}`);
    }
  }
  const annotations = process.env.GITHUB_ACTIONS ? githubAnnotations(ev, capture) : '';
  try {
    if (opts.format === 'json') {
      const json = { ...evaluationJson(ev), ...(collected.status === 'ok' && collected.analysis ? { findings: collected.analysis.findings } : {}) };
      out.write(JSON.stringify(json, null, 2) + '\n');
      // Workflow commands go to stderr here so stdout stays one JSON document.
      if (annotations) process.stderr.write(annotations);
    } else {
      out.write(renderEvaluation(ev, { color: useColor(opts), width: process.stdout.columns }) + '\n');
      if (annotations) out.write(annotations);
    }
  } finally {
    out.flush();
  }
  if (collected.status !== 'ok') {
    process.stderr.write(`mqtt-analyze: cannot read ${capture}: ${collected.reason}\n`);
    return 2;
  }
  return Math.max(ev.failed ? 1 : 0, captureEndExit(collected.summary));
}
