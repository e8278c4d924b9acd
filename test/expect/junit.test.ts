// The JUnit output against the structure of the JUnit XSD CI servers use (windyroad/JUnit-Schema
// JUnit.xsd, the Ant XMLJUnitResultFormatter format): a small parser and the schema's rules
// written out — element order, required attributes and their types, text-only failures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJunit } from '../../src/expect/render.js';
import { summarise, type PartResult } from '../../src/expect/evaluate.js';

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    const v = ENTITY[e];
    if (v === undefined) throw new Error(`unknown entity ${m}`);
    return v;
  });

/** A strict parser for the XML subset JUnit uses (no DTD, comments or CDATA expected). */
function parseXml(xml: string): El {
  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  assert.ok(decl, 'XML declaration');
  i = decl[0].length;
  const ws = () => {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
  };
  const element = (): El => {
    assert.equal(xml[i], '<', `element expected at ${i}`);
    const m = /^<([A-Za-z_][\w.-]*)/.exec(xml.slice(i));
    assert.ok(m, `tag name at ${i}`);
    i += m[0].length;
    const el: El = { name: m[1]!, attrs: {}, children: [], text: '' };
    for (;;) {
      ws();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      const a = /^([A-Za-z_][\w.-]*)="([^"<]*)"/.exec(xml.slice(i));
      assert.ok(a, `attribute at ${i}: ${xml.slice(i, i + 30)}`);
      assert.ok(!(a[1]! in el.attrs), `duplicate attribute ${a[1]}`);
      el.attrs[a[1]!] = unescape(a[2]!);
      i += a[0].length;
    }
    for (;;) {
      const lt = xml.indexOf('<', i);
      assert.ok(lt >= 0, 'unclosed element');
      el.text += unescape(xml.slice(i, lt));
      i = lt;
      if (xml.startsWith(`</${el.name}>`, i)) {
        i += el.name.length + 3;
        return el;
      }
      el.children.push(element());
    }
  };
  const root = element();
  ws();
  assert.equal(i, xml.length, 'content after the root element');
  return root;
}

const INT = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATETIME_NO_TZ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const TOKEN = (s: string) => s === s.trim() && !/[\t\n\r]| {2}/.test(s);

function requireAttrs(el: El, spec: Record<string, (v: string) => boolean>, optional: Record<string, (v: string) => boolean> = {}): void {
  for (const [k, ok] of Object.entries(spec)) {
    assert.ok(k in el.attrs, `<${el.name}> needs ${k}`);
    assert.ok(ok(el.attrs[k]!), `<${el.name} ${k}="${el.attrs[k]}"> has the wrong type`);
  }
  for (const k of Object.keys(el.attrs)) {
    assert.ok(k in spec || k in optional, `<${el.name}> has no attribute ${k} in the schema`);
    if (k in optional) assert.ok(optional[k]!(el.attrs[k]!), `<${el.name} ${k}> has the wrong type`);
  }
}

/** The rules of JUnit.xsd for <testsuites>. */
export function validateJunit(xml: string): { suites: number; cases: number; failures: number } {
  const root = parseXml(xml);
  assert.equal(root.name, 'testsuites');
  assert.deepEqual(root.attrs, {});
  let cases = 0;
  let failures = 0;
  for (const suite of root.children) {
    assert.equal(suite.name, 'testsuite');
    const int = (v: string) => INT.test(v);
    requireAttrs(
      suite,
      { name: (v) => v.length > 0 && TOKEN(v), timestamp: (v) => DATETIME_NO_TZ.test(v), hostname: (v) => v.length > 0 && TOKEN(v), tests: int, failures: int, errors: int, time: (v) => DECIMAL.test(v), package: (v) => v.length > 0 && TOKEN(v), id: int },
      { skipped: int },
    );
    const kids = suite.children.map((c) => c.name);
    // sequence: properties, testcase*, system-out, system-err
    assert.equal(kids[0], 'properties');
    assert.equal(kids[kids.length - 2], 'system-out');
    assert.equal(kids[kids.length - 1], 'system-err');
    for (const p of suite.children[0]!.children) {
      assert.equal(p.name, 'property');
      requireAttrs(p, { name: (v) => v.length > 0 && TOKEN(v), value: () => true });
    }
    const testcases = suite.children.slice(1, -2);
    let f = 0;
    for (const tc of testcases) {
      assert.equal(tc.name, 'testcase');
      requireAttrs(tc, { name: TOKEN, classname: TOKEN, time: (v) => DECIMAL.test(v) });
      assert.ok(tc.children.length <= 1, 'a testcase has at most one error/failure');
      for (const c of tc.children) {
        assert.ok(c.name === 'failure' || c.name === 'error');
        requireAttrs(c, { type: TOKEN }, { message: () => true });
        assert.equal(c.children.length, 0, 'failure holds text only');
        f++;
      }
    }
    assert.equal(Number(suite.attrs.tests), testcases.length);
    assert.equal(Number(suite.attrs.failures), f);
    cases += testcases.length;
    failures += f;
  }
  return { suites: root.children.length, cases, failures };
}

function part(id: string, checks: [string, boolean, string][]): PartResult {
  return {
    id,
    title: `Part <${id}> & "quotes"`,
    file: 'x.pcap',
    checks: checks.map(([name, pass, message]) => ({ name, kind: 'packets', status: pass ? 'pass' : 'fail', frames: pass ? [1] : [44], message, points: 1, earned: pass ? 1 : 0, feedback: 'Do "this" & <that>' })),
    points: checks.length,
    earned: checks.filter((c) => c[1]).length,
    passed: checks.every((c) => c[1]),
  };
}

test('JUnit output follows the schema, with awkward text escaped', () => {
  const ev = summarise('Lab  2:\tMQTT', 'cap ture.pcap', [
    part('1', [['SUBACK before the first PUBLISH', true, 'ok'], ['retain <1> & "2"', false, 'expected RETAIN=1 on the delivery to subscriber; frame 44 has RETAIN=0\nline two \u0001 control']]),
    part('2', [['a\nmulti-line   name', false, 'x']]),
  ]);
  const xml = renderJunit(ev, { timestamp: new Date('2024-01-02T03:04:05Z'), hostname: 'ci', seconds: 1.5 });
  const r = validateJunit(xml);
  assert.deepEqual(r, { suites: 2, cases: 3, failures: 2 });
  assert.match(xml, /frame 44 has RETAIN=0/);
  assert.match(xml, /timestamp="2024-01-02T03:04:05"/);
});

test('the validator rejects what the schema rejects', () => {
  const ok = renderJunit(summarise('t', 'c', [part('1', [['a', false, 'b']])]), { hostname: 'h' });
  validateJunit(ok);
  assert.throws(() => validateJunit(ok.replace(' hostname="h"', '')));
  assert.throws(() => validateJunit(ok.replace('<system-err></system-err>', '')));
  assert.throws(() => validateJunit(ok.replace('tests="1"', 'tests="2"')));
  assert.throws(() => validateJunit(ok.replace('type="packets"', '')));
});
