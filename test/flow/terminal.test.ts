import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFlow } from '../../src/flow/model.js';
import { renderFlowText } from '../../src/flow/terminal.js';
import { CaptureBuilder, pk } from './build.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[/;

function twoClients(topic = 'lab/t', finding = { clause: 'MQTT-1', message: 'a demo finding' }) {
  const b = new CaptureBuilder();
  const sub = b.conn();
  b.send(sub, 'c2s', 0, pk.connect('sub'));
  b.send(sub, 's2c', 0.5, pk.connack());
  const pub = b.conn();
  b.send(pub, 'c2s', 1, pk.connect('pub'));
  b.send(pub, 'c2s', 1.25, pk.publish(topic, 'x', 1, 5));
  b.send(sub, 's2c', 1.5, pk.publish(topic, 'x', 0));
  b.send(pub, 's2c', 2, pk.ack('PUBACK', 5));
  return b.done([{ id: 'demo', severity: 'warning', clause: finding.clause, frames: [4], message: finding.message }]);
}

const lines = (s: string) => s.trimEnd().split('\n');

test('the arrow row: frame number, time, arrow from the sender to the receiver, label', () => {
  const text = renderFlowText(buildFlow(twoClients()), { width: 80 });
  // Lanes: broker, sub, pub. Frame 4 goes pub → broker, crossing sub's lifeline.
  const row4 = lines(text).find((l) => /^\s+4 /.test(l))!;
  assert.match(row4, /^\s+4 1\.250 {2}│◀─+┼─+┤ {2}PUBLISH \(id=5\) lab\/t QoS 1 ⇒ #5 ⚠1$/);
  const row5 = lines(text).find((l) => /^\s+5 /.test(l))!;
  assert.match(row5, /^\s+5 1\.500 {2}├─+▶│ +│ {2}PUBLISH lab\/t QoS 0 ⇐ #4$/);
  assert.match(text, /⚠1 warning demo MQTT-1 frame 4\n {6}a demo finding/);
});

test('ASCII mode has no box drawing; colour only when asked', () => {
  const d = buildFlow(twoClients());
  const ascii = renderFlowText(d, { width: 80, ascii: true });
  // eslint-disable-next-line no-control-regex
  assert.match(ascii, /^[\x00-\x7f]*$/);
  assert.match(ascii, /\|<-+\+-+\| {2}PUBLISH \(id=5\) lab\/t QoS 1 => #5 !1/);
  assert.doesNotMatch(renderFlowText(d, { width: 80 }), ANSI);
  assert.match(renderFlowText(d, { width: 80, color: true }), ANSI);
});

test('80 columns by default; a wider terminal gets longer labels, never wider lines', () => {
  const long = 'a/very/long/topic/name/that/does/not/fit/in/eighty/columns/at/all/really';
  const d = buildFlow(twoClients(long));
  for (const width of [40, 80, 132]) {
    for (const l of lines(renderFlowText(d, { width }))) assert.ok([...l].length <= width, `${width}: ${l}`);
  }
  assert.equal(renderFlowText(d), renderFlowText(d, { width: 80 }));
  assert.doesNotMatch(renderFlowText(d, { width: 80 }), new RegExp(long));
  assert.match(renderFlowText(d, { width: 132 }), new RegExp(`PUBLISH \\(id=5\\) ${long} QoS 1`));
});

test('more clients than fit: the rest are named, not silently dropped', () => {
  const b = new CaptureBuilder();
  for (let k = 0; k < 20; k++) b.send(b.conn(), 'c2s', k, pk.connect(`client-${k}`));
  const text = renderFlowText(buildFlow(b.done()), { width: 80 });
  const m = /\((\d+) more not drawn, use --client ID or a wider terminal: client-\d+/.exec(text);
  assert.ok(m, text);
  const hidden = Number(m[1]);
  assert.ok(hidden > 0 && hidden < 20);
  assert.match(text, new RegExp(`\\(${hidden} items of lifelines not drawn left out\\)`));
  for (const l of lines(text)) assert.ok([...l].length <= 80, l);
});

test('an empty diagram says so', () => {
  const b = new CaptureBuilder();
  b.conn();
  assert.match(renderFlowText(buildFlow(b.done())), /\(no MQTT packets to draw\)/);
});

test("ASCII mode spells out the analysis' own typography in findings; a capture's text stays as it is", () => {
  // (found by a fixture whose finding cites "section 4.1" and says "client→broker")
  const d = buildFlow(twoClients('lab/température', { clause: '5.0: §3.1.3.2.2, MQTT-3.1.3-9', message: 'QoS 2 id 1 (client→broker) on "lab/température" — left open…' }));
  const ascii = renderFlowText(d, { width: 100, ascii: true });
  const findings = ascii.slice(ascii.indexOf('Findings'));
  assert.match(findings, /5\.0: sec\. 3\.1\.3\.2\.2, MQTT-3\.1\.3-9/);
  assert.match(findings, /QoS 2 id 1 \(client->broker\) on "lab\/température" - left open\.\.\./);
  assert.match(renderFlowText(d, { width: 100 }), /§3\.1\.3\.2\.2[\s\S]*client→broker/);
});
