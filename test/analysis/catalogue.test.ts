import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { CATALOGUE, FINDING_IDS, catalogueMarkdown, formatMessage } from '../../src/analysis/catalogue.js';
import { PASS_NAMES } from '../../src/analysis/passes/index.js';
import { AnalysisResultSchema, analysisJsonSchema } from '../../src/analysis/schema.js';
import { renderAnalysis } from '../../src/render/analysis-tables.js';
import { scenario } from './support.js';

/** Ids that reach the result as the decoder's note codes (conformance maps them by name). */
const FROM_NOTES = new Set(['invalid-qos', 'invalid-utf8', 'reserved-flags', 'null-character', 'empty-topic', 'no-subscriptions',
  'will-flags-without-will', 'password-without-username', 'invalid-return-code']);

test('catalogue: every id has a clause, a known pass, and is emitted by that pass\'s source', () => {
  const sources = new Map<string, string>();
  for (const f of readdirSync('src/analysis/passes')) sources.set(f.replace(/\.ts$/, ''), readFileSync(`src/analysis/passes/${f}`, 'utf8'));
  const analyzer = readFileSync('src/analysis/analyzer.ts', 'utf8');
  const decoder = readFileSync('src/mqtt/decode.ts', 'utf8');
  for (const id of FINDING_IDS) {
    const c = CATALOGUE[id];
    assert.ok(c.clause.length > 0, id);
    if (c.pass === 'analyzer') {
      assert.ok(analyzer.includes(`'${id}'`), `${id} not emitted by the analyzer`);
      continue;
    }
    assert.ok((PASS_NAMES as readonly string[]).includes(c.pass), `${id}: unknown pass ${c.pass}`);
    if (!FROM_NOTES.has(id)) assert.ok(sources.get(c.pass)!.includes(`'${id}'`), `${id} not emitted by passes/${c.pass}.ts`);
    else assert.ok(decoder.includes(`note('${id}'`), `${id} is no note code of the decoder`);
  }
});

test('catalogue: the ids the issue names are all present', () => {
  const named = ['qos1-puback-missing', 'qos2-pubrec-missing', 'qos2-pubrel-missing', 'qos2-pubcomp-missing', 'qos-ack-unexpected',
    'pubrel-bad-flags', 'packet-id-zero', 'packet-id-reused', 'delivered-qos-mismatch', 'dup-set-on-qos0', 'handshake-reset',
    'keepalive-exceeded', 'keepalive-not-enforced', 'keepalive-broker-closed', 'pingresp-missing', 'retained-not-delivered',
    'retain-flag-missing', 'retain-flag-on-live', 'will-not-published', 'will-published-after-disconnect', 'will-published',
    'session-present-wrong', 'queued-message-lost', 'queued-qos0-delivered', 'session-not-persistent', 'publish-unsubscribed',
    'publish-not-routed', 'suback-failure', 'invalid-topic-filter', 'wildcard-in-publish-topic', 'connect-not-first',
    'second-connect', 'reserved-flags', 'invalid-protocol-name', 'unsupported-protocol-level', 'connect-reserved-flag',
    'invalid-utf8', 'malformed-packet', 'connack-refused', 'empty-client-id'];
  for (const id of named) assert.ok((FINDING_IDS as string[]).includes(id), id);
  const md = catalogueMarkdown();
  for (const id of FINDING_IDS) assert.ok(md.includes(`| \`${id}\` |`), id);
  assert.equal(formatMessage('a {x} b {y}', { x: 1 }), 'a 1 b {y}');
});

test('schema: a result validates, JSON Schema has the top-level keys', () => {
  const s = scenario();
  const c = s.connect('c', { will: { topic: 'w', payload: 'p' } });
  c.subscribe('a/#', 1);
  c.publish('a/b', 'x', { qos: 2, ack: false });
  c.close('rst');
  const r = s.result();
  AnalysisResultSchema.parse(JSON.parse(JSON.stringify(r)));
  const js = analysisJsonSchema() as { properties: Record<string, unknown>; required: string[] };
  assert.deepEqual(Object.keys(js.properties).sort(), ['clients', 'connections', 'findings', 'handshakes', 'summary', 'topics']);
  for (const k of ['id', 'severity', 'clause', 'frames', 'message']) {
    assert.ok(JSON.stringify(js).includes(`"${k}"`), k);
  }
});

test('render: findings then connections, handshakes and topics; colour only when asked', () => {
  const s = scenario();
  const c = s.connect('cid-1');
  c.publish('t/x', 'p', { qos: 1, ack: false });
  c.disconnect();
  const r = s.result();
  const plain = renderAnalysis(r, { color: false });
  assert.ok(!plain.includes('\x1b['));
  const order = ['Findings', 'qos1-puback-missing', 'Connections', 'cid-1', 'QoS handshakes', 'Topics', 't/x'].map((x) => plain.indexOf(x));
  assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), plain);
  assert.ok(renderAnalysis(r, { color: true }).includes('\x1b['));
  assert.match(renderAnalysis(scenario().result(), { color: false }), /No findings\./);
});
