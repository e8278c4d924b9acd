// HTML feedback: grading a small generated class with `--feedback md,html` gives each student a
// page with the rubric's results on top of the HTML report of the capture that decided the grade.
// Expectations come from elsewhere than the page itself: the packet rows from tshark's list of
// the fixture (F.tshark.txt), "shown" parts from the fixture's construction (F.scenario.json),
// the per-check verdicts and the deciding file from the Markdown feedback and the gradebook.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SHOWS, type Scenario } from '../expect/lab-parts.js';
import { loadExpectations } from '../../src/expect/load.js';
import type { PartResult } from '../../src/expect/evaluate.js';
import { decidingFile, feedbackHtml, reportPageName } from '../../src/grade/feedback-html.js';
import { gradeClass, type ClassResult, type StudentResult } from '../../src/grade/grade.js';

const FIX = 'fixtures';
const runner = join('test', 'expect', 'cli-runner.ts');
const have = existsSync(join(FIX, 'lab/lab1-pubsub.pcap'));

interface Sub {
  folder: string;
  name: string;
  files: { name: string; fixture?: string; data?: Buffer }[];
}

const CLASS: Sub[] = [
  { folder: 'Alice Martin_1001_assignsubmission_file_', name: 'Alice Martin', files: [{ name: 'part1.pcap', fixture: 'lab/lab1-pubsub.pcap' }, { name: 'part5.pcap', fixture: 'lab/lab5-retain.pcap' }] },
  { folder: 'Bob Li_1002_assignsubmission_file_', name: 'Bob Li', files: [{ name: 'qos.pcap', fixture: 'lab/lab3-qos.pcap' }] },
  { folder: 'Dave Roy_1004_assignsubmission_file_', name: 'Dave Roy', files: [{ name: 'retain.pcap', fixture: 'negative/neg-retain-missing.pcap' }] },
  { folder: 'Frank Ode_1006_assignsubmission_file_', name: 'Frank Ode', files: [{ name: 'notes.txt', data: Buffer.from('I ran the lab, it worked.\n') }] },
  { folder: 'Ivan Petrov_1009_assignsubmission_file_', name: 'Ivan Petrov', files: [{ name: 'wild.pcapng', fixture: 'lab/lab4-wildcards.pcapng' }] },
  { folder: 'Oscar Nil_1012_assignsubmission_file_', name: 'Oscar Nil', files: [] },
  // The student's name is shown on the page: it must come out as text.
  { folder: 'Eve <img src=x onerror=alert(1)>_1013_assignsubmission_file_', name: 'Eve <img src=x onerror=alert(1)>', files: [{ name: 'topics.pcap', fixture: 'lab/lab2-topics.pcap' }] },
];

function writeClass(dir: string, subs: Sub[]): void {
  for (const s of subs) {
    mkdirSync(join(dir, s.folder), { recursive: true });
    for (const f of s.files) writeFileSync(join(dir, s.folder, f.name), f.data ?? readFileSync(join(FIX, f.fixture!)));
  }
}

