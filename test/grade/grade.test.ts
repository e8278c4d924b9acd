// Grading a generated class: a dozen students mixing good lab captures, wrong ones, truncated,
// empty, hostile and non-capture files — once as a folder, once as a Moodle-style zip with
// hostile entry names. The expected gradebook follows from the fixtures' construction
// (F.scenario.json) and from how each broken file was made.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from './crc32.js';
import { writeZip, type ZipEntry } from './zip-writer.js';
import { SHOWS, type Scenario } from '../expect/lab-parts.js';
import { parseStudentFile, parseStudentFolder, safeEntryPath } from '../../src/grade/submissions.js';
import { csvField } from '../../src/grade/report.js';

const FIX = 'fixtures';
const runner = join('test', 'expect', 'cli-runner.ts');

/** student → files (name → bytes); `from` says which fixture a file is, for the expectations. */
interface Sub {
  folder: string;
  name: string;
  id: string;
  files: { name: string; data: Buffer; fixture?: string }[];
  broken?: string;
}

function fixture(rel: string): Buffer {
  return readFileSync(join(FIX, rel));
}

function classOf(): Sub[] {
  const lab1 = fixture('lab/lab1-pubsub.pcap');
  return [
    { folder: 'Alice Martin_1001_assignsubmission_file_', name: 'Alice Martin', id: '1001', files: [{ name: 'part1.pcap', data: lab1, fixture: 'lab/lab1-pubsub.pcap' }, { name: 'part5.pcap', data: fixture('lab/lab5-retain.pcap'), fixture: 'lab/lab5-retain.pcap' }] },
    { folder: 'Bob Li_1002_assignsubmission_file_', name: 'Bob Li', id: '1002', files: [{ name: 'qos.pcap', data: fixture('lab/lab3-qos.pcap'), fixture: 'lab/lab3-qos.pcap' }] },
    { folder: 'Carol Diaz_1003_assignsubmission_file_', name: 'Carol Diaz', id: '1003', files: [{ name: 'will.pcapng', data: fixture('lab/lab7-will-v5.pcapng'), fixture: 'lab/lab7-will-v5.pcapng' }] },
    { folder: 'Dave Roy_1004_assignsubmission_file_', name: 'Dave Roy', id: '1004', files: [{ name: 'retain.pcap', data: fixture('negative/neg-retain-missing.pcap'), fixture: 'negative/neg-retain-missing.pcap' }] },
    { folder: 'Erin Wu_1005_assignsubmission_file_', name: 'Erin Wu', id: '1005', files: [{ name: 'lab.pcap', data: fixture('lab/lab8-persistent.pcap').subarray(0, 30) }], broken: 'truncated' },
    { folder: 'Frank Ode_1006_assignsubmission_file_', name: 'Frank Ode', id: '1006', files: [{ name: 'notes.txt', data: Buffer.from('I ran the lab, it worked.\n') }], broken: 'not a capture' },
    { folder: 'Grace Kim_1007_assignsubmission_file_', name: 'Grace Kim', id: '1007', files: [{ name: 'empty.pcap', data: Buffer.alloc(0) }], broken: 'empty' },
    { folder: 'Heidi Berg_1008_assignsubmission_file_', name: 'Heidi Berg', id: '1008', files: [{ name: 'periodic.pcap', data: fixture('lab/lab9-periodic.pcap'), fixture: 'lab/lab9-periodic.pcap' }, { name: 'junk.bin', data: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff)) }] },
    { folder: 'Ivan Petrov_1009_assignsubmission_file_', name: 'Ivan Petrov', id: '1009', files: [{ name: 'wild.pcapng', data: fixture('lab/lab4-wildcards.pcapng'), fixture: 'lab/lab4-wildcards.pcapng' }] },
    { folder: 'Judy Sato_1010_assignsubmission_file_', name: 'Judy Sato', id: '1010', files: [{ name: 'q2.pcap', data: fixture('negative/neg-qos2-no-pubrel.pcap'), fixture: 'negative/neg-qos2-no-pubrel.pcap' }] },
    // A pcap header, then a record claiming a 2 GB capture length: hostile, must not hurt.
    { folder: 'Mallory Evil_1011_assignsubmission_file_', name: 'Mallory Evil', id: '1011', files: [{ name: 'evil.pcap', data: hostilePcap() }], broken: 'hostile' },
    { folder: 'Oscar Nil_1012_assignsubmission_file_', name: 'Oscar Nil', id: '1012', files: [], broken: 'no files' },
    { folder: '=cmd_1013_assignsubmission_file_', name: '=cmd', id: '1013', files: [{ name: 'topics.pcap', data: fixture('lab/lab2-topics.pcap'), fixture: 'lab/lab2-topics.pcap' }] },
  ];
}

