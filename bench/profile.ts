// CPU profile of one of our commands: runs it under `node --cpu-prof` and sums the samples of the
// V8 .cpuprofile by function (self time) and by source file, so the hot spots can be named as
// file:function with their share of the run.

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotSpot {
  /** file:function:line, the file relative to the repository (dist/ mapped back to the .ts path). */
  where: string;
  selfPercent: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: HotSpot[];
  files: HotSpot[];
}

/** Self time per function and per file, from the sample counts (each sample is one interval). */
export function summarize(p: CpuProfile, root: string, top = 25): ProfileSummary {
  const selfByNode = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    // Time deltas are per sample; attribute each delta to the sample it precedes.
    for (let i = 0; i < p.samples.length; i++) selfByNode.set(p.samples[i]!, (selfByNode.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  } else {
    for (const n of p.nodes) selfByNode.set(n.id, n.hitCount ?? 0);
  }
  let total = 0;
  for (const v of selfByNode.values()) total += v;
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const n of p.nodes) {
    const self = selfByNode.get(n.id) ?? 0;
    if (self === 0) continue;
    const file = shortFile(n.callFrame.url, root);
    const fn = n.callFrame.functionName || '(anonymous)';
    const key = file ? `${file}:${fn}:${n.callFrame.lineNumber + 1}` : fn;
    byFn.set(key, (byFn.get(key) ?? 0) + self);
    const fk = file || fn;
    byFile.set(fk, (byFile.get(fk) ?? 0) + self);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, v]) => ({ where, selfPercent: (100 * v) / (total || 1) }));
  return { totalMs: (p.endTime - p.startTime) / 1000, functions: rank(byFn), files: rank(byFile) };
}

function shortFile(url: string, root: string): string {
  if (!url) return '';
  let f = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  if (f.startsWith(root + '/')) f = f.slice(root.length + 1);
  // Compiled output maps one to one onto the sources.
  const m = /^dist\/(.*)\.js$/.exec(f);
  if (m) f = `${m[1]}.ts`;
  return f;
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [`CPU profile: ${(s.totalMs / 1000).toFixed(2)} s sampled`, '', '| Self % | Function (file:function:line) |', '|---:|---|'];
  for (const h of s.functions) lines.push(`| ${h.selfPercent.toFixed(1)} | ${h.where} |`);
  lines.push('', '| Self % | File |', '|---:|---|');
  for (const h of s.files.slice(0, 15)) lines.push(`| ${h.selfPercent.toFixed(1)} | ${h.where} |`);
  return lines.join('\n');
}

/** Runs `node --cpu-prof <args>` (stdout to /dev/null) and returns the formatted summary. */
export async function profileList(root: string, args: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-prof-'));
  const devNull = openSync('/dev/null', 'w');
  try {
    const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...args], { cwd: root, stdio: ['ignore', devNull, 'inherit'] });
    await new Promise((resolve) => child.on('close', resolve));
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return 'CPU profile: no .cpuprofile written';
    return formatSummary(summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, root));
  } finally {
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `node dist/bench/profile.js FILE.cpuprofile`: summarises an existing profile. */
if (process.argv[1]?.match(/bench\/profile\.(js|ts)$/) && process.argv[2]) {
  const { repoRoot } = await import('./generate.js');
  process.stdout.write(formatSummary(summarize(JSON.parse(readFileSync(process.argv[2], 'utf8')) as CpuProfile, repoRoot())) + '\n');
}
