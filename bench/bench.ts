// `npm run bench` (issue #2 §11, issue #3 §7): generates the synthetic capture when missing, then
// measures in one run, on the same file:
//   walk     our capture reader alone (bench/walk.ts): the floor
//   dissect  the whole dissection to packet-list rows, nothing rendered (bench/dissect.ts)
//   list     node bin/mqtt-analyze.js F --format jsonl > /dev/null
//   check    node bin/mqtt-analyze.js check F --format json > /dev/null
//   tshark   tshark -r F -Y mqtt > /dev/null
// each with wall time, frames/s, MB/s and peak RSS (GNU time's %e %M; /proc polling without it),
// prints a Markdown table, the ratios against tshark with the targets, and the
// memory-follows-connections check: list's and check's peak RSS on a capture a tenth the size with
// the same number of connections open at once must be about the same.
//
// Usage: npm run bench -- [--size 1g|100m|10m] [--quick] [--runs N] [--no-tshark] [--no-memory]
//                         [--profile] [--reuse-tshark]
//   --quick     100m instead of 1g
//   --runs N    run our commands N times and keep the fastest (tshark always once)
//   --reuse-tshark  take tshark's numbers from the last run on the identical capture (it needs
//               ~70 s and ~3.5 GB for 1g)
//   --profile   also run list and check under node --cpu-prof on the 100m capture and print the
//               functions and files with the most self time (bench/profile.ts)

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defaultCapturePath,
  describeStats,
  existingCapture,
  generateCapture,
  parseSize,
  repoRoot,
  sizeLabel,
  type GenerateStats,
} from './generate.js';
import { profileList } from './profile.js';
import { jsonlThreads } from '../src/cli/parallel-jsonl.js';
import { worthThreads } from '../src/pipeline/threaded.js';

/** Targets from issue #2 §11 / issue #3 §7 (1 GB capture). */
const TARGET_LIST_SPEEDUP = 10;
const TARGET_CHECK_SPEEDUP = 20;
const TARGET_RSS_MB = 200;
/** Peak RSS on the big capture may exceed the small one's by this factor and still "follow connections". */
const MEMORY_TOLERANCE = 1.25;

export interface Measurement {
  name: string;
  command: string;
  capture: string;
  ok: boolean;
  note?: string;
  wallSeconds: number;
  peakRssMb: number;
  /** User + system CPU time of every thread (GNU time's %U + %S); NaN when unknown. */
  cpuSeconds: number;
  frames: number;
  bytes: number;
}

interface Options {
  size: number;
  runs: number;
  tshark: boolean;
  memory: boolean;
  profile: boolean;
  reuseTshark: boolean;
}

const root = repoRoot();
const GNU_TIME = '/usr/bin/time';
/** Running from source (tsx) or compiled (dist/bench): pick the walk script to match. */
const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');