function hostilePcap(): Buffer {
  const h = Buffer.alloc(24 + 16 + 8);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(65535, 16);
  h.writeUInt32LE(1, 20);
  h.writeUInt32LE(0x7fffffff, 24 + 8); // incl_len
  h.writeUInt32LE(0x7fffffff, 24 + 12); // orig_len
  return h;
}

/** Expected points per part (9 parts of 10): full marks exactly where the construction shows the
 *  part; null = "less than full" (a wrong capture earns partial credit at most). */
function expected(sub: Sub): (number | 'partial')[] {
  const parts = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  if (sub.broken) return parts.map(() => 0);
  return parts.map((p) => {
    const shown = sub.files.some((f) => {
      if (!f.fixture) return false;
      const s = JSON.parse(readFileSync(join(FIX, `${f.fixture}.scenario.json`), 'utf8')) as Scenario;
      return SHOWS[p]!(s);
    });
    return shown ? 10 : 'partial';
  });
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (q) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') q = false;
      else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r') continue;
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += ch;
  }
  return rows;
}

function grade(input: string, out: string): { code: number; stdout: string } {
  try {
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', runner, 'grade', input, '--rubric', 'lab2', '--out', out, '--jobs', '4', '--timeout', '60'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: `${e.stdout}\n${e.stderr}` };
  }
}

function checkGradebook(out: string, subs: Sub[]): void {
  const rows = parseCsv(readFileSync(join(out, 'gradebook.csv'), 'utf8'));
  assert.equal(rows[0]![0], 'Student');
  assert.equal(rows[0]!.length, 2 + 9 + 2);
  assert.equal(rows.length - 1, subs.length);
  for (const sub of subs) {
    const shownName = /^[=+\-@]/.test(sub.name) ? `'${sub.name}` : sub.name;
    const row = rows.find((r) => r[0] === shownName && r[1] === sub.id);
    assert.ok(row, `row for ${sub.name}`);
    const exp = expected(sub);
    exp.forEach((e, k) => {
      const got = Number(row[2 + k]);
      if (e === 'partial') assert.ok(got < 10, `${sub.name} part ${k + 1}: ${got} should be below 10`);
      else assert.equal(got, e, `${sub.name} part ${k + 1}`);
    });
    const total = row.slice(2, 11).reduce((a, x) => a + Number(x), 0);
    assert.equal(Number(row[11]), Math.round(total * 100) / 100, `${sub.name} total`);
    if (sub.broken && sub.files.length) assert.match(row[12]!, /could not read|cut short/, `${sub.name} notes: ${row[12]}`);
  }
  // Every student has a feedback file naming each check; broken ones say why.
  const fb = readdirSync(join(out, 'feedback')).filter((f) => f.endsWith('.md'));
  assert.equal(fb.length, subs.length);
  const frank = readFileSync(join(out, 'feedback', fb.find((f) => f.startsWith('Frank'))!), 'utf8');
  assert.match(frank, /could not read `notes\.txt`: not a readable capture/);
  const dave = readFileSync(join(out, 'feedback', fb.find((f) => f.startsWith('Dave'))!), 'utf8');
  assert.match(dave, /no PUBLISH with RETAIN=1 from a client; frame \d+ publishes paho\/sensor\/temperature with RETAIN=0/);
}

