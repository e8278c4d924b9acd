// HTML feedback: the HTML report of the capture that decided a student's grade, with the rubric's
// results on top (each check: pass/fail, points, what was seen, what to do, evidence frames linked
// to the report's packet-list rows). The reports themselves were written by the grading workers
// (see worker.ts); here they are only read back and given their rubric section, one student at a
// time. A student with no readable capture gets the rubric section alone, with the reasons.

import { readFileSync } from 'node:fs';
import type { CheckResult, PartResult } from '../expect/evaluate.js';
import { escapeHtml, pageHead } from '../report/html.js';
import type { ClassResult, StudentResult } from './grade.js';
import { safeName } from './submissions.js';

/** Frame numbers shown per check; the rest are counted. */
const MAX_FRAMES = 20;

/** How a file's frames can be linked from a page. */
type Target = { kind: 'here' } | { kind: 'page'; href: string } | { kind: 'none' };

/**
 * The file that counts for most points: each part is graded on its best file, and the file
 * carrying the largest share of the rubric's points decides. Ties: more points earned, then the
 * file of the earliest part. Null when no part was graded on a file.
 */
export function decidingFile(s: StudentResult): string | null {
  const by = new Map<string, { points: number; earned: number }>();
  for (const p of s.parts) {
    if (p.file === '-') continue;
    const t = by.get(p.file) ?? { points: 0, earned: 0 };
    t.points += p.points;
    t.earned += p.earned;
    by.set(p.file, t);
  }
  let best: string | null = null;
  for (const [file, t] of by) {
    const b = best === null ? null : by.get(best)!;
    if (!b || t.points > b.points || (t.points === b.points && t.earned > b.earned)) best = file;
  }
  return best;
}

/** `<student>-<file>.html`, for the report of a file other than the deciding one. Never the name
 *  of another student's page (keys may themselves end in "-2"). */
export function reportPageName(s: StudentResult, file: string, c: ClassResult): string {
  const base = `${s.student.key}-${safeName(file)}`;
  const taken = c.students.some((o) => o.student.key.toLowerCase() === base.toLowerCase());
  return `${taken ? `${base}-report` : base}.html`;
}

/** Files (other than the deciding one) that decided at least one part and have a report. */
function otherReportFiles(s: StudentResult, deciding: string | null): string[] {
  const decided = new Set(s.parts.map((p) => p.file).filter((f) => f !== '-' && f !== deciding));
  return s.reports.filter((r) => decided.has(r.file) && r.report.status === 'written').map((r) => r.file);
}

function reportOf(s: StudentResult, file: string | null) {
  return file === null ? undefined : s.reports.find((r) => r.file === file)?.report;
}

const href = (page: string, frame?: number): string => encodeURIComponent(page) + (frame !== undefined ? `#row-${frame}` : '');
const code = (s: string): string => `<code>${escapeHtml(s)}</code>`;

function frameLinks(frames: number[], t: Target): string {
  const shown = frames.slice(0, MAX_FRAMES).map((f) => {
    // a.fr[data-frame] is what the report's script turns into "go to this row"; a link to another
    // page keeps the look (class fr) without the data-frame the script would intercept.
    if (t.kind === 'here') return `<a class="fr" href="#row-${f}" data-frame="${f}">${f}</a>`;
    if (t.kind === 'page') return `<a class="fr" href="${t.href}#row-${f}">${f}</a>`;
    return `<span class="mono">${f}</span> `;
  });
  return shown.join('') + (frames.length > MAX_FRAMES ? ` <span class="muted">+${frames.length - MAX_FRAMES} more</span>` : '') || '<span class="muted">-</span>';
}

function checkRow(p: PartResult, ch: CheckResult, t: Target): string {
  const verdict = ch.status === 'pass' ? '<span class="pass">✔ pass</span>' : '<span class="fail">✘ fail</span>';
  const todo = ch.status === 'fail' && ch.feedback ? `<div><b>What to do:</b> ${escapeHtml(ch.feedback)}</div>` : '';
  return `<tr class="check" data-part="${escapeHtml(p.id)}" data-status="${ch.status}"><td style="white-space:nowrap">${verdict}</td><td>${escapeHtml(ch.name)}</td><td class="num">${ch.earned} / ${ch.points}</td><td>${frameLinks(ch.frames, t)}</td><td>${escapeHtml(ch.message)}${todo}</td></tr>`;
}

function partBlock(p: PartResult, targets: Map<string, Target>, here: string | null): string {
  const t = targets.get(p.file) ?? { kind: 'none' };
  let where = '';
  if (p.file !== '-') {
    where = p.file === here ? `Graded on ${code(p.file)} (the report below).` : `Graded on ${code(p.file)}${t.kind === 'page' ? ` (<a href="${t.href}">its report</a>)` : ''}.`;
  }
  return `<h3 class="part" data-part="${escapeHtml(p.id)}">Part ${escapeHtml(p.id)}: ${escapeHtml(p.title)} — ${p.earned} / ${p.points}</h3>
${where ? `<p class="muted">${where}</p>` : ''}${p.note ? `<p class="fail">${escapeHtml(p.note)}</p>` : ''}
<table><thead><tr><th>Result</th><th>Check</th><th class="num">Points</th><th>Evidence frames</th><th>Details</th></tr></thead><tbody>
${p.checks.map((ch) => checkRow(p, ch, t)).join('\n')}
</tbody></table>`;
}

/** "part 5" / "parts 1, 2, 3" / "" for the parts graded on `file`. */
function partsOf(s: StudentResult, file: string): string {
  const ids = s.parts.filter((p) => p.file === file).map((p) => p.id);
  return ids.length ? `${ids.length === 1 ? 'part' : 'parts'} ${ids.join(', ')}` : '';
}