function parseArgs(argv: string[]): Options {
  const o: Options = { size: parseSize('1g'), runs: 1, tshark: true, memory: true, profile: false, reuseTshark: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--size') o.size = parseSize(argv[++i] ?? '');
    else if (a === '--quick') o.size = parseSize('100m');
    else if (a === '--runs') o.runs = Math.max(1, Number(argv[++i]));
    else if (a === '--no-tshark') o.tshark = false;
    else if (a === '--no-memory') o.memory = false;
    else if (a === '--profile') o.profile = true;
    else if (a === '--reuse-tshark') o.reuseTshark = true;
    else {
      process.stderr.write(`bench: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  return o;
}

/** The capture of `size` bytes, generated first when missing or made by another generator version. */
export function ensureCapture(size: number, log: (s: string) => void): { path: string; stats: GenerateStats } {
  const path = defaultCapturePath(size);
  const have = existingCapture(path, size);
  if (have) return { path, stats: have };
  log(`Generating ${path} ...`);
  const stats = generateCapture({ size, out: path });
  log(`  ${describeStats(stats)}`);
  return { path, stats };
}

interface RunResult {
  status: number | null;
  wallSeconds: number;
  peakRssKb: number;
  cpuSeconds: number;
  stderr: string;
}

/** Runs argv with stdout to /dev/null; peak RSS from GNU time when present, else /proc polling. */
async function measure(argv: string[]): Promise<RunResult> {
  const useTime = existsSync(GNU_TIME);
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-bench-'));
  const timeOut = join(dir, 'time');
  const cmd = useTime ? [GNU_TIME, '-f', '%e %M %U %S', '-o', timeOut, ...argv] : argv;
  const devNull = openSync('/dev/null', 'w');
  const t0 = performance.now();
  try {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: root, stdio: ['ignore', devNull, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      if (stderr.length < 64 * 1024) stderr += s;
    });
    let polledKb = 0;
    const poll = useTime
      ? undefined
      : setInterval(() => {
          polledKb = Math.max(polledKb, vmHwmKb(child.pid));
        }, 20);
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    if (poll) clearInterval(poll);
    const wall = (performance.now() - t0) / 1000;
    if (useTime && existsSync(timeOut)) {
      // GNU time writes "Command exited with non-zero status N" before the format line.
      const last = readFileSync(timeOut, 'utf8').trim().split('\n').pop() ?? '';
      const [e, m, u, sys] = last.split(' ').map(Number);
      if (Number.isFinite(e) && Number.isFinite(m)) return { status, wallSeconds: e!, peakRssKb: m!, cpuSeconds: u! + sys!, stderr };
    }
    return { status, wallSeconds: wall, peakRssKb: polledKb, cpuSeconds: NaN, stderr };
  } finally {
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** VmHWM (peak resident set) of a live process, from /proc; 0 once it is gone. */
function vmHwmKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Our CLI exits 0 (fine) or 1 (the capture shows a violation); 2 and up is a failure. */
function cliOk(status: number | null): boolean {
  return status === 0 || status === 1;
}

async function run(
  name: string,
  argv: string[],
  capture: { path: string; stats: GenerateStats },
  runs: number,
  ok: (status: number | null) => boolean,
): Promise<Measurement> {
  let best: RunResult | undefined;
  for (let i = 0; i < runs; i++) {
    const r = await measure(argv);
    // An uncaught exception also exits with 1: a stack trace on stderr tells it from a finding.
    if (!ok(r.status) || /\n\s+at .+:\d+:\d+\)?\n/.test(r.stderr)) {
      const lines = r.stderr.trim().split('\n');
      const why = lines.find((l) => /^\w*Error\b/.test(l)) ?? (lines.slice(-3).join(' / ') || `exit status ${r.status}`);
      return failed(name, argv, capture, `failed (exit ${r.status}): ${why.slice(0, 300)}`);
    }
    if (!best || r.wallSeconds < best.wallSeconds) best = r;
  }
  return {
    name,
    command: display(argv),
    capture: capture.path,
    ok: true,
    wallSeconds: best!.wallSeconds,
    peakRssMb: best!.peakRssKb / 1024,
    cpuSeconds: best!.cpuSeconds,
    frames: capture.stats.frames,
    bytes: capture.stats.bytes,
  };
}

function failed(name: string, argv: string[], capture: { path: string; stats: GenerateStats }, note: string): Measurement {
  return { name, command: display(argv), capture: capture.path, ok: false, note, wallSeconds: NaN, peakRssMb: NaN, cpuSeconds: NaN, frames: capture.stats.frames, bytes: capture.stats.bytes };
}

function display(argv: string[]): string {
  return argv.map((a) => (a === process.execPath ? 'node' : a.startsWith(root + '/') ? a.slice(root.length + 1) : a)).join(' ');
}

/** A script of bench/ run the way this runner runs: from source under tsx, or compiled. */
function scriptArgv(name: string, capture: string): string[] {
  return fromSource
    ? [process.execPath, '--import', 'tsx', join(root, 'bench', `${name}.ts`), capture]
    : [process.execPath, join(root, 'dist', 'bench', `${name}.js`), capture];
}

const cliPath = () => join(root, 'bin', 'mqtt-analyze.js');
const listArgv = (f: string) => [process.execPath, cliPath(), f, '--format', 'jsonl'];
/** The packet list on one thread: what the split across two workers (the default for a file
 *  this size on 2+ cores) is measured against. */
const listOneThreadArgv = (f: string) => [...listArgv(f), '--jobs', '1'];
const checkArgv = (f: string) => [process.execPath, cliPath(), 'check', f, '--format', 'json'];

/** The capture to compare memory with: the largest of 1g/100m/10m/1m at most a tenth of `size`. */
export function smallerSize(size: number): number | null {
  for (const label of ['1g', '100m', '10m', '1m']) {
    const n = parseSize(label);
    if (n <= size / 10) return n;
  }
  return null;
}

/** The tshark measurement of an earlier run on the very same capture (results-<size>.json). */
function previousTshark(stats: GenerateStats): Measurement | undefined {
  const file = join(root, 'bench', 'data', `results-${sizeLabel(stats.size)}.json`);
  if (!existsSync(file)) return undefined;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as { date: string; capture: GenerateStats; measurements: Measurement[] };
    const same = r.capture.version === stats.version && r.capture.bytes === stats.bytes && r.capture.frames === stats.frames && r.capture.seed === stats.seed;
    const m = r.measurements.find((x) => x.name === 'tshark' && x.ok);
    // A measurement reused before keeps the date it was taken.
    return same && m ? { ...m, note: m.note ?? `reused from the run of ${r.date}` } : undefined;
  } catch {
    return undefined;
  }
}

function hasTshark(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}

// --- report ------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

export function table(ms: Measurement[]): string {
  const lines = [
    '| Run | Command | Wall (s) | CPU (s) | Frames/s | MB/s | Peak RSS (MB) |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const m of ms) {
    if (!m.ok) {
      lines.push(`| ${m.name} | \`${m.command}\` | ${m.note} | | | | |`);
      continue;
    }
    lines.push(
      `| ${m.name}${m.note ? ` (${m.note})` : ''} | \`${m.command}\` | ${fmt(m.wallSeconds, 2)} | ${fmt(m.cpuSeconds, 2)} | ${fmt(m.frames / m.wallSeconds)} | ${fmt(m.bytes / 1e6 / m.wallSeconds, 1)} | ${fmt(m.peakRssMb, 0)} |`,
    );
  }
  return lines.join('\n');
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'FAIL';
}

