// Output of an evaluation: a table for people, JSON for machines, JUnit XML for CI servers and
// GitHub Actions workflow commands (annotations). Renderers only format.

import { hostname } from 'node:os';
import { styleText } from 'node:util';
import { plainTable } from '../render/table-style.js';
import type { Evaluation } from './evaluate.js';

const paint = (color: boolean, style: Parameters<typeof styleText>[0], text: string): string => (color ? styleText(style, text) : text);

function framesCell(frames: number[], max = 8): string {
  if (!frames.length) return '-';
  return frames.slice(0, max).join(', ') + (frames.length > max ? ', …' : '');
}

/** Wrap long text so the table stays readable on a terminal. */
function wrap(text: string, width: number): string {
  if (text.includes('\n')) return text.split('\n').map((t) => wrap(t, width)).join('\n');
  if (text.length <= width) return text;
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join('\n');
}

export function renderEvaluation(ev: Evaluation, opts: { color: boolean; width?: number; showPoints?: boolean }): string {
  const width = Math.max(40, (opts.width ?? 120) - 70);
  const showPoints = opts.showPoints ?? ev.parts.some((p) => p.points !== p.checks.length);
  const lines: string[] = [];
  for (const part of ev.parts) {
    if (ev.parts.length > 1 || part.title !== ev.title) {
      const pts = showPoints ? `  ${part.earned}/${part.points} points` : '';
      lines.push(paint(opts.color, 'bold', `${part.id}. ${part.title}`) + pts);
    }
    if (part.note) lines.push(paint(opts.color, 'yellow', `  note: ${part.note}`));
    const head = ['Result', 'Check', 'Frames', 'Details'];
    if (showPoints) head.splice(1, 0, 'Points');
    const table = plainTable({ head, color: opts.color, alignRight: showPoints ? [1] : [] });
    for (const c of part.checks) {
      const result = c.status === 'pass' ? paint(opts.color, 'green', 'PASS') : paint(opts.color, 'red', 'FAIL');
      const detail = c.status === 'fail' && c.feedback ? `${c.message}\n→ ${c.feedback}` : c.message;
      const row = [result, wrap(c.name, 40), framesCell(c.frames), wrap(detail, width)];
      if (showPoints) row.splice(1, 0, `${c.earned}/${c.points}`);
      table.push(row);
    }
    lines.push(table.toString());
    lines.push('');
  }
  const total = ev.passed + ev.failed;
  const verdict = ev.failed === 0 ? paint(opts.color, 'green', 'all expectations hold') : paint(opts.color, 'red', `${ev.failed} of ${total} expectations failed`);
  lines.push(`${ev.capture}: ${verdict} (${ev.passed}/${total} passed${showPoints ? `, ${ev.earned}/${ev.points} points` : ''})`);
  return lines.join('\n');
}

export function evaluationJson(ev: Evaluation): Record<string, unknown> {
  return {
    title: ev.title,
    capture: ev.capture,
    result: ev.failed === 0 ? 'pass' : 'fail',
    passed: ev.passed,
    failed: ev.failed,
    points: ev.points,
    earned: ev.earned,
    parts: ev.parts,
  };
}

// ---------------------------------------------------------------------------------------------
// JUnit XML, in the shape of the Ant XMLJUnitResultFormatter / windyroad JUnit.xsd that CI
// servers (Jenkins, GitLab, Azure, GitHub test reporters) read: <testsuites> of one
// <testsuite> per part, one <testcase> per check, <failure> with the reason.

const XML_INVALID = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlEscape(s: string): string {
  return s
    .replace(XML_INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** JUnit's name/classname are xs:token: no line breaks, no runs of spaces. */
const token = (s: string): string => xmlEscape(s.replace(/\s+/g, ' ').trim() || '-');

export function renderJunit(ev: Evaluation, opts: { timestamp?: Date; hostname?: string; seconds?: number } = {}): string {
  const ts = (opts.timestamp ?? new Date()).toISOString().slice(0, 19);
  const host = token(opts.hostname ?? (hostname() || 'localhost'));
  const time = (opts.seconds ?? 0).toFixed(3);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  ev.parts.forEach((part, k) => {
    const failures = part.checks.filter((c) => c.status === 'fail').length;
    const suite = ev.parts.length > 1 ? `${ev.title} - ${part.id}. ${part.title}` : part.title === ev.title ? ev.title : `${ev.title} - ${part.title}`;
    out.push(
      `  <testsuite name="${token(suite)}" package="mqtt-analyze" id="${k}" timestamp="${ts}" hostname="${host}" tests="${part.checks.length}" failures="${failures}" errors="0" skipped="0" time="${time}">`,
    );
    out.push(`    <properties>`);
    out.push(`      <property name="capture" value="${xmlEscape(ev.capture)}"/>`);
    if (part.note) out.push(`      <property name="note" value="${xmlEscape(part.note)}"/>`);
    out.push(`    </properties>`);
    for (const c of part.checks) {
      const open = `    <testcase name="${token(c.name)}" classname="${token(`${ev.capture}.part${part.id}`)}" time="0"`;
      if (c.status === 'pass') {
        out.push(`${open}/>`);
        continue;
      }
      const frames = c.frames.length ? `\nEvidence frames: ${c.frames.join(', ')}` : '';
      const body = `${c.message}${c.feedback ? `\n${c.feedback}` : ''}${frames}`;
      out.push(`${open}>`);
      out.push(`      <failure message="${xmlEscape(c.message)}" type="${token(c.kind)}">${xmlEscape(body)}</failure>`);
      out.push(`    </testcase>`);
    }
    const passed = part.checks.length - failures;
    out.push(`    <system-out>${xmlEscape(`${passed}/${part.checks.length} checks passed, ${part.earned}/${part.points} points`)}</system-out>`);
    out.push(`    <system-err></system-err>`);
    out.push(`  </testsuite>`);
  });
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions workflow commands: one ::error per failed check, so the run's summary shows it.
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions

const ghData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProp = (s: string): string => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function githubAnnotations(ev: Evaluation, file: string): string {
  const lines: string[] = [];
  for (const part of ev.parts) {
    for (const c of part.checks) {
      if (c.status === 'pass') continue;
      const title = ev.parts.length > 1 ? `${part.id}. ${part.title}: ${c.name}` : c.name;
      const frames = c.frames.length ? ` (frames ${c.frames.slice(0, 10).join(', ')})` : '';
      const msg = `${c.message}${frames}${c.feedback ? `\n${c.feedback}` : ''}`;
      lines.push(`::error file=${ghProp(file)},title=${ghProp(title)}::${ghData(msg)}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