/** What was read, what was not, and where each file's report is. */
function filesBlock(s: StudentResult, here: string | null, targets: Map<string, Target>): string {
  const items: string[] = [];
  if (!s.student.files.length) items.push('No files were found in this submission.');
  if (here !== null) {
    const r = reportOf(s, here);
    const parts = escapeHtml(partsOf(s, here));
    items.push(
      r?.status === 'written'
        ? `The report below is of ${code(here)}, which counts for ${parts}.`
        : `${code(here)} counts for ${parts}; it has no packet report here: ${escapeHtml(r?.status === 'skipped' ? r.reason : 'no report was made')}.`,
    );
  }
  for (const r of s.reports) {
    if (r.file === here) continue;
    const parts = escapeHtml(partsOf(s, r.file));
    const t = targets.get(r.file);
    const link = t?.kind === 'page' ? ` — <a href="${t.href}">its report</a>` : r.report.status === 'skipped' ? ` — no report: ${escapeHtml(r.report.reason)}` : '';
    items.push(`Also read: ${code(r.file)}${parts ? ` (counts for ${parts})` : ' (counts for no part: another file scored better)'}${link}.`);
  }
  for (const u of s.unreadable) items.push(`<span class="fail">could not read ${code(u.file)}: ${escapeHtml(u.reason)}</span>`);
  for (const n of s.student.notes) items.push(escapeHtml(n));
  return items.length ? `<ul class="files">${items.map((x) => `<li>${x}</li>`).join('')}</ul>` : '';
}

function targetsFor(s: StudentResult, c: ClassResult, here: string | null, pageOk: boolean): Map<string, Target> {
  const m = new Map<string, Target>();
  for (const r of s.reports) {
    if (r.file === here) m.set(r.file, pageOk ? { kind: 'here' } : { kind: 'none' });
    else if (r.report.status === 'written' && s.parts.some((p) => p.file === r.file)) m.set(r.file, { kind: 'page', href: href(reportPageName(s, r.file, c)) });
  }
  return m;
}

function who(s: StudentResult): string {
  return s.student.id ? `${s.student.name} (${s.student.id})` : s.student.name;
}

/** The rubric section of the student's page: total, files, every part with its checks. */
function rubricSection(s: StudentResult, c: ClassResult, here: string | null, hasReport: boolean): string {
  const targets = targetsFor(s, c, here, hasReport);
  return `<section id="rubric"><h2>${escapeHtml(c.title)}: feedback for ${escapeHtml(who(s))} — <span class="total">${s.earned} / ${s.points}</span> points</h2>
${filesBlock(s, here, targets)}
${s.parts.map((p) => partBlock(p, targets, here)).join('\n')}
</section>`;
}

/** Put `section` first in the report's <main> (the report escapes all capture text, so the first
 *  "<main>" is its own). */
function withSection(reportHtml: string, section: string): string {
  const at = reportHtml.indexOf('<main>');
  if (at < 0) throw new Error('bug: the report has no <main>');
  const k = at + '<main>'.length;
  return `${reportHtml.slice(0, k)}\n${section}${reportHtml.slice(k)}`;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

function standalonePage(title: string, body: string): string {
  return `${pageHead(title, CSP)}<body>
<header class="top"><h1>${escapeHtml(title)}</h1></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The report file a worker wrote, or null with why not (it may have been removed meanwhile). */
function readReport(s: StudentResult, file: string | null): { html: string | null; why: string | null } {
  const r = reportOf(s, file);
  if (!r) return { html: null, why: null };
  if (r.status === 'skipped') return { html: null, why: r.reason };
  try {
    return { html: readFileSync(r.path, 'utf8'), why: null };
  } catch (err) {
    return { html: null, why: `the report could not be read back: ${(err as Error).message}` };
  }
}

/** The student's page: `OUT/feedback/<student>.html`. */
export function feedbackHtml(s: StudentResult, c: ClassResult): string {
  const here = decidingFile(s);
  const { html, why } = readReport(s, here);
  if (html !== null) return withSection(html, rubricSection(s, c, here, true));
  const section = rubricSection(s, c, here, false);
  const reason = why ?? (here === null ? 'no capture of this submission could be graded' : 'no report was made');
  return standalonePage(`${c.title}: ${who(s)}`, `${section}\n<section id="no-report"><h2>Packet report</h2><p class="muted">No packet report: ${escapeHtml(reason)}.</p></section>`);
}

/** The other files' pages (`<student>-<file>.html`): each report with the parts graded on it. */
export function feedbackHtmlPages(s: StudentResult, c: ClassResult): { name: string; content: string }[] {
  const here = decidingFile(s);
  const out: { name: string; content: string }[] = [];
  for (const file of otherReportFiles(s, here)) {
    const { html } = readReport(s, file);
    if (html === null) continue;
    const targets = new Map<string, Target>([[file, { kind: 'here' }]]);
    const parts = s.parts.filter((p) => p.file === file);
    const section = `<section id="rubric"><h2>${escapeHtml(c.title)}: ${escapeHtml(who(s))} — report of ${code(file)}</h2>
<p>The parts graded on this file are below; the grade and every part are in <a href="${href(`${s.student.key}.html`)}">the feedback page</a> (total ${s.earned} / ${s.points}).</p>
${parts.map((p) => partBlock(p, targets, file)).join('\n')}
</section>`;
    out.push({ name: reportPageName(s, file, c), content: withSection(html, section) });
  }
  return out;
}
