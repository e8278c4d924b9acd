// Grading a class: every student's captures against a rubric, in parallel. Each part takes the
// files its `files:` patterns select and keeps the best-scoring one, so "one capture per part"
// and "one capture for the whole lab" both grade. An unreadable file gives "could not read: …"
// and 0 for the parts that depend on it — never a stopped batch.

import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { Expectations } from '../expect/load.js';
import { unreadablePart, type PartResult } from '../expect/evaluate.js';
import type { Part } from '../expect/schema.js';
import type { MqttVersion } from '../mqtt/types.js';
import { DEFAULT_REPORT_LIMITS, type ReportLimits, type ReportOutcome } from './capture-report.js';
import { GradePool, type PoolOptions } from './pool.js';
import type { Student } from './submissions.js';
import type { GradeJob, GradeJobResult } from './worker.js';

export interface StudentResult {
  student: Student;
  parts: PartResult[];
  points: number;
  earned: number;
  /** Files that could not be read, with why. */
  unreadable: { file: string; reason: string }[];
  /** The HTML report of each file that was read (only when `GradeOptions.reports` is given). */
  reports: { file: string; report: ReportOutcome }[];
}

export interface ClassResult {
  title: string;
  rubric: Expectations;
  students: StudentResult[];
}

export interface GradeOptions extends PoolOptions {
  ports?: number[];
  mqttVersion?: MqttVersion;
  /** Packets kept per capture for the checks (bounded memory per worker). */
  maxPackets?: number;
  /** Make each readable capture's HTML report in the worker that reads it, into `dir`
   *  (scratch files named by job; the HTML feedback is built from them). */
  reports?: { dir: string } & Partial<ReportLimits>;
  onProgress?(done: number, total: number): void;
}

/** Glob on a file name (or its path inside the submission): * ? and [abc], case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (/[\\^$.|+(){}]/.test(ch)) re += `\\${ch}`;
    else re += ch;
  }
  return new RegExp(`^${re}$`, 'i');
}

export function partReadsFile(part: Part, fileName: string): boolean {
  const f = part.files ?? 'all';
  if (f === 'all') return true;
  const globs = Array.isArray(f) ? f : [f];
  return globs.some((g) => {
    const re = globToRegExp(g);
    return re.test(fileName) || re.test(basename(fileName));
  });
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function better(a: PartResult | null, b: PartResult): PartResult {
  if (!a) return b;
  if (b.earned !== a.earned) return b.earned > a.earned ? b : a;
  return b.checks.filter((c) => c.status === 'pass').length > a.checks.filter((c) => c.status === 'pass').length ? b : a;
}

export async function gradeClass(students: Student[], rubric: Expectations, opts: GradeOptions = {}): Promise<ClassResult> {
  const analyze = rubric.parts.some((p) => p.expect.some((c) => 'findings' in c));
  const jobs: { student: number; file: string; job: GradeJob }[] = [];
  const { dir: reportDir = null, ...limits } = opts.reports ?? {};
  const reportLimits: ReportLimits = { ...DEFAULT_REPORT_LIMITS, ...limits };
  let nextId = 0;
  students.forEach((s, si) => {
    for (const f of s.files) {
      const parts = rubric.parts.filter((p) => partReadsFile(p, f.name));
      if (!parts.length) continue;
      const id = nextId++;
      const who = s.id ? `${s.name} (${s.id})` : s.name;
      const report = reportDir !== null ? { ...reportLimits, path: join(reportDir, `${id}.html`), title: `${rubric.title}: ${who} — ${f.name}` } : undefined;
      jobs.push({
        student: si,
        file: f.name,
        job: { id, path: f.path, name: f.name, parts, analyze, ports: opts.ports ?? [], mqttVersion: opts.mqttVersion, maxPackets: opts.maxPackets ?? 1_000_000, report },
      });
    }
  });
  const results: GradeJobResult[] = new Array(jobs.length);
  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), jobs.length));
  const pool = jobs.length ? new GradePool({ ...opts, workers }) : null;
  let done = 0;
  opts.onProgress?.(0, jobs.length);
  try {
    await Promise.all(
      jobs.map(async (j, k) => {
        results[k] = await pool!.run(j.job);
        opts.onProgress?.(++done, jobs.length);
      }),
    );
  } finally {
    await pool?.close();
  }

  const out: StudentResult[] = students.map((student) => ({ student, parts: [], points: 0, earned: 0, unreadable: [], reports: [] }));
  const best: (PartResult | null)[][] = students.map(() => rubric.parts.map(() => null));
  const reasons: string[][][] = students.map(() => rubric.parts.map(() => []));
  jobs.forEach((j, k) => {
    const r = results[k]!;
    const sr = out[j.student]!;
    if (r.status === 'unreadable') {
      sr.unreadable.push({ file: j.file, reason: r.reason });
      for (const p of j.job.parts) reasons[j.student]![rubric.parts.indexOf(p)]!.push(`${j.file}: ${r.reason}`);
      return;
    }
    if (r.report) sr.reports.push({ file: j.file, report: r.report });
    r.parts.forEach((pr, n) => {
      const idx = rubric.parts.indexOf(j.job.parts[n]!);
      best[j.student]![idx] = better(best[j.student]![idx]!, pr);
    });
  });
  out.forEach((sr, si) => {
    sr.parts = rubric.parts.map((p, pi) => {
      const b = best[si]![pi];
      if (b) return b;
      const why = reasons[si]![pi]!;
      if (why.length) return unreadablePart(p, '-', why.join('; '));
      const wanted = p.files === undefined || p.files === 'all' ? 'any file' : `a file named ${Array.isArray(p.files) ? p.files.join(' or ') : p.files}`;
      const reason = sr.student.files.length ? `no capture for this part (it reads ${wanted})` : 'the submission has no files';
      return unreadablePart(p, '-', reason);
    });
    sr.points = round2(sr.parts.reduce((a, p) => a + p.points, 0));
    sr.earned = round2(sr.parts.reduce((a, p) => a + p.earned, 0));
  });
  return { title: rubric.title, rubric, students: out };
}
