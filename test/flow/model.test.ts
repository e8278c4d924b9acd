import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFlow, type ArrowItem, type PingRunItem } from '../../src/flow/model.js';
import { renderFlowText } from '../../src/flow/terminal.js';
import { CaptureBuilder, pk } from './build.js';

/** A subscriber, a publisher with one QoS 2 publish forwarded to the subscriber at QoS 1. */
function qos2Exchange() {
  const b = new CaptureBuilder();
  const sub = b.conn();
  b.send(sub, 'c2s', 0, pk.connect('sub-1')); // 1
  b.send(sub, 's2c', 0.001, pk.connack()); // 2
  b.send(sub, 'c2s', 0.1, pk.subscribe(1, 'lab/#', 1)); // 3
  b.send(sub, 's2c', 0.101, pk.suback(1, [1])); // 4
  const pub = b.conn();
  b.send(pub, 'c2s', 1, pk.connect('pub-1')); // 5
  b.send(pub, 's2c', 1.001, pk.connack()); // 6
  b.send(pub, 'c2s', 1.5, pk.publish('lab/qos2', 'hello', 2, 7)); // 7
  b.send(pub, 's2c', 1.501, pk.ack('PUBREC', 7)); // 8
  b.send(pub, 'c2s', 1.502, pk.ack('PUBREL', 7)); // 9
  b.send(sub, 's2c', 1.5025, pk.publish('lab/qos2', 'hello', 1, 1)); // 10
  b.send(pub, 's2c', 1.503, pk.ack('PUBCOMP', 7)); // 11
  b.send(sub, 'c2s', 1.504, pk.ack('PUBACK', 1)); // 12
  b.send(pub, 'c2s', 2, pk.publish('other/t', 'x', 0)); // 13
  b.send(pub, 'c2s', 2.5, pk.disconnect()); // 14
  b.close(pub, 'fin', 'c2s', 2.6); // 15
  return b;
}

test('participants: the broker first, then clients by client id in order of appearance', () => {
  const d = buildFlow(qos2Exchange().done());
  assert.deepEqual(
    d.participants.map((p) => [p.kind, p.name]),
    [
      ['broker', 'broker'],
      ['client', 'sub-1'],
      ['client', 'pub-1'],
    ],
  );
  assert.deepEqual(d.participants[1]!.endpoints, ['10.0.0.2:40000']);
});

test('one arrow per packet in capture order, client → broker and back', () => {
  const d = buildFlow(qos2Exchange().done());
  const arrows = d.items.filter((i): i is ArrowItem => i.kind === 'arrow');
  assert.deepEqual(
    arrows.map((a) => a.frame),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
  );
  const p7 = arrows.find((a) => a.frame === 7)!;
  assert.equal(p7.from, 2);
  assert.equal(p7.to, 0);
  assert.equal(p7.label, 'PUBLISH (id=7) lab/qos2 QoS 2');
  assert.equal(p7.rel, 1.5);
  assert.equal(arrows.find((a) => a.frame === 8)!.label, 'PUBREC (id=7)');
  const p10 = arrows.find((a) => a.frame === 10)!;
  assert.equal(p10.from, 0);
  assert.equal(p10.to, 1);
  // The TCP FIN after the DISCONNECT is the last item.
  const last = d.items[d.items.length - 1]!;
  assert.equal(last.kind, 'close');
  assert.equal(last.kind === 'close' && last.by, 'client');
});

test('a publish and its forwarded copy are linked both ways', () => {
  const d = buildFlow(qos2Exchange().done());
  const arrows = d.items.filter((i): i is ArrowItem => i.kind === 'arrow');
  assert.deepEqual(arrows.find((a) => a.frame === 7)!.forwardedAs, [10]);
  assert.equal(arrows.find((a) => a.frame === 10)!.copyOf, 7);
  assert.equal(arrows.find((a) => a.frame === 13)!.forwardedAs, undefined);
});

test('a different payload on the same topic is not a copy', () => {
  const b = new CaptureBuilder();
  const pub = b.conn();
  const sub = b.conn();
  b.send(pub, 'c2s', 0, pk.publish('t', 'one'));
  b.send(sub, 's2c', 0.1, pk.publish('t', 'two'));
  const d = buildFlow(b.done());
  assert.ok(d.items.every((i) => i.kind !== 'arrow' || (i.copyOf === undefined && i.forwardedAs === undefined)));
});