test('a class folder grades to the expected gradebook', (t) => {
  if (!existsSync(join(FIX, 'lab/lab1-pubsub.pcap'))) return t.skip('fixtures are missing');
  const dir = mkdtempSync(join(tmpdir(), 'grade-folder-'));
  try {
    const subs = classOf();
    const input = join(dir, 'in');
    for (const s of subs) {
      mkdirSync(join(input, s.folder), { recursive: true });
      for (const f of s.files) writeFileSync(join(input, s.folder, f.name), f.data);
    }
    const r = grade(input, join(dir, 'out'));
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /13 students/);
    checkGradebook(join(dir, 'out'), subs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same class as a Moodle zip, with hostile entries that never escape the output folder', (t) => {
  if (!existsSync(join(FIX, 'lab/lab1-pubsub.pcap'))) return t.skip('fixtures are missing');
  const dir = mkdtempSync(join(tmpdir(), 'grade-zip-'));
  try {
    const subs = classOf();
    const entries: ZipEntry[] = [];
    for (const s of subs) {
      entries.push({ name: `${s.folder}/`, data: Buffer.alloc(0) });
      for (const f of s.files) entries.push({ name: `${s.folder}/${f.name}`, data: f.data });
    }
    entries.push({ name: `${subs[0]!.folder}/../../escaped.pcap`, data: fixture('lab/lab1-pubsub.pcap') });
    entries.push({ name: '/tmp/absolute-escape.pcap', data: Buffer.from('x') });
    entries.push({ name: `${subs[1]!.folder}/link.pcap`, data: Buffer.from('/etc/passwd'), mode: 0o120777 });
    const zip = join(dir, 'export.zip');
    writeFileSync(zip, writeZip(entries));
    const out = join(dir, 'out');
    const r = grade(zip, out);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(!existsSync(join(dir, 'escaped.pcap')) && !existsSync(join(out, 'escaped.pcap')) && !existsSync(join(dir, 'out', '..', 'escaped.pcap')));
    assert.ok(!existsSync('/tmp/absolute-escape.pcap'));
    const rows = parseCsv(readFileSync(join(out, 'gradebook.csv'), 'utf8'));
    const unknown = rows.find((x) => x[0] === '(unknown)');
    assert.ok(unknown && /leaves the folder/.test(unknown[12]!), 'the hostile entries are reported');
    const bob = rows.find((x) => x[0] === 'Bob Li')!;
    assert.match(bob[12]!, /symbolic link/);
    // Apart from the "(unknown)" row for the hostile entries, the gradebook is the folder's.
    checkGradebook(out, subs.concat([{ folder: '', name: '(unknown)', id: '', files: [], broken: 'hostile' }]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Moodle names, entry paths and CSV fields', () => {
  assert.deepEqual(parseStudentFolder('Jane Doe_12345_assignsubmission_file_'), { name: 'Jane Doe', id: '12345' });
  assert.deepEqual(parseStudentFolder('jane'), { name: 'jane', id: '' });
  assert.deepEqual(parseStudentFile('Jane Doe_12345_assignsubmission_file_lab2.pcapng'), { name: 'Jane Doe', id: '12345', fileName: 'lab2.pcapng' });
  assert.equal(safeEntryPath('a/../../b'), null);
  assert.equal(safeEntryPath('/etc/passwd'), null);
  assert.equal(safeEntryPath('C:\\x'), null);
  assert.deepEqual(safeEntryPath('a\\b/./c.pcap'), ['a', 'b', 'c.pcap']);
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(crc32(Buffer.from('123456789')), 3421780262); // the CRC-32 check value
});
