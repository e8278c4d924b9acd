// `mqtt-analyze grade SUBMISSIONS --rubric FILE|lab2`: grade a class folder or an LMS zip.
// Writes OUT/gradebook.csv and OUT/feedback/<student>.md and .html (the capture's report with the
// rubric's results on top; other registered formats on request), prints the class summary. Exit 0 when grading ran (grades are data, not a gate), 2 on bad input.

import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadExpectations } from '../../expect/load.js';
import { gradeClass } from '../../grade/grade.js';
import { classSummary, feedbackFormat, feedbackFormatNames, gradebookCsv, renderClassSummary } from '../../grade/report.js';
import { isZip, studentsFromFolder, studentsFromZip, type Student } from '../../grade/submissions.js';
import { UserError } from '../errors.js';
import { Output } from '../output.js';
import { addCaptureOptions, useColor, type CaptureCliOptions } from './shared.js';
import type { SetExit } from './index.js';

interface GradeCliOptions extends CaptureCliOptions {
  rubric: string;
  out: string;
  jobs?: number;
  timeout: number;
  feedback: string;
  format: 'table' | 'json';
}

const EXAMPLES = `
Examples:
  mqtt-analyze grade submissions/ --rubric lab2               one capture or folder per student
  mqtt-analyze grade moodle-export.zip --rubric lab2 --out grades
  mqtt-analyze grade submissions/ --rubric my-lab.yaml --jobs 4

Writes OUT/gradebook.csv (one row per student, one column per part, total) and feedback per
student in OUT/feedback/: <student>.md, and <student>.html (the HTML report of the capture that
counts for most points, with the rubric's results on top; a student's other graded captures get
<student>-<file>.html). A zip is extracted to OUT/submissions/ first.`;

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`${name} takes a whole number of at least 1, not "${v}"`);
    return n;
  };
}

export function registerGrade(program: Command, setExit: SetExit): void {
  addCaptureOptions(program.command('grade'))
    .description('grade a class: a folder or LMS zip of captures against a rubric; gradebook CSV and per-student feedback')
    .argument('<submissions>', 'folder (one capture or folder per student) or zip (Moodle-style export)')
    .requiredOption('--rubric <file>', 'rubric file (YAML/JSON) or a built-in rubric: lab2, lab2:5')
    .option('--out <dir>', 'output folder', 'grades')
    .option('--jobs <n>', 'parallel workers (default: all cores)', positiveInt('--jobs'))
    .option('--timeout <seconds>', 'time limit per capture', positiveInt('--timeout'), 300)
    .option('--feedback <formats>', `feedback formats, comma-separated (${feedbackFormatNames().join(', ')})`, 'md,html')
    .addOption(new Option('--format <format>', 'class summary format on stdout').choices(['table', 'json']).default('table'))
    .addHelpText('after', EXAMPLES)
    .action(async (submissions: string, opts: GradeCliOptions) => setExit(await runGrade(submissions, opts)));
}

/** A progress line on a terminal's stderr: "grading [#####.....] 7/12 captures". */
function progressBar(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    process.stderr.write(`\rgrading [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} captures\x1b[K`);
    if (done === total) process.stderr.write('\r\x1b[K');
  };
}

async function runGrade(submissions: string, opts: GradeCliOptions): Promise<number> {
  const rubric = loadExpectations(opts.rubric);
  const formats = opts.feedback.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of formats) if (!feedbackFormat(f)) throw new UserError(`--feedback: no format "${f}" (available: ${feedbackFormatNames().join(', ')})`);
  if (!existsSync(submissions)) throw new UserError(`no such folder or zip: ${submissions}`);
  const outDir = resolve(opts.out);
  mkdirSync(outDir, { recursive: true });

  let students: Student[];
  if (statSync(submissions).isDirectory()) {
    if (resolve(submissions) === outDir) throw new UserError('--out must not be the submissions folder');
    students = studentsFromFolder(submissions);
  } else if (isZip(submissions)) {
    const dest = join(outDir, 'submissions');
    rmSync(dest, { recursive: true, force: true });
    students = await studentsFromZip(submissions, dest);
  } else {
    throw new UserError(`${submissions} is neither a folder nor a .zip`);
  }
  if (!students.length) throw new UserError(`no submissions found in ${submissions}`);

  // Scratch space for the captures' HTML reports, written by the grading workers.
  const reportDir = formats.some((f) => feedbackFormat(f)!.captureReports) ? join(outDir, '.reports') : null;
  if (reportDir) {
    rmSync(reportDir, { recursive: true, force: true });
    mkdirSync(reportDir, { recursive: true });
  }
  const fbDir = join(outDir, 'feedback');
  let result;
  try {
    result = await gradeClass(students, rubric, {
      workers: opts.jobs,
      timeoutSeconds: opts.timeout,
      ports: opts.port,
      mqttVersion: opts.mqttVersion,
      reports: reportDir ? { dir: reportDir } : undefined,
      onProgress: opts.progress === false ? undefined : progressBar(),
    });

    writeFileSync(join(outDir, 'gradebook.csv'), gradebookCsv(result));
    mkdirSync(fbDir, { recursive: true });
    for (const s of result.students) {
      for (const f of formats) {
        const fmt = feedbackFormat(f)!;
        writeFileSync(join(fbDir, `${s.student.key}.${fmt.ext}`), fmt.render(s, result));
        for (const page of fmt.pages?.(s, result) ?? []) writeFileSync(join(fbDir, page.name), page.content);
      }
    }
  } finally {
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
  }

  const out = new Output();
  if (opts.format === 'json') {
    out.write(
      JSON.stringify(
        {
          title: result.title,
          gradebook: join(outDir, 'gradebook.csv'),
          feedback: fbDir,
          parts: classSummary(result),
          students: result.students.map((s) => ({ name: s.student.name, id: s.student.id, key: s.student.key, earned: s.earned, points: s.points, parts: s.parts, unreadable: s.unreadable, notes: s.student.notes })),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    out.write(renderClassSummary(result, { color: useColor(opts) }) + '\n');
    out.write(`gradebook: ${join(outDir, 'gradebook.csv')}\nfeedback:  ${fbDir}/\n`);
  }
  out.flush();
  return 0;
}