function pings(n: number, every: number, findingOnFrame?: number) {
  const b = new CaptureBuilder();
  const c = b.conn();
  b.send(c, 'c2s', 0, pk.connect('pinger', 5));
  b.send(c, 's2c', 0.001, pk.connack());
  for (let k = 0; k < n; k++) {
    b.send(c, 'c2s', 1 + k * every, pk.pingreq());
    b.send(c, 's2c', 1.002 + k * every, pk.pingresp());
  }
  b.send(c, 'c2s', 1 + n * every, pk.disconnect());
  return b.done(findingOnFrame ? [{ id: 'f', frames: [findingOnFrame] }] : []);
}

test('four ping pairs fold into one line with count and interval', () => {
  const d = buildFlow(pings(4, 6));
  const run = d.items.filter((i): i is PingRunItem => i.kind === 'pings');
  assert.equal(run.length, 1);
  assert.equal(run[0]!.count, 4);
  assert.equal(run[0]!.firstFrame, 3);
  assert.equal(run[0]!.lastFrame, 10);
  assert.ok(Math.abs(run[0]!.every - 6) < 1e-9);
  assert.equal(d.items.length, 4); // CONNECT, CONNACK, the run, DISCONNECT
  assert.equal(d.packets, 11);
  const text = renderFlowText(d, { width: 80 });
  assert.match(text, /PINGREQ\/PINGRESP ×4, every 6\.0 s \(#3–#10\)/);
});

test('two ping pairs are not "many": they stay as arrows', () => {
  const d = buildFlow(pings(2, 6));
  assert.equal(d.items.filter((i) => i.kind === 'pings').length, 0);
  assert.equal(d.items.length, 7);
});

test('a finding on a ping splits the run so the finding stays on its arrow', () => {
  // Frames 3..18 are 8 pairs; a finding on frame 9 (the 4th PINGREQ) leaves 3 pairs before it
  // and 4 pairs after the flagged pair.
  const d = buildFlow(pings(8, 5, 9));
  const runs = d.items.filter((i): i is PingRunItem => i.kind === 'pings');
  assert.deepEqual(
    runs.map((r) => [r.firstFrame, r.count]),
    [
      [3, 3],
      [11, 4],
    ],
  );
  const flagged = d.items.find((i) => i.kind === 'arrow' && i.frame === 9) as ArrowItem;
  assert.deepEqual(flagged.findings, [0]);
});

test('findings attach to every arrow of their evidence frames', () => {
  const c = qos2Exchange().done([{ id: 'qos2-pubcomp-missing', frames: [7, 9] }, { id: 'other', severity: 'info', frames: [9] }]);
  const d = buildFlow(c);
  const byFrame = new Map(d.items.filter((i): i is ArrowItem => i.kind === 'arrow').map((a) => [a.frame, a.findings]));
  assert.deepEqual(byFrame.get(7), [0]);
  assert.deepEqual(byFrame.get(9), [0, 1]);
  assert.deepEqual(byFrame.get(8), []);
});

test('--client keeps that client and the broker only', () => {
  const d = buildFlow(qos2Exchange().done(), { client: 'pub-1' });
  assert.deepEqual(
    d.participants.map((p) => p.name),
    ['broker', 'pub-1'],
  );
  assert.deepEqual(
    d.items.map((i) => (i.kind === 'arrow' ? i.frame : i.kind)),
    [5, 6, 7, 8, 9, 11, 13, 14, 'close'],
  );
  // by address too
  assert.equal(buildFlow(qos2Exchange().done(), { client: '10.0.0.2:40000' }).participants[1]!.name, 'sub-1');
  assert.equal(buildFlow(qos2Exchange().done(), { client: 'nobody' }).items.length, 0);
});

test('--topic keeps matching publishes, their handshakes and overlapping subscriptions', () => {
  const d = buildFlow(qos2Exchange().done(), { topic: 'lab/+' });
  assert.deepEqual(
    d.items.map((i) => (i.kind === 'arrow' ? i.frame : i.kind)),
    [3, 4, 7, 8, 9, 10, 11, 12],
  );
  const none = buildFlow(qos2Exchange().done(), { topic: 'nothing/here' });
  assert.equal(none.items.length, 0);
});
