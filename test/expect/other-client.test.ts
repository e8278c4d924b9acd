// The lab rubric is not tied to paho: the lab done with another client library (MQTT.js 5, the
// npm `mqtt` client; fixtures/scenarios/mqttjs-lab.mjs) earns exactly the parts that script
// plays, and nothing it does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { collectCapture } from '../../src/expect/collect.js';
import { evaluate } from '../../src/expect/evaluate.js';
import { loadExpectations } from '../../src/expect/load.js';
import { fixturesDir } from '../support/paths.js';

const capture = join(fixturesDir, 'clients', 'mqttjs-lab.pcap');

test('MQTT.js lab: the parts the script plays pass, the others do not, no violation', async () => {
  const c = await collectCapture(capture);
  assert.equal(c.status, 'ok');
  if (c.status !== 'ok') return;
  assert.equal(c.analysis?.findings.filter((f) => f.severity === 'violation').length, 0);
  const parts = new Map(evaluate(loadExpectations('lab2'), c.trace).parts.map((p) => [p.id, p]));
  const failed = (id: string) => parts.get(id)!.checks.filter((ch) => ch.status === 'fail').map((ch) => ch.name);

  // Played in full: pub/sub, several topics, QoS 1 and 2, a retained message, a persistent session.
  for (const id of ['1', '2', '3', '5', '8']) assert.deepEqual(failed(id), [], `part ${id}`);
  // Wildcards without the lab's paho/test2 topic; a will after a dead socket but no second
  // client with a will that disconnects cleanly: those checks alone fail.
  assert.equal(failed('4').length, 1, failed('4').join('; '));
  assert.match(failed('4')[0]!, /outside the wildcards/);
  assert.equal(failed('7').length, 1, failed('7').join('; '));
  assert.match(failed('7')[0]!, /clean DISCONNECT/);
  // Not played: keepalive pings and a periodic publisher.
  for (const id of ['6', '9']) assert.equal(parts.get(id)!.earned, 0, `part ${id}`);
});