/** `cores`: the machine's, for the bound that CPU time puts on the wall time. */
export function ratios(ms: Measurement[], cores = availableParallelism()): string[] {
  const by = (n: string) => ms.find((m) => m.name === n && m.ok);
  const tshark = by('tshark');
  const out: string[] = [];
  for (const [name, target] of [
    ['list', TARGET_LIST_SPEEDUP],
    ['check', TARGET_CHECK_SPEEDUP],
  ] as const) {
    const m = by(name);
    if (!m) {
      out.push(`- ${name}: not measured`);
      continue;
    }
    const rss = `peak RSS ${fmt(m.peakRssMb)} MB (target < ${TARGET_RSS_MB}: ${verdict(m.peakRssMb < TARGET_RSS_MB)})`;
    if (!tshark) {
      out.push(`- ${name}: ${rss}; no tshark run to compare with`);
      continue;
    }
    const speedup = tshark.wallSeconds / m.wallSeconds;
    out.push(
      `- ${name}: ${fmt(speedup, 1)}x faster than tshark (target >= ${target}x: ${verdict(speedup >= target)}), ` +
        `${fmt(tshark.peakRssMb / m.peakRssMb, 1)}x less memory; ${rss}`,
    );
    // However the work were spread over the threads, it cannot end before its CPU time divided
    // by the cores: the most any rearrangement of threads could give without less work.
    if (Number.isFinite(m.cpuSeconds) && m.cpuSeconds > 0) {
      const floor = m.cpuSeconds / cores;
      out.push(
        `  - its ${fmt(m.cpuSeconds, 2)} CPU-s on ${cores} core(s) take at least ${fmt(floor, 2)} s: ` +
          `at most ${fmt(tshark.wallSeconds / floor, 1)}x tshark with this much work, perfectly spread`,
      );
    }
  }
  const walk = by('walk');
  const dissect = by('dissect');
  // (Against the one-thread list: on two threads the dissection and the writing overlap.)
  const oneThread = by('list-1-thread') ?? by('list');
  if (walk && oneThread) out.push(`- the record walk alone takes ${fmt((100 * walk.wallSeconds) / oneThread.wallSeconds)}% of the one-thread packet list's time`);
  if (dissect && oneThread) out.push(`- dissecting without rendering takes ${fmt((100 * dissect.wallSeconds) / oneThread.wallSeconds)}% of it; the JSON output the rest`);
  return out;
}

