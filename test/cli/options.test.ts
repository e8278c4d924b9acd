// The whole command line as a user types it (bin/mqtt-analyze.js, compiled by `npm test`'s
// pretest): subcommand options must reach the subcommand, not the default command.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot, fixturesDir } from '../support/paths.js';
import { AnalysisResultSchema } from '../../src/analysis/schema.js';
import { PacketListDocumentSchema } from '../../src/render/schema.js';

const bin = join(projectRoot, 'bin', 'mqtt-analyze.js');
const lab3 = join(fixturesDir, 'lab', 'lab3-qos.pcap');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('check --format json prints the analysis as JSON (the subcommand owns --format)', () => {
  const r = run('check', lab3, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const parsed = AnalysisResultSchema.safeParse(JSON.parse(r.stdout));
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues?.slice(0, 3)));
});

test('the default command takes --format before or after the capture', () => {
  for (const args of [[lab3, '--format', 'json'], ['--format', 'json', lab3]]) {
    const r = run(...args);
    assert.equal(r.status, 0, r.stderr);
    const doc = PacketListDocumentSchema.parse(JSON.parse(r.stdout));
    assert.equal(doc.packets.length, 22);
    assert.ok(doc.analysis, 'the analysis is part of the document');
  }
});

test('schema prints a JSON Schema for each output', () => {
  for (const which of ['analysis', 'packets', 'row']) {
    const r = run('schema', which);
    assert.equal(r.status, 0, r.stderr);
    const schema = JSON.parse(r.stdout) as { $schema?: string; properties?: object };
    assert.match(schema.$schema ?? '', /json-schema/);
    assert.ok(schema.properties);
  }
  assert.equal(run('schema', 'nonsense').status, 2);
});

test('a file that is not a capture: nothing on stdout, one line on stderr, exit 2, for every command', () => {
  const notCapture = join(projectRoot, 'README.md');
  for (const args of [[notCapture], [notCapture, '--format', 'json'], ['check', notCapture], ['check', notCapture, '--format', 'json'], ['flow', notCapture], ['report', notCapture, '-o', '-']]) {
    const r = run(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '', `${args.join(' ')} printed: ${r.stdout.slice(0, 200)}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /not a pcap or pcapng capture/);
  }
});

test('help lists every command however it is reached, though a run loads only its own command', () => {
  const names = ['flow', 'report', 'check', 'rubric', 'grade', 'schema'];
  // --help, and the default command without a capture (help on stderr, exit 2)
  for (const [args, stream, status] of [[['--help'], 'stdout', 0], [['--no-analysis'], 'stderr', 2]] as const) {
    const r = run(...args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    for (const name of names) assert.match(r[stream], new RegExp(`^  ${name}\\b`, 'm'), `${args.join(' ')} lists ${name}`);
  }
  // `help` and `help CMD`, as other tools take them, rather than a capture called "help".
  const help = run('help');
  assert.equal(help.status, 0, help.stderr);
  assert.equal(help.stdout, run('--help').stdout);
  const helpCheck = run('help', 'check');
  assert.equal(helpCheck.status, 0, helpCheck.stderr);
  assert.equal(helpCheck.stdout, run('check', '--help').stdout);
  // A subcommand's own help and a typo of one behave as when every command was loaded.
  assert.match(run('check', '--help').stdout, /--expect <file>/);
  const typo = run('chek', lab3);
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /too many arguments/);
});
