// What grading writes: the gradebook CSV (one row per student, one column per part, total), the
// class summary table, and one feedback file per student. Feedback formats are pluggable
// (registerFeedbackFormat): Markdown, and HTML (feedback-html.ts: the capture's report with the
// rubric's results on top).

import { plainTable } from '../render/table-style.js';
import { feedbackHtml, feedbackHtmlPages } from './feedback-html.js';
import type { ClassResult, StudentResult } from './grade.js';

/** One CSV field (RFC 4180). A leading = + - @ is neutralised so a spreadsheet does not run a
 *  student-chosen name as a formula (CSV injection). */
export function csvField(v: string | number): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function gradebookCsv(c: ClassResult): string {
  const parts = c.rubric.parts;
  const maxTotal = c.students[0]?.points ?? parts.reduce((a, p) => a + (p.points ?? 0), 0);
  const head = ['Student', 'ID', ...parts.map((p, k) => `Part ${p.id}${p.title ? ` ${p.title}` : ''} (${c.students[0]?.parts[k]?.points ?? ''})`), `Total (${maxTotal})`, 'Notes'];
  const rows = [head.map(csvField).join(',')];
  for (const s of c.students) {
    const partNotes = new Set(s.parts.filter((p) => p.file !== '-' && p.note).map((p) => `${p.file}: ${p.note}`));
    const notes = [...s.student.notes, ...s.unreadable.map((u) => `could not read ${u.file}: ${u.reason}`), ...partNotes].join('; ');
    rows.push([s.student.name, s.student.id, ...s.parts.map((p) => p.earned), s.earned, notes].map(csvField).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

export interface PartSummary {
  id: string;
  title: string;
  passed: number;
  students: number;
  mean: number;
  points: number;
  /** The check failed by most students, with how many. */
  commonFailure: { name: string; count: number } | null;
}

export function classSummary(c: ClassResult): PartSummary[] {
  return c.rubric.parts.map((p, k) => {
    const prs = c.students.map((s) => s.parts[k]!);
    const fails = new Map<string, number>();
    for (const pr of prs) for (const ch of pr.checks) if (ch.status === 'fail') fails.set(ch.name, (fails.get(ch.name) ?? 0) + 1);
    let common: { name: string; count: number } | null = null;
    for (const [name, count] of fails) if (!common || count > common.count) common = { name, count };
    const n = prs.length;
    return {
      id: String(p.id),
      title: p.title ?? `Part ${p.id}`,
      passed: prs.filter((x) => x.passed).length,
      students: n,
      mean: n ? Math.round((prs.reduce((a, x) => a + x.earned, 0) / n) * 10) / 10 : 0,
      points: prs[0]?.points ?? 0,
      commonFailure: common,
    };
  });
}

export function renderClassSummary(c: ClassResult, opts: { color: boolean }): string {
  const t = plainTable({ head: ['Part', 'Title', 'Passed', 'Mean', 'Most common failure'], color: opts.color, alignRight: [0, 2, 3] });
  for (const s of classSummary(c)) {
    t.push([s.id, s.title, `${s.passed}/${s.students}`, `${s.mean}/${s.points}`, s.commonFailure ? `${s.commonFailure.name} (${s.commonFailure.count})` : '-']);
  }
  const totals = c.students.map((s) => s.earned);
  const max = c.students[0]?.points ?? 0;
  const mean = totals.length ? Math.round((totals.reduce((a, b) => a + b, 0) / totals.length) * 10) / 10 : 0;
  const unreadable = c.students.filter((s) => s.unreadable.length).length;
  return `${t.toString()}\n${c.students.length} students, mean ${mean}/${max}${unreadable ? `, ${unreadable} with files that could not be read` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Feedback

export type FeedbackRenderer = (s: StudentResult, c: ClassResult) => string;

export interface FeedbackFormatExtras {
  /** Further files for the student, next to `<student>.<ext>` (e.g. one report per capture). */
  pages?: (s: StudentResult, c: ClassResult) => { name: string; content: string }[];
  /** The format needs each capture's HTML report, made while grading (GradeOptions.reports). */
  captureReports?: boolean;
}

export interface FeedbackFormat extends FeedbackFormatExtras {
  ext: string;
  render: FeedbackRenderer;
}

const feedbackFormats = new Map<string, FeedbackFormat>();

/** Hook for feedback formats. */
export function registerFeedbackFormat(name: string, ext: string, render: FeedbackRenderer, extras: FeedbackFormatExtras = {}): void {
  feedbackFormats.set(name, { ext, render, ...extras });
}

export function feedbackFormat(name: string): FeedbackFormat | undefined {
  return feedbackFormats.get(name);
}

export function feedbackFormatNames(): string[] {
  return [...feedbackFormats.keys()];
}

const mdEscape = (s: string): string => s.replace(/([\\`*_[\]<>|#])/g, '\\$1');

export function feedbackMarkdown(s: StudentResult, c: ClassResult): string {
  const who = s.student.id ? `${s.student.name} (${s.student.id})` : s.student.name;
  const lines: string[] = [`# ${mdEscape(c.title)}: feedback for ${mdEscape(who)}`, '', `**Total: ${s.earned} / ${s.points} points**`, ''];
  if (s.student.files.length) lines.push(`Files graded: ${s.student.files.map((f) => `\`${f.name.replace(/`/g, "'")}\``).join(', ')}`, '');
  else lines.push('No files were found in this submission.', '');
  for (const u of s.unreadable) lines.push(`> could not read \`${u.file.replace(/`/g, "'")}\`: ${mdEscape(u.reason)}`, '');
  for (const n of s.student.notes) lines.push(`> ${mdEscape(n)}`, '');
  for (const p of s.parts) {
    lines.push(`## Part ${p.id}: ${mdEscape(p.title)} — ${p.earned} / ${p.points}`, '');
    if (p.file !== '-') lines.push(`Graded on \`${p.file.replace(/`/g, "'")}\`.`, '');
    if (p.note) lines.push(`> ${mdEscape(p.note)}`, '');
    lines.push('| | Check | Points | Evidence frames | Details |', '|---|---|---|---|---|');
    for (const ch of p.checks) {
      const mark = ch.status === 'pass' ? '✔' : '✘';
      const cell = (x: string) => mdEscape(x).replace(/\r?\n/g, ' ');
      const detail = ch.status === 'fail' && ch.feedback ? `${cell(ch.message)}<br>**What to do:** ${cell(ch.feedback)}` : cell(ch.message);
      lines.push(`| ${mark} | ${cell(ch.name)} | ${ch.earned} / ${ch.points} | ${ch.frames.length ? ch.frames.join(', ') : '-'} | ${detail} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

registerFeedbackFormat('md', 'md', feedbackMarkdown);
registerFeedbackFormat('html', 'html', feedbackHtml, { pages: feedbackHtmlPages, captureReports: true });
