// Issue #2 §10: bad input through the real CLI (bin/mqtt-analyze.js over dist/, built by npm
// test's pretest). Each user error: exactly one line on stderr, no stack trace, exit code 2.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { projectRoot } from '../support/paths.js';
import { writePcap } from '../support/pcap-writer.js';
import { tempFile } from './support.js';

const bin = join(projectRoot, 'bin', 'mqtt-analyze.js');
const built = existsSync(join(projectRoot, 'dist', 'src', 'cli', 'main.js'));
const pcap = join(projectRoot, 'test', 'pipeline', 'golden', 'unsplit.pcap');

function cli(args: string[], input?: Uint8Array) {
  const r = spawnSync(process.execPath, [bin, ...args, '--no-progress', '--no-analysis', '--format', 'jsonl'], {
    encoding: 'utf8',
    input,
    maxBuffer: 1 << 26,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function oneLineError(r: ReturnType<typeof cli>, what: RegExp): void {
  assert.equal(r.code, 2, r.err);
  const lines = r.err.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0]!, what);
  assert.doesNotMatch(r.err, /\n\s+at |Error:/);
}

const opts = { skip: built ? false : 'dist/ not built (npm test builds it first)' };

test('missing file, directory, empty file, text file: one line, exit 2', opts, () => {
  oneLineError(cli([join(projectRoot, 'no-such-file.pcap')]), /no-such-file/);
  oneLineError(cli([projectRoot]), /director/i);
  oneLineError(cli([tempFile('empty.pcap', new Uint8Array(0))]), /empty|not a capture|no data/i);
  oneLineError(cli([tempFile('text.pcap', Buffer.from('hello, this is not a capture\n'.repeat(20)))]), /capture|format|magic/i);
});

test('truncated capture: rows before the cut printed, stderr names the cut, exit 2', opts, () => {
  const whole = readFileSync(pcap);
  const full = cli([pcap]);
  assert.equal(full.code, 0, full.err);
  const fullRows = full.out.split('\n').filter(Boolean);
  assert.equal(fullRows.length, 2);
  // Frames 4 and 5 carry the MQTT rows; frames 6-7 are FINs (70-byte records). Cutting 60 bytes
  // off leaves frame 7 cut mid-record, after both rows.
  const cut = tempFile('cut.pcap', whole.subarray(0, whole.length - 60));
  const r = cli([cut]);
  assert.equal(r.code, 2);
  assert.deepEqual(r.out.split('\n').filter(Boolean), fullRows);
  const lines = r.err.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0]!, /cut short at byte \d+/);
});

test('unknown link type: one warning line, frames counted as skipped', opts, () => {
  const path = tempFile('linktype.pcap', writePcap([{ tsSec: 1, tsNsec: 0, data: new Uint8Array(40) }, { tsSec: 2, tsNsec: 0, data: new Uint8Array(40) }], { linkType: 147 }));
  const r = spawnSync(process.execPath, [bin, path, '--no-progress', '--no-analysis', '--format', 'json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /warning: .*147/);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.summary.frames_read, 2);
  assert.equal(doc.summary.skipped['unknown-linktype'], 2);
});

test('gzip and stdin give the same rows as the plain file', opts, () => {
  const plain = cli([pcap]);
  assert.equal(plain.code, 0);
  const gz = cli([tempFile('unsplit.pcap.gz', gzipSync(readFileSync(pcap)))]);
  assert.equal(gz.code, 0, gz.err);
  assert.equal(gz.out, plain.out);
  const stdin = cli(['-'], readFileSync(pcap));
  assert.equal(stdin.code, 0, stdin.err);
  assert.equal(stdin.out, plain.out);
  const stdinGz = cli(['-'], gzipSync(readFileSync(pcap)));
  assert.equal(stdinGz.out, plain.out);
});
