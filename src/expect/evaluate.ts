// Evaluating expectations (or a rubric) over one collected capture: each check passes or fails
// with evidence frames, and earns its points (partial credit per check, parts scaled to their
// `points` when given).

import type { Check, Part } from './schema.js';
import type { Expectations } from './load.js';
import type { Trace } from './trace.js';
import { TraceIndex, defaultName, evaluateCheck } from './checks.js';
import { checkKind } from './schema.js';

export type CheckStatus = 'pass' | 'fail';

export interface CheckResult {
  name: string;
  kind: string;
  status: CheckStatus;
  frames: number[];
  /** What holds (pass) or what was seen instead (fail). */
  message: string;
  /** The rubric's feedback text, shown when the check fails. */
  feedback?: string;
  points: number;
  earned: number;
}

export interface PartResult {
  id: string;
  title: string;
  /** The capture the part was evaluated on. */
  file: string;
  checks: CheckResult[];
  points: number;
  earned: number;
  passed: boolean;
  /** Why the capture could be read only in part (or not at all). */
  note?: string;
}

export interface Evaluation {
  title: string;
  capture: string;
  parts: PartResult[];
  passed: number;
  failed: number;
  points: number;
  earned: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function partMaxPoints(p: Part): number {
  return p.points ?? p.expect.reduce((a, c) => a + (c.points ?? 1), 0);
}

/** Scale factor from the checks' points to the part's points. */
function scale(p: Part): number {
  const raw = p.expect.reduce((a, c) => a + (c.points ?? 1), 0);
  return p.points === undefined || raw === 0 ? 1 : p.points / raw;
}

function checkResult(ix: TraceIndex, c: Check, k: number, factor: number): CheckResult {
  const o = evaluateCheck(ix, c);
  const points = round2((c.points ?? 1) * factor);
  return {
    name: c.name ?? defaultName(c) ?? `check ${k + 1}`,
    kind: checkKind(c),
    status: o.pass ? 'pass' : 'fail',
    frames: o.frames,
    message: o.message,
    ...(c.feedback !== undefined ? { feedback: c.feedback.trim() } : {}),
    points,
    earned: o.pass ? points : 0,
  };
}

function notChecked(c: Check, k: number, factor: number, missing: string[]): CheckResult {
  return {
    name: c.name ?? defaultName(c) ?? `check ${k + 1}`,
    kind: checkKind(c),
    status: 'fail',
    frames: [],
    message: `not checked: needs ${missing.map((m) => `"${m}"`).join(', ')} to pass first`,
    ...(c.feedback !== undefined ? { feedback: c.feedback.trim() } : {}),
    points: round2((c.points ?? 1) * factor),
    earned: 0,
  };
}

export function evaluatePart(part: Part, trace: Trace, ix = new TraceIndex(trace)): PartResult {
  const factor = scale(part);
  const failedIds = new Set<string>();
  const checks = part.expect.map((c, k) => {
    const needs = typeof c.needs === 'string' ? [c.needs] : (c.needs ?? []);
    const missing = needs.filter((n) => failedIds.has(n));
    const r = missing.length ? notChecked(c, k, factor, missing) : checkResult(ix, c, k, factor);
    if (c.id && r.status === 'fail') failedIds.add(c.id);
    return r;
  });
  const notes = [trace.readNote, trace.limitNote].filter((x): x is string => Boolean(x));
  return {
    id: String(part.id),
    title: part.title ?? `Part ${part.id}`,
    file: trace.name,
    checks,
    points: round2(partMaxPoints(part)),
    earned: round2(checks.reduce((a, c) => a + c.earned, 0)),
    passed: checks.every((c) => c.status === 'pass'),
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}

/** A part that could not be evaluated at all: every check fails with the reason. */
export function unreadablePart(part: Part, file: string, reason: string): PartResult {
  const factor = scale(part);
  return {
    id: String(part.id),
    title: part.title ?? `Part ${part.id}`,
    file,
    checks: part.expect.map((c, k) => ({
      name: c.name ?? defaultName(c) ?? `check ${k + 1}`,
      kind: checkKind(c),
      status: 'fail' as const,
      frames: [],
      // The reason once, short; the rubric's advice is about the lab, not about this problem.
      message: `could not read: ${reason.length > 160 ? reason.slice(0, 157) + '...' : reason}`,
      points: round2((c.points ?? 1) * factor),
      earned: 0,
    })),
    points: round2(partMaxPoints(part)),
    earned: 0,
    passed: false,
    note: `could not read: ${reason}`,
  };
}

export function summarise(title: string, capture: string, parts: PartResult[]): Evaluation {
  let passed = 0;
  let failed = 0;
  for (const p of parts) for (const c of p.checks) c.status === 'pass' ? passed++ : failed++;
  return {
    title,
    capture,
    parts,
    passed,
    failed,
    points: round2(parts.reduce((a, p) => a + p.points, 0)),
    earned: round2(parts.reduce((a, p) => a + p.earned, 0)),
  };
}

export function evaluate(e: Expectations, trace: Trace): Evaluation {
  const ix = new TraceIndex(trace);
  return summarise(e.title, trace.name, e.parts.map((p) => evaluatePart(p, trace, ix)));
}
