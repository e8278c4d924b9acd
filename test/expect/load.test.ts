// Expectation files: valid YAML and JSON load; every mistake points at the line of the key that
// is wrong (lines counted in the texts below, which were written for it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpectations, selectParts, formatProblems, type LoadProblem } from '../../src/expect/load.js';

function problems(text: string) {
  const r = parseExpectations(text, 'f.yaml');
  assert.equal(r.ok, false, 'expected the file to be rejected');
  return (r as { ok: false; problems: LoadProblem[] }).problems;
}

test('a flat YAML expect list becomes one part; JSON works too', () => {
  const y = parseExpectations('expect:\n  - packets: { type: PUBLISH }\n    count: ">= 2"\n  - handshake: { qos: 2 }\n', 'ci.yaml');
  assert.equal(y.ok, true);
  if (y.ok) {
    assert.equal(y.value.parts.length, 1);
    assert.equal(y.value.parts[0]!.expect.length, 2);
  }
  const j = parseExpectations(JSON.stringify({ parts: [{ id: 1, expect: [{ findings: { absent: ['violation'] } }] }] }), 'ci.json');
  assert.equal(j.ok, true);
});

test('a wrong value is reported at its own line with its key path', () => {
  const text = [
    'title: CI gate', //            1
    'expect:', //                   2
    '  - packets:', //              3
    '      type: PUBLISH', //       4
    '  - keepalive:', //            5
    '      seconds: six', //        6
  ].join('\n');
  const p = problems(text);
  assert.equal(p.length, 1);
  assert.equal(p[0]!.line, 6);
  assert.equal(p[0]!.path, 'expect[1].keepalive.seconds');
});

test('an unknown key and an unknown packet type point at their lines', () => {
  const text = [
    'parts:', //                     1
    '  - id: 1', //                  2
    '    expect:', //                3
    '      - packets:', //           4
    '          type: PUBLSH', //     5
    '  - id: 2', //                  6
    '    expect:', //                7
    '      - handshake: { qos: 2 }', // 8
    '        pionts: 3', //          9
  ].join('\n');
  const p = problems(text);
  const byLine = new Map(p.map((x) => [x.line, x]));
  assert.ok(byLine.has(5), `problems: ${JSON.stringify(p)}`);
  assert.equal(byLine.get(5)!.path, 'parts[0].expect[0].packets.type');
  assert.ok(byLine.has(9));
  assert.match(byLine.get(9)!.message, /"pionts"/);
});

test('a check with no kind, or two, is reported at the check', () => {
  const text = ['expect:', '  - name: nothing here', '  - retained: {}', '    will: {}'].join('\n');
  const p = problems(text);
  assert.deepEqual(p.map((x) => x.line).sort(), [2, 3]);
  assert.match(formatProblems('f.yaml', p), /^f\.yaml:2:5: expect\[0\]: a check needs one of/m);
});

test('YAML syntax errors and bad counts carry a line', () => {
  assert.equal(problems('expect:\n  - packets: {type: PUBLISH\n')[0]!.line >= 2, true);
  const p = problems('expect:\n  - packets: {}\n    count: "about 3"\n');
  assert.equal(p[0]!.line, 3);
});

test('both expect and parts, and duplicate part ids, are rejected', () => {
  assert.equal(problems('expect: [{ wildcard: {} }]\nparts: [{ id: 1, expect: [{ wildcard: {} }] }]\n').length, 1);
  const p = problems('parts:\n  - id: 1\n    expect: [{ wildcard: {} }]\n  - id: 1\n    expect: [{ wildcard: {} }]\n');
  assert.equal(p[0]!.line, 4);
});

test('selectParts keeps the named parts and rejects unknown ones', () => {
  const r = parseExpectations('parts:\n  - id: 1\n    expect: [{ wildcard: {} }]\n  - id: 5\n    expect: [{ retained: {} }]\n', 'r.yaml');
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(selectParts(r.value, '5').parts.map((p) => p.id), [5]);
  assert.throws(() => selectParts(r.value, '9'), /no part "9"/);
});
