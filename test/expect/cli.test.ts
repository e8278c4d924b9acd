// `check --expect` and `rubric` end to end: exit codes 0/1/2, JUnit file, annotations, JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('test', 'expect', 'cli-runner.ts'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const LAB5 = 'fixtures/lab/lab5-retain.pcap';
const NEG5 = 'fixtures/negative/neg-retain-missing.pcap';

test('check --expect: 0 when all hold, 1 when one fails, JUnit and annotations written', (t) => {
  if (!existsSync(LAB5) || !existsSync(NEG5)) return t.skip('fixtures are missing');
  const dir = mkdtempSync(join(tmpdir(), 'check-'));
  try {
    assert.equal(run(['check', LAB5, '--expect', 'lab2:5']).code, 0);
    const junit = join(dir, 'r.xml');
    const r = run(['check', NEG5, '--expect', 'lab2:5', '--junit', junit], { GITHUB_ACTIONS: 'true' });
    assert.equal(r.code, 1);
    assert.match(r.out, /FAIL/);
    assert.match(r.out, /^::error file=fixtures\/negative\/neg-retain-missing\.pcap,title=.*::no PUBLISH with RETAIN=1/m);
    assert.match(readFileSync(junit, 'utf8'), /<failure message="no PUBLISH with RETAIN=1/);
    const j = run(['check', NEG5, '--expect', 'lab2:5', '--format', 'json']);
    assert.equal(j.code, 1);
    const doc = JSON.parse(j.out) as { result: string; parts: { checks: { status: string; frames: number[] }[] }[] };
    assert.equal(doc.result, 'fail');
    assert.equal(doc.parts[0]!.checks[0]!.status, 'fail');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('check: a bad expectations file is exit 2 with its line; a missing capture is exit 2', (t) => {
  if (!existsSync(LAB5)) return t.skip('fixtures are missing');
  const dir = mkdtempSync(join(tmpdir(), 'check-'));
  try {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'expect:\n  - packets: { type: PUBLISH }\n  - handshake: { qos: 3 }\n');
    const r = run(['check', LAB5, '--expect', f]);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.yaml:3:\d+: expect\[1\]\.handshake\.qos/);
    assert.equal(run(['check', join(dir, 'nope.pcap'), '--expect', 'lab2']).code, 2);
    assert.equal(run(['check', LAB5, '--expect', 'lab2:42']).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rubric lab2 prints a file that loads back as nine parts', () => {
  const r = run(['rubric', 'lab2']);
  assert.equal(r.code, 0);
  assert.equal((r.out.match(/^  - id: \d$/gm) ?? []).length, 9);
  assert.equal(run(['rubric', 'nope']).code, 2);
});
