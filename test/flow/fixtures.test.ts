// Every lab fixture's diagram against the fixture's ground truth, then against its golden text.
// The goldens (test/flow/golden/<fixture>.txt) were checked by hand against F.tshark.txt and
// F.scenario.json; UPDATE_FLOW_GOLDENS=1 rewrites them (and they must be checked again).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../support/paths.js';
import { buildFlow, type ArrowItem } from '../../src/flow/model.js';
import { renderFlowText } from '../../src/flow/terminal.js';
import { fnv1a } from '../../src/flow/collect.js';
import { collectFixture, labFixtures, scenario, tsharkPackets } from './fixtures.js';

const GOLDEN = join(projectRoot, 'test', 'flow', 'golden');
const fixtures = labFixtures();

test('lab fixtures are present', (t) => {
  if (!fixtures.length) t.skip('fixtures/lab has no captures yet');
});

for (const fixture of fixtures) {
  test(`${fixture}: one arrow per MQTT packet, in tshark's order, with tshark's types, ids and topics`, async () => {
    const c = await collectFixture(fixture);
    const d = buildFlow(c, { foldPings: 0 });
    const arrows = d.items.filter((i): i is ArrowItem => i.kind === 'arrow');
    const truth = tsharkPackets(fixture);
    assert.deepEqual(
      arrows.map((a) => `${a.frame} ${a.type}`),
      truth.map((p) => `${p.frame} ${p.type}`),
    );
    arrows.forEach((a, k) => {
      const p = truth[k]!;
      if (p.id !== undefined) assert.match(a.label, new RegExp(`\\(id=${p.id}\\)`), `frame ${a.frame}`);
      if (p.topic !== undefined && a.type === 'PUBLISH') assert.ok(a.label.includes(` ${p.topic} QoS `), `frame ${a.frame}: ${a.label}`);
      assert.ok(Math.abs(a.rel - p.time) < 1e-6, `frame ${a.frame} time ${a.rel} vs ${p.time}`);
    });
  });

  test(`${fixture}: lifelines and forwarded copies match how the scenario was built`, async (t) => {
    const s = scenario(fixture);
    if (!s) return t.skip('no scenario.json');
    const c = await collectFixture(fixture);
    const d = buildFlow(c, { foldPings: 0 });
    const clients = d.participants.filter((p) => p.kind === 'client').map((p) => p.name);
    assert.deepEqual([...clients].sort(), [...new Set(s.clients.map((c) => c.clientId))].sort());
    assert.equal(d.participants[0]!.kind, 'broker');
    const arrows = d.items.filter((i): i is ArrowItem => i.kind === 'arrow');
    const byFrame = new Map(arrows.map((a) => [a.frame, a]));
    // Each delivery the scenario expects is a broker→client PUBLISH on the receiver's lifeline,
    // linked to the PUBLISH of that payload from the scenario's publisher, or to the CONNECT of
    // the client whose will it is.
    for (const del of s.deliveries) {
      const lane = d.participants.findIndex((p) => p.name === del.to);
      const hash = fnv1a(new TextEncoder().encode(del.payload));
      const copy = arrows.find(
        (a) => a.type === 'PUBLISH' && a.to === lane && c.messages[a.msg]!.payloadHash === hash && a.label.includes(` ${del.topic} QoS ${del.qos}`),
      );
      assert.ok(copy, `delivery to ${del.to} on ${del.topic}`);
      assert.equal(copy.label.includes(' RETAIN'), del.retain, `RETAIN of frame ${copy.frame}`);
      assert.notEqual(copy.copyOf, undefined, `frame ${copy.frame} is linked to its origin`);
      const orig = byFrame.get(copy.copyOf!)!;
      assert.ok(orig.forwardedAs?.includes(copy.frame));
      const from: string | undefined = s.publishes.find((p) => p.topic === del.topic && p.payload === del.payload)?.from;
      const willOf: string | undefined = s.clients.find((c) => c.will?.topic === del.topic && c.will.payload === del.payload)?.clientId;
      assert.ok(from || willOf, 'the scenario says where the message came from');
      assert.equal(d.participants[orig.from]!.name, from ?? willOf, `origin of frame ${copy.frame}`);
      assert.equal(orig.type, from ? 'PUBLISH' : 'CONNECT');
    }
  });

  test(`${fixture}: terminal diagram matches its hand-checked golden, fits 80 columns`, async () => {
    const text = renderFlowText(buildFlow(await collectFixture(fixture)), { width: 80, findingMessages: false });
    for (const line of text.split('\n')) assert.ok([...line].length <= 80, `too wide: ${line}`);
    assert.doesNotMatch(text, /not drawn/, 'every lifeline of a lab fixture fits 80 columns');
    const ascii = renderFlowText(buildFlow(await collectFixture(fixture)), { width: 80, ascii: true });
    // eslint-disable-next-line no-control-regex
    assert.match(ascii, /^[\x00-\x7f]*$/, 'ASCII mode uses only ASCII');
    const file = join(GOLDEN, `${fixture}.txt`);
    if (process.env.UPDATE_FLOW_GOLDENS === '1') {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, text);
    }
    assert.ok(existsSync(file), `no golden ${file}: make it with UPDATE_FLOW_GOLDENS=1 and check it by hand`);
    assert.equal(text, readFileSync(file, 'utf8'));
  });
}