// --- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = (s: string) => process.stdout.write(s + '\n');
  const built = existsSync(join(root, 'dist', 'src', 'cli', 'main.js'));
  const cap = ensureCapture(o.size, log);
  log(`\nCapture: ${display([cap.path])}: ${describeStats(cap.stats).replace(/ Written in .*/, '')}`);
  log(`Host: ${process.platform} ${process.arch}, Node ${process.version}, ${(await import('node:os')).cpus().length} CPUs\n`);

  const ms: Measurement[] = [];
  const step = async (m: Promise<Measurement>) => {
    const r = await m;
    ms.push(r);
    log(`  ${r.name}: ${r.ok ? `${fmt(r.wallSeconds, 2)} s, ${fmt(r.peakRssMb)} MB peak RSS` : r.note}`);
  };
  log('Measuring ...');
  await step(run('walk', scriptArgv('walk', cap.path), cap, o.runs, (s) => s === 0));
  if (built) {
    await step(run('dissect', scriptArgv('dissect', cap.path), cap, o.runs, (s) => s === 0));
    await step(run('list', listArgv(cap.path), cap, o.runs, cliOk));
    await step(run('list-1-thread', listOneThreadArgv(cap.path), cap, o.runs, cliOk));
    await step(run('check', checkArgv(cap.path), cap, o.runs, cliOk));
  } else {
    ms.push(failed('list', listArgv(cap.path), cap, 'skipped: not built (run `npx tsc -p .`)'));
    ms.push(failed('check', checkArgv(cap.path), cap, 'skipped: not built (run `npx tsc -p .`)'));
  }
  const previous = o.reuseTshark ? previousTshark(cap.stats) : undefined;
  if (previous) {
    ms.push(previous);
    log(`  tshark: ${fmt(previous.wallSeconds, 2)} s, ${fmt(previous.peakRssMb)} MB peak RSS (${previous.note})`);
  } else if (o.tshark && hasTshark()) await step(run('tshark', ['tshark', '-r', cap.path, '-Y', 'mqtt'], cap, 1, (s) => s === 0));
  else ms.push(failed('tshark', ['tshark', '-r', cap.path, '-Y', 'mqtt'], cap, o.tshark ? 'skipped: tshark not installed' : 'skipped (--no-tshark)'));

  log(`\n### ${sizeLabel(o.size)} capture: ${fmt(cap.stats.bytes / 1e6, 1)} MB, ${fmt(cap.stats.frames)} frames, ${fmt(cap.stats.connections)} connections\n`);
  log(table(ms));
  log('');
  for (const l of ratios(ms)) log(l);

  const memory: { command: string; small: Measurement; big: Measurement; ratio: number }[] = [];
  const smallSize = smallerSize(o.size);
  if (o.memory && built && smallSize !== null) {
    const small = ensureCapture(smallSize, log);
    log('');
    // The small file runs with the threads the big one got by default, so like is compared with like.
    const threads = {
      list: jsonlThreads(cap.path, undefined),
      check: worthThreads(cap.path) ? 2 : 1,
    };
    for (const [name, argv] of [
      ['list', listArgv],
      ['check', checkArgv],
    ] as const) {
      const big = ms.find((m) => m.name === name && m.ok);
      if (!big) continue;
      const sm = await run(name, [...argv(small.path), '--jobs', String(threads[name])], small, 1, cliOk);
      if (!sm.ok) {
        log(`Memory follows connections (${name}): ${sm.note}`);
        continue;
      }
      const ratio = big.peakRssMb / sm.peakRssMb;
      memory.push({ command: name, small: sm, big, ratio });
      log(
        `Memory follows connections (${name}): peak RSS ${fmt(sm.peakRssMb)} MB on ${sizeLabel(smallSize)} ` +
          `(${fmt(small.stats.connections)} connections) vs ${fmt(big.peakRssMb)} MB on ${sizeLabel(o.size)} ` +
          `(${fmt(cap.stats.connections)}), both with ${cap.stats.concurrency} open at once and ${threads[name]} thread(s): ` +
          `${fmt(ratio, 2)}x (target <= ${MEMORY_TOLERANCE}x: ${verdict(ratio <= MEMORY_TOLERANCE)})`,
      );
    }
  }

  let profile: Record<string, string> | undefined;
  if (o.profile && built) {
    const p = ensureCapture(parseSize('100m'), log);
    profile = {};
    for (const [name, argv] of [
      ['list', listArgv(p.path)],
      ['check', checkArgv(p.path)],
    ] as const) {
      log(`\nProfiling ${name}: ${display(argv)} ...`);
      profile[name] = await profileList(root, argv.slice(1));
      log(profile[name]!);
    }
  }

  const results = join(root, 'bench', 'data', `results-${sizeLabel(o.size)}.json`);
  writeFileSync(
    results,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, capture: cap.stats, measurements: ms, memory, profile }, null, 2) + '\n',
  );
  log(`\n(results saved to ${display([results])})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await main();
}
