import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportHtml } from '../../src/report/html.js';
import type { ReportData } from '../../src/report/data.js';
import { CaptureBuilder, pk } from '../flow/build.js';

function exchange(clientId = 'sub-1', topic = 'lab/qos1') {
  const b = new CaptureBuilder();
  const sub = b.conn();
  b.send(sub, 'c2s', 0, pk.connect(clientId, 10)); // 1
  b.send(sub, 's2c', 0.001, pk.connack()); // 2
  b.send(sub, 'c2s', 0.1, pk.subscribe(1, 'lab/#', 1)); // 3
  b.send(sub, 's2c', 0.101, pk.suback(1, [1])); // 4
  const pub = b.conn();
  b.send(pub, 'c2s', 1, pk.connect('pub-1')); // 5
  b.send(pub, 's2c', 1.001, pk.connack()); // 6
  b.send(pub, 'c2s', 1.5, pk.publish(topic, 'hello', 1, 3)); // 7
  b.send(pub, 's2c', 1.501, pk.ack('PUBACK', 3)); // 8
  b.send(sub, 's2c', 1.502, pk.publish(topic, 'hello', 1, 1)); // 9
  b.send(pub, 'c2s', 2, pk.disconnect()); // 10
  return b;
}

function dataOf(html: string): ReportData {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'the data script is there');
  return JSON.parse(m[1]!) as ReportData;
}

test('the report loads nothing: no external URL, a CSP that forbids fetching', () => {
  const html = renderReportHtml(exchange().done());
  const urls = html.match(/\b(?:https?|ftp|wss?):\/\/[^\s"'<>)]*/g) ?? [];
  // The SVG namespace is a name, never fetched.
  assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg']);
  assert.doesNotMatch(html, /<link\b|<img\b|<iframe\b|@import|url\(\s*['"]?(?!#)/i);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.doesNotMatch(html, /<script[^>]*\bsrc=/i);
});

test('capture text is escaped in HTML and cannot end the data script', () => {
  const evil = '</script><script>alert(1)</script>';
  const html = renderReportHtml(exchange(evil, 'a/</script>/b').done());
  assert.equal(html.includes(evil), false);
  assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
  const data = dataOf(html);
  assert.equal(data.participants[1]!.name, evil);
  assert.equal(data.rows.find((r) => r[0] === 7)![8], 'a/</script>/b');
});

test('the embedded diagram has one arrow per packet in frame order, with the forwarded copy linked', () => {
  const data = dataOf(renderReportHtml(exchange().done()));
  assert.deepEqual(
    data.items.map((it) => it[1]),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  const p7 = data.items.find((it) => it[1] === 7)!;
  assert.equal(p7[5], 'PUBLISH (id=3) lab/qos1 QoS 1');
  assert.deepEqual(p7[8], [9]);
  assert.equal(data.items.find((it) => it[1] === 9)![9], 7);
  assert.deepEqual(
    data.rows.map((r) => r[0]),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
});

test('findings are listed with clause and link to their frames', () => {
  const html = renderReportHtml(
    exchange().done([{ id: 'qos1-puback-missing', severity: 'violation', clause: 'MQTT-4.3.2-2', frames: [9], message: 'no PUBACK for frame 9' }]),
  );
  const row = /<tr class="finding" id="finding-0"[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';
  assert.match(row, /qos1-puback-missing/);
  assert.match(row, /MQTT-4\.3\.2-2/);
  assert.match(row, /data-frame="9" data-finding="0"/);
  assert.deepEqual(dataOf(html).items.find((it) => it[1] === 9)![7], [0]);
});

test('rubric results come first when given', () => {
  const html = renderReportHtml(exchange().done(), {
    rubricResults: {
      title: 'Lab 3',
      student: 'Ada',
      score: 7,
      maxScore: 10,
      items: [
        { description: 'QoS 1 publish acknowledged', passed: true, points: 5, maxPoints: 5, frames: [7, 8] },
        { description: 'Keepalive <b>respected</b>', passed: false, points: 2, maxPoints: 5 },
      ],
    },
  });
  const rubric = html.indexOf('<section id="rubric">');
  assert.ok(rubric > 0 && rubric < html.indexOf('<section id="summary">'));
  assert.match(html, /Lab 3: Ada — 7 \/ 10 points/);
  assert.match(html, /Keepalive &lt;b&gt;respected&lt;\/b&gt;/);
  assert.match(html, /<a class="fr" href="#row-8" data-frame="8">8<\/a>/);
  assert.equal(renderReportHtml(exchange().done()).includes('<section id="rubric">'), false);
});

test('keepalive data: client packets, broker packets and the keepalive from CONNECT', () => {
  const data = dataOf(renderReportHtml(exchange().done()));
  const sub = data.connections.find((c) => c.id === 0)!;
  assert.equal(sub.name, 'sub-1');
  assert.equal(sub.keepAlive, 10);
  assert.deepEqual(sub.c2s, [0, 0.1]);
  assert.deepEqual(sub.s2c, [0.001, 0.101, 1.502]);
  assert.equal(data.connName[1], 'pub-1');
});

test('100 000 packets: built in seconds, a bounded file', () => {
  const b = new CaptureBuilder();
  const n = 25;
  const conns = Array.from({ length: n }, () => b.conn());
  conns.forEach((c, k) => b.send(c, 'c2s', k * 0.001, pk.connect(`client-${k}`, 30)));
  let t = 1;
  for (let i = 0; b.collector.data.messages.length < 100_000; i++) {
    const c = conns[i % n]!;
    t += 0.001;
    b.send(c, 'c2s', t, pk.publish(`sensors/${i % 7}/value`, String(i), 1, (i % 65535) + 1));
    b.send(c, 's2c', t + 0.0002, pk.ack('PUBACK', (i % 65535) + 1));
  }
  const started = Date.now();
  const html = renderReportHtml(b.done());
  const took = Date.now() - started;
  assert.ok(took < 10_000, `took ${took} ms`);
  assert.ok(html.length < 40e6, `size ${html.length}`);
  assert.equal(dataOf(html).rows.length, b.collector.data.rows.length);
});

test('keepalive: a finding is marked where the silence was seen, closes are drawn', () => {
  const b = new CaptureBuilder();
  const c = b.conn();
  b.send(c, 'c2s', 0, pk.connect('silent', 2)); // 1
  b.send(c, 's2c', 0.001, pk.connack()); // 2
  const fin = b.close(c, 'fin', 's2c', 4.9); // 3
  const data = dataOf(
    renderReportHtml(
      b.done([{ id: 'keepalive-exceeded', severity: 'violation', clause: 'MQTT-3.1.2-23', frames: [1, fin], connection: 0, message: 'silent' }]),
    ),
  );
  const k = data.connections[0]!;
  assert.equal(k.keepAlive, 2);
  assert.deepEqual(k.closes, [4.9]);
  assert.equal(k.last, 4.9);
  assert.deepEqual(k.marks, [[4.9, 0]]);
});