function grade(input: string, out: string, feedback: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', runner, 'grade', input, '--rubric', 'lab2', '--out', out, '--jobs', '4', '--timeout', '60', '--feedback', feedback], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Frame numbers of tshark's `-Y mqtt` packet list. */
function tsharkFrames(fixture: string): number[] {
  return readFileSync(join(FIX, `${fixture}.tshark.txt`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => Number(/^\s*(\d+)\s/.exec(l)![1]));
}

function reportRows(html: string): { source: string; frames: number[] } | null {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) return null;
  const d = JSON.parse(m[1]!) as { source: string; rows: (number | string)[][] };
  return { source: d.source, frames: d.rows.map((r) => r[0] as number) };
}

const unHtml = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const unMd = (s: string): string => s.replace(/\\([\\`*_[\]<>|#])/g, '$1');

interface Verdict {
  part: string;
  pass: boolean;
  name: string;
  points: string;
}

function htmlVerdicts(html: string): Verdict[] {
  const rubric = html.slice(html.indexOf('<section id="rubric">'), html.indexOf('</section>', html.indexOf('<section id="rubric">')));
  const re = /<tr class="check" data-part="([^"]*)" data-status="(pass|fail)"><td[^>]*>.*?<\/td><td>(.*?)<\/td><td class="num">(.*?)<\/td>/g;
  return [...rubric.matchAll(re)].map((m) => ({ part: unHtml(m[1]!), pass: m[2] === 'pass', name: unHtml(m[3]!), points: m[4]! }));
}

function mdVerdicts(md: string): Verdict[] {
  const out: Verdict[] = [];
  let part = '';
  for (const line of md.split('\n')) {
    const h = /^## Part (\S+):/.exec(line);
    if (h) part = h[1]!;
    const r = /^\| ([✔✘]) \| (.*?) \| (\S+ \/ \S+) \|/.exec(line);
    if (r) out.push({ part, pass: r[1] === '✔', name: unMd(r[2]!), points: r[3]! });
  }
  return out;
}

/** Part id → [file it was graded on, its points], from the Markdown ("## Part n: … — e / p",
 *  then "Graded on `f`."). */
function mdGradedOn(md: string): Map<string, [string, number]> {
  const out = new Map<string, [string, number]>();
  let part = '';
  let points = 0;
  for (const line of md.split('\n')) {
    const h = /^## Part (\S+):.* — \S+ \/ (\S+)$/.exec(line);
    if (h) (part = h[1]!), (points = Number(h[2]));
    const g = /^Graded on `(.*)`\.$/.exec(line);
    if (g) out.set(part, [g[1]!, points]);
  }
  return out;
}

/** The file that counts for most points (the first such, in part order). */
function mdDecidingFile(md: string): string | null {
  const per = new Map<string, number>();
  for (const [file, points] of mdGradedOn(md).values()) per.set(file, (per.get(file) ?? 0) + points);
  let best: string | null = null;
  for (const [f, p] of per) if (best === null || p > per.get(best)!) best = f;
  return best;
}

function fixtureOf(sub: Sub, file: string): string {
  return sub.files.find((f) => f.name === file)!.fixture!;
}

test('grade --feedback md,html: one page per student, rubric results on top of the deciding capture\'s report', (t) => {
  if (!have) return t.skip('fixtures are missing');
  const dir = mkdtempSync(join(tmpdir(), 'grade-html-'));
  try {
    writeClass(join(dir, 'in'), CLASS);
    const out = join(dir, 'out');
    grade(join(dir, 'in'), out, 'md,html');
    const fbDir = join(out, 'feedback');
    const files = readdirSync(fbDir);
    // No scratch reports are left behind.
    assert.ok(!existsSync(join(out, '.reports')));
    const csv = readFileSync(join(out, 'gradebook.csv'), 'utf8').split('\r\n');
    let shownParts = 0;

    for (const sub of CLASS) {
      const md = files.find((f) => f.endsWith('.md') && f.startsWith(sub.name.slice(0, 3)));
      assert.ok(md, `Markdown feedback for ${sub.name}`);
      const key = md.slice(0, -3);
      assert.ok(files.includes(`${key}.html`), `HTML feedback for ${sub.name}`);
      const html = readFileSync(join(fbDir, `${key}.html`), 'utf8');
      const mdText = readFileSync(join(fbDir, md), 'utf8');

      // The same checks with the same verdicts and points as the Markdown, in the same order.
      const hv = htmlVerdicts(html);
      assert.equal(hv.length, mdVerdicts(mdText).length, sub.name);
      assert.ok(hv.length >= 9, `${sub.name}: every part's checks are there`);
      assert.deepEqual(hv, mdVerdicts(mdText), sub.name);
      // ... adding up to the gradebook's total for that student.
      const row = csv.find((l) => l.includes(`,${/_(\d+)_/.exec(sub.folder)![1]},`))!;
      const total = Number(row.split(',').at(-2));
      const earned = hv.reduce((a, v) => a + Number(v.points.split(' / ')[0]), 0);
      assert.equal(Math.round(earned * 100) / 100, total, `${sub.name}: total`);
      assert.match(html, new RegExp(`<span class="total">${total} / 90</span>`));

      // No external URL anywhere (the SVG namespace is a name, never fetched).
      const urls = new Set(html.match(/\b(?:https?|ftp|wss?):\/\/[^\s"'<>)]*/g) ?? []);
      urls.delete('http://www.w3.org/2000/svg');
      assert.deepEqual([...urls], [], sub.name);
      assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
      assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);

      const report = reportRows(html);
      if (!sub.files.some((f) => f.fixture)) {
        // Nothing readable: the rubric with the reason, and no report.
        assert.equal(report, null, sub.name);
        assert.doesNotMatch(html, /href="#row-/);
        if (sub.files.length) assert.match(html, /could not read <code>notes\.txt<\/code>: not a readable capture/);
        else assert.match(html, /No files were found in this submission/);
        continue;
      }
      // The report is of the file that counts for most points, and its rows are tshark's frames.
      const deciding = mdDecidingFile(mdText)!;
      assert.ok(report, `${sub.name}: a report`);
      assert.equal(report.source, deciding, sub.name);
      assert.deepEqual(report.frames, tsharkFrames(fixtureOf(sub, deciding)), `${sub.name}: rows of ${deciding}`);
      assert.ok(html.indexOf('<section id="rubric">') < html.indexOf('<section id="summary">'), 'the rubric comes first');

      // Parts a submitted fixture was built to show pass every check, graded on that file.
      const gradedOn = mdGradedOn(mdText);
      const scenarios = sub.files.map((f) => JSON.parse(readFileSync(join(FIX, `${f.fixture}.scenario.json`), 'utf8')) as Scenario);
      for (let p = 1; p <= 9; p++) {
        const showing = sub.files.filter((_, k) => SHOWS[p]!(scenarios[k]!)).map((f) => f.name);
        if (!showing.length) continue;
        shownParts++;
        assert.ok(showing.includes(gradedOn.get(String(p))?.[0] ?? ''), `${sub.name}: part ${p} is graded on a file that shows it (${showing.join(', ')})`);
        assert.ok(hv.filter((v) => v.part === String(p)).every((v) => v.pass), `${sub.name}: part ${p} passes`);
      }
      // Evidence frames of checks graded on this file link to its rows (the report's own links).
      for (const m of html.matchAll(/<a class="fr" href="#row-(\d+)" data-frame="(\d+)">/g)) assert.equal(m[1], m[2]);
    }

    assert.ok(shownParts >= 5, `the class shows some parts (${shownParts})`);

    // Student names are text, never markup.
    const eve = readFileSync(join(fbDir, files.find((f) => f.startsWith('Eve') && f.endsWith('.html'))!), 'utf8');
    assert.ok(!eve.includes('<img src=x'));
    assert.ok(eve.includes('Eve &lt;img src=x onerror=alert(1)&gt;'));

    // Alice's other file: its own page, linked from hers, with its rows and parts.
    const alice = CLASS[0]!;
    const aliceMd = readFileSync(join(fbDir, files.find((f) => f.startsWith('Alice') && f.endsWith('.md'))!), 'utf8');
    const deciding = mdDecidingFile(aliceMd)!;
    const other = alice.files.map((f) => f.name).find((f) => f !== deciding)!;
    const otherPage = files.find((f) => f.startsWith('Alice') && f.endsWith(`-${other}.html`));
    assert.ok(aliceMd.includes(`Graded on \`${other}\``), `some part is graded on ${other}`);
    {
      assert.ok(otherPage, `a page for ${other}`);
      const aliceHtml = readFileSync(join(fbDir, files.find((f) => f.startsWith('Alice') && f.endsWith('.html') && !f.includes('.pcap'))!), 'utf8');
      assert.ok(aliceHtml.includes(`href="${encodeURIComponent(otherPage)}"`), 'linked from the main page');
      const side = readFileSync(join(fbDir, otherPage), 'utf8');
      assert.deepEqual(reportRows(side)!.frames, tsharkFrames(fixtureOf(alice, other)));
      assert.equal(reportRows(side)!.source, other);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--feedback md writes no HTML and no scratch reports', (t) => {
  if (!have) return t.skip('fixtures are missing');
  const dir = mkdtempSync(join(tmpdir(), 'grade-md-'));
  try {
    writeClass(join(dir, 'in'), [CLASS[1]!]);
    grade(join(dir, 'in'), join(dir, 'out'), 'md');
    assert.deepEqual(readdirSync(join(dir, 'out', 'feedback')), ['Bob Li_1002.md']);
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['feedback', 'gradebook.csv']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a capture over the report limits: the page says so and links no frame', async (t) => {
  if (!have) return t.skip('fixtures are missing');
  const dir = mkdtempSync(join(tmpdir(), 'grade-cap-'));
  try {
    const path = join(dir, 'lab1.pcap');
    writeFileSync(path, readFileSync(join(FIX, 'lab/lab1-pubsub.pcap')));
    const rubric = loadExpectations('lab2');
    const student = { name: 'Zed', id: '', key: 'Zed', files: [{ name: 'lab1.pcap', path }], notes: [] };
    for (const [limits, reason] of [
      [{ maxRows: 3 }, /more than 3 frames with MQTT, too many for the HTML report/],
      [{ maxBytes: 100 }, /larger than 100 bytes, too large for the HTML report/],
    ] as const) {
      const reports = join(dir, 'r');
      mkdirSync(reports, { recursive: true });
      const c = await gradeClass([student], rubric, { workers: 1, reports: { dir: reports, ...limits } });
      const s = c.students[0]!;
      assert.equal(s.reports.length, 1);
      assert.equal(s.reports[0]!.report.status, 'skipped');
      assert.deepEqual(readdirSync(reports), [], 'no report was written');
      const html = feedbackHtml(s, c);
      assert.match(html, reason);
      assert.equal(reportRows(html), null);
      assert.doesNotMatch(html, /href="#row-|data-frame=/);
      // The evidence frames are still named, as text.
      const frames = s.parts.flatMap((p) => p.checks.flatMap((ch) => ch.frames));
      assert.ok(frames.length > 0);
      assert.ok(html.includes(`<span class="mono">${frames[0]}</span>`));
      // The grade is the same as without any report.
      const plain = await gradeClass([student], rubric, { workers: 1 });
      assert.deepEqual(s.parts, plain.students[0]!.parts);
      rmSync(reports, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A part graded on `file`, worth `points`, `earned` of them. */
function part(id: string, file: string, points: number, earned: number): PartResult {
  return { id, title: `P${id}`, file, checks: [], points, earned, passed: earned === points };
}

function studentWith(parts: PartResult[], key = 'S'): StudentResult {
  return { student: { name: key, id: '', key, files: [], notes: [] }, parts, points: 0, earned: 0, unreadable: [], reports: [] };
}

test('the deciding file counts for most points; ties go to more points earned, then rubric order', () => {
  assert.equal(decidingFile(studentWith([part('1', 'a', 10, 0), part('2', 'b', 10, 10), part('3', 'a', 5, 0)])), 'a');
  assert.equal(decidingFile(studentWith([part('1', 'a', 10, 2), part('2', 'b', 10, 7)])), 'b');
  assert.equal(decidingFile(studentWith([part('1', 'a', 10, 5), part('2', 'b', 10, 5)])), 'a');
  assert.equal(decidingFile(studentWith([part('1', '-', 10, 0)])), null);
});

test("a file's page name never takes another student's page", () => {
  const a = studentWith([], 'Bob');
  const c = { title: 't', rubric: loadExpectations('lab2'), students: [a, studentWith([], 'Bob-2')] } as ClassResult;
  assert.equal(reportPageName(a, 'x/y.pcap', c), 'Bob-x_y.pcap.html');
  assert.equal(reportPageName(a, '2', c), 'Bob-2-report.html');
});

test('in a browser: a rubric frame leads to its row, the other file opens at the linked row, nothing is fetched', async (t) => {
  const CHROMIUM = '/usr/bin/chromium';
  if (!have) return t.skip('fixtures are missing');
  if (!existsSync(CHROMIUM)) return t.skip(`${CHROMIUM} is missing (apt-get install -y chromium)`);
  const dir = mkdtempSync(join(tmpdir(), 'grade-browser-'));
  const { chromium } = await import('playwright-core');
  const ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const requests: string[] = [];
    ctx.on('request', (r) => requests.push(r.url()));
    await ctx.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : route.abort()));
    const alice = CLASS[0]!;
    writeClass(join(dir, 'in'), [alice]);
    grade(join(dir, 'in'), join(dir, 'out'), 'md,html');
    const fbDir = join(dir, 'out', 'feedback');
    const md = readFileSync(join(fbDir, 'Alice Martin_1001.md'), 'utf8');
    const gradedOn = mdGradedOn(md);
    const deciding = mdDecidingFile(md)!;
    const errors: string[] = [];
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(join(fbDir, 'Alice Martin_1001.html')).href);
    await page.waitForSelector('body[data-ready="1"]');

    // The first evidence frame of a check graded on the deciding file: a row of its tshark list.
    const link = page.locator('#rubric a.fr[data-frame]').first();
    const frame = Number(await link.getAttribute('data-frame'));
    assert.ok(tsharkFrames(fixtureOf(alice, deciding)).includes(frame));
    await link.click();
    assert.ok(await page.locator(`#list tr.row.hl#row-${frame}`).count(), `row ${frame} is highlighted`);

    // A check graded on the other file links to that file's page, which opens at the row.
    const other = [...gradedOn.values()].map(([f]) => f).find((f) => f !== deciding)!;
    const ext = page.locator('#rubric a.fr:not([data-frame])').first();
    const href = (await ext.getAttribute('href'))!;
    const m = /^(.+)#row-(\d+)$/.exec(href)!;
    assert.ok(m, href);
    assert.ok(tsharkFrames(fixtureOf(alice, other)).includes(Number(m[2])));
    await page.goto(new URL(href, page.url()).href);
    await page.waitForSelector('body[data-ready="1"]');
    assert.ok(await page.locator(`#list tr.row.hl#row-${m[2]}`).count(), `row ${m[2]} of ${other} is highlighted`);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
