// Issue #2 §10: one MQTT 5.0 conversation carrying every property in every packet that may carry
// it (5.0 §2.2.2.2), built field by field (captures.ts v5Packets: real clients send only a few
// properties), committed as golden/v5.* with tshark 4.0.17's packet list and -V -O mqtt tree.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../support/paths.js';
import { diffLists, ourList, parseTsharkList } from '../golden/tshark-list.js';
import { run } from './support.js';
import { v5, v5Packets, type BuiltProp } from './captures.js';
import { detailBlock } from '../../src/render/detail.js';
import { dissectCapture } from '../../src/pipeline/dissect.js';
import type { Property } from '../../src/mqtt/types.js';

const golden = join(projectRoot, 'test', 'pipeline', 'golden');
const pcap = join(golden, 'v5.pcap');
const built = v5Packets();

test('the committed v5 capture is the one captures.ts builds', () => {
  assert.deepEqual(readFileSync(pcap), v5());
});

/** A decoded property as the built form: binary data as a number array. */
function asBuilt(p: Property): BuiltProp {
  const v = p.value;
  return { id: p.id, name: p.name, value: v instanceof Uint8Array ? [...v] : Array.isArray(v) ? [v[0], v[1]] : v };
}

test('every property decoded with its spec name and value, in every packet that may carry it', async () => {
  const r = await run(pcap);
  assert.equal(r.messages.length, built.length);
  r.messages.forEach((m, i) => {
    const b = built[i]!;
    assert.equal(m.result.status, 'ok', `${b.type}: ${m.result.status === 'malformed' ? m.result.reason : ''}`);
    assert.equal(m.version, 5);
    assert.equal(m.dir, b.dir);
    const p = m.result.packet!;
    assert.equal(p.type, b.type);
    assert.deepEqual(((p as { properties?: Property[] }).properties ?? []).map(asBuilt), b.props, b.type);
    if (p.type === 'CONNECT') {
      assert.deepEqual(p.willProperties!.map(asBuilt), b.willProps);
      assert.equal(p.willTopic, 'will/topic');
      assert.equal(p.username, 'user');
    }
  });
  // Every assigned property id appears at least once.
  const seen = new Set(built.flatMap((b) => [...b.props, ...(b.willProps ?? [])].map((p) => p.id)));
  assert.deepEqual([...seen].sort((a, b) => a - b), [
    0x01, 0x02, 0x03, 0x08, 0x09, 0x0b, 0x11, 0x12, 0x13, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1c, 0x1f, 0x21, 0x22,
    0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a,
  ]);
});

test('reason codes and subscription options as built', async () => {
  const r = await run(pcap);
  const code = (type: string, nth = 0) => (r.messages.filter((m) => m.result.packet?.type === type)[nth]!.result.packet as { reasonCode?: number }).reasonCode;
  assert.equal(code('AUTH', 0), 0x18);
  assert.equal(code('AUTH', 1), 0x18);
  assert.equal(code('PUBACK'), 0x10);
  assert.equal(code('PUBREC'), 0x00);
  assert.equal(code('PUBREL'), 0x00);
  assert.equal(code('PUBCOMP'), 0x92);
  assert.equal(code('DISCONNECT'), 0x04);
  const sub = r.messages.find((m) => m.result.packet?.type === 'SUBSCRIBE')!.result.packet;
  assert.ok(sub?.type === 'SUBSCRIBE');
  assert.deepEqual(sub.subscriptions.map((s) => [s.filter, s.qos, s.noLocal, s.retainAsPublished, s.retainHandling]), [['v5/#', 2, true, true, 1]]);
  const suback = r.messages.find((m) => m.result.packet?.type === 'SUBACK')!.result.packet;
  assert.ok(suback?.type === 'SUBACK');
  assert.deepEqual(suback.returnCodes, [0x02]);
  const unsuback = r.messages.find((m) => m.result.packet?.type === 'UNSUBACK')!.result.packet;
  assert.ok(unsuback?.type === 'UNSUBACK');
  assert.deepEqual(unsuback.reasonCodes, [0x11]);
});

test('packet list equals tshark 4.0.17', async () => {
  const theirs = parseTsharkList(readFileSync(join(golden, 'v5.tshark.txt'), 'utf8'));
  assert.equal(theirs.length, built.length);
  assert.deepEqual(diffLists(theirs, await ourList(pcap)), []);
});

/** tshark's MQTT layer lines per frame number, from `tshark -V -O mqtt`. */
function tsharkBlocks(): Map<number, string[]> {
  const text = readFileSync(join(golden, 'v5.tshark-V.txt'), 'utf8');
  const out = new Map<number, string[]>();
  for (const chunk of text.split(/\n\n(?=Frame )/)) {
    const no = Number(/^Frame (\d+):/.exec(chunk)?.[1]);
    const lines: string[] = [];
    let inMqtt = false;
    for (const line of chunk.split('\n')) {
      if (line.startsWith('MQ Telemetry Transport Protocol')) inMqtt = true;
      else if (!line.startsWith(' ')) inMqtt = false;
      if (inMqtt) lines.push(line);
    }
    out.set(no, lines);
  }
  return out;
}

test('-V detail equals tshark -V -O mqtt for every packet', async () => {
  const want = tsharkBlocks();
  const blocks: [number, string[]][] = [];
  await dissectCapture(pcap, { row: (r) => blocks.push([r.no, detailBlock(r).split('\n').slice(1).filter((l) => l !== '')]) });
  assert.equal(blocks.length, built.length);
  for (const [no, lines] of blocks) {
    assert.ok((want.get(no)?.length ?? 0) > 3, `frame ${no}: tshark block found`);
    assert.deepEqual(lines, want.get(no), `frame ${no}`);
  }
});
