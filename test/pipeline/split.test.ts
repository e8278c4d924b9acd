// Issue #2 §9: the same MQTT conversation cut into TCP segments anywhere must decode to the same
// packets, each attributed to the frame that completes it. Real clients do not let us choose
// where segments end, so the segmentations are hand-built (test/support/pcap-writer.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { PcapRecord } from '../support/pcap-writer.js';
import { writePcap } from '../support/pcap-writer.js';
import { CLIENT, Conversation, SERVER, packetView, run, tempFile, type Run } from './support.js';
import { checkAgainstBuilt, conversation311, streamOf, type Built } from './conversation.js';
import type { MqttMessage } from '../../src/pipeline/events.js';
import { projectRoot } from '../support/paths.js';
import { diffLists, ourList, parseTsharkList } from '../golden/tshark-list.js';
import { publishStart, splitInLength, unsplit as unsplitCapture } from './captures.js';

const list = conversation311();
const c2s = streamOf(list, 'c2s');
const s2c = streamOf(list, 's2c');
const byDir = { c2s: list.filter((p) => p.dir === 'c2s'), s2c: list.filter((p) => p.dir === 's2c') };

/** Appends one conversation whose two streams are cut at the given offsets; returns, per
 *  direction, the frame number that carries each cut piece. */
function addConversation(records: PcapRecord[], port: number, cuts: { c2s: number[]; s2c: number[] }) {
  const conv = new Conversation({ addr: CLIENT.addr, port }, SERVER, records).handshake();
  const pieces = { c2s: [] as { end: number; frame: number }[], s2c: [] as { end: number; frame: number }[] };
  for (const dir of ['c2s', 's2c'] as const) {
    const stream = dir === 'c2s' ? c2s : s2c;
    const bounds = [0, ...cuts[dir], stream.length];
    for (let i = 0; i + 1 < bounds.length; i++) {
      conv.send(dir, stream.subarray(bounds[i], bounds[i + 1]));
      pieces[dir].push({ end: bounds[i + 1]!, frame: records.length });
    }
  }
  conv.fin('c2s').fin('s2c');
  return pieces;
}

/** The frame that completes packet `p`: the first piece whose end is at or past the packet's end. */
function completingFrame(p: Built, pieces: { end: number; frame: number }[]): number {
  return pieces.find((x) => x.end >= p.end)!.frame;
}

/** Reference: each stream in one segment, checked against how the packets were built. */
const unsplit = (async () => {
  const records: PcapRecord[] = [];
  addConversation(records, CLIENT.port, { c2s: [], s2c: [] });
  return run(tempFile('unsplit.pcap', writePcap(records)));
})();
let reference: unknown[];

test('the unsplit conversation decodes to the packets it was built from', async () => {
  const r = await unsplit;
  const expected = [...byDir.c2s, ...byDir.s2c];
  assert.equal(r.messages.length, expected.length);
  r.messages.forEach((m, i) => checkAgainstBuilt(m, expected[i]!));
  assert.equal(r.summary.malformedPdus, 0);
  assert.equal(r.summary.defaultVersionConnections, 0);
});

/** Checks one run holding many conversations (one per client port) against the reference. */
function checkRun(r: Run, convs: Map<number, { c2s: { end: number; frame: number }[]; s2c: { end: number; frame: number }[] }>, what: string): void {
  const perConv = new Map<number, MqttMessage[]>();
  for (const m of r.messages) {
    const a = perConv.get(m.conn.client.port) ?? [];
    a.push(m);
    perConv.set(m.conn.client.port, a);
  }
  assert.equal(perConv.size, convs.size, `${what}: conversations`);
  for (const [port, pieces] of convs) {
    const got = perConv.get(port)!;
    const expected = [...byDir.c2s, ...byDir.s2c];
    assert.equal(got.length, expected.length, `${what} port ${port}: packet count`);
    got.forEach((m, i) => {
      const b = expected[i]!;
      assert.deepEqual(packetView(m), reference[i], `${what} port ${port}: packet ${i} (${b.type})`);
      assert.equal(m.frame, completingFrame(b, pieces[b.dir]), `${what} port ${port}: ${b.type} frame`);
    });
  }
  assert.equal(r.summary.malformedPdus, 0, what);
}

test('client stream cut in two at every byte offset (server stream at a matching offset)', async () => {
  reference = (await unsplit).messages.map(packetView);
  const BATCH = 400;
  for (let start = 1; start < c2s.length; start += BATCH) {
    const records: PcapRecord[] = [];
    const convs = new Map<number, ReturnType<typeof addConversation>>();
    for (let k = start; k < Math.min(start + BATCH, c2s.length); k++) {
      const port = 10000 + (k - start);
      convs.set(port, addConversation(records, port, { c2s: [k], s2c: [1 + (k % (s2c.length - 1))] }));
    }
    const path = tempFile(`split-${start}.pcap`, writePcap(records));
    checkRun(await run(path), convs, `cuts ${start}..`);
    rmSync(path);
  }
});

test('random segmentations of both streams (fast-check)', async () => {
  reference = (await unsplit).messages.map(packetView);
  const cutsOf = (len: number) => fc.uniqueArray(fc.integer({ min: 1, max: len - 1 }), { maxLength: 40 }).map((a) => a.sort((x, y) => x - y));
  await fc.assert(
    fc.asyncProperty(cutsOf(c2s.length), cutsOf(s2c.length), async (cc, sc) => {
      const records: PcapRecord[] = [];
      const pieces = addConversation(records, CLIENT.port, { c2s: cc, s2c: sc });
      const path = tempFile('random.pcap', writePcap(records));
      checkRun(await run(path), new Map([[CLIENT.port, pieces]]), `cuts ${cc} / ${sc}`);
    }),
    { numRuns: 200 },
  );
});

test('one byte per segment: every packet still decoded, attributed to its last byte', async () => {
  reference = (await unsplit).messages.map(packetView);
  const all = (n: number) => Array.from({ length: n - 1 }, (_, i) => i + 1);
  // The 20 KB publish alone would make 20 000 frames: cut everything but its payload bytewise.
  const big = byDir.c2s.find((p) => p.payload?.length === 20 * 1024)!;
  const bigStart = big.end - big.bytes.length;
  const cc = all(c2s.length).filter((k) => k <= bigStart + 12 || k > big.end - 4);
  const records: PcapRecord[] = [];
  const pieces = addConversation(records, CLIENT.port, { c2s: cc, s2c: all(s2c.length) });
  checkRun(await run(tempFile('bytewise.pcap', writePcap(records))), new Map([[CLIENT.port, pieces]]), 'bytewise');
});

// tshark 4.0.17 evidence (golden/split-in-length.*, made by make-goldens.ts): when a segment ends
// inside the Remaining Length varint, tshark's MQTT dissector desynchronises: it marks the last
// packet of the first segment [Malformed Packet] and decodes the second segment as "Reserved,
// Reserved". We must decode the packets as built. The Info text of each packet is tshark's own,
// from the same conversation unsplit (golden/unsplit.*), where tshark gets it right.
const golden = join(projectRoot, 'test', 'pipeline', 'golden');
const readGolden = (name: string) => readFileSync(join(golden, name), 'utf8');

test('the committed split captures are the ones captures.ts builds', () => {
  assert.deepEqual(readFileSync(join(golden, 'unsplit.pcap')), unsplitCapture());
  assert.deepEqual(readFileSync(join(golden, 'split-in-length.pcap')), splitInLength());
});

test('unsplit: every column of our packet list equals tshark\'s', async () => {
  const theirs = parseTsharkList(readGolden('unsplit.tshark.txt'));
  assert.deepEqual(diffLists(theirs, await ourList(join(golden, 'unsplit.pcap'))), []);
});

test('cut inside a remaining-length varint: our rows are right where tshark 4.0.17 desyncs', async () => {
  const whole = parseTsharkList(readGolden('unsplit.tshark.txt'));
  assert.equal(whole.length, 2);
  const text = { c2s: whole[0]!.info.split(', '), s2c: whole[1]!.info.split(', ') };
  assert.equal(text.c2s.length, byDir.c2s.length);
  assert.equal(text.s2c.length, byDir.s2c.length);

  const r = await run(join(golden, 'split-in-length.pcap'));
  const expected = [...byDir.c2s, ...byDir.s2c];
  const cuts = [publishStart(300) + 2, publishStart(20 * 1024) + 3];
  // Per conversation: 3 handshake frames, client pieces, server segment, 2 FINs.
  const wantRows: string[] = [];
  cuts.forEach((k, i) => {
    const base = i * 8;
    const got = r.messages.filter((m) => m.conn.client.port === CLIENT.port + i);
    assert.equal(got.length, expected.length);
    got.forEach((m, j) => checkAgainstBuilt(m, expected[j]!));
    const first = byDir.c2s.filter((p) => p.end <= k).length;
    wantRows.push(`${base + 4} ${text.c2s.slice(0, first).join(', ')}`);
    wantRows.push(`${base + 5} ${text.c2s.slice(first).join(', ')}`);
    wantRows.push(`${base + 6} ${text.s2c.join(', ')}`);
  });
  assert.deepEqual(r.rows.map((x) => `${x.no} ${x.info}`), wantRows);

  const tshark = parseTsharkList(readGolden('split-in-length.tshark.txt')).map((x) => `${x.no} ${x.info}`);
  assert.deepEqual(tshark, TSHARK_4_0_17, 'tshark 4.0.17 as recorded (remake the goldens if tshark changed)');
  assert.notDeepEqual(tshark, wantRows);
});

/** What tshark 4.0.17 prints for split-in-length.pcap: wrong from the cut onwards. */
const TSHARK_4_0_17 = [
  '4 Connect Command, Subscribe Request (id=1) [e2e/#], Publish Message [e2e/q0], Publish Message (id=2) [e2e/q1], Publish Message (id=3) [e2e/q2], Publish Release (id=3)[Malformed Packet]',
  '5 Reserved, Reserved',
  '6 Connect Ack, Subscribe Ack (id=1), Publish Ack (id=2), Publish Received (id=3), Publish Complete (id=3), Ping Response',
  '12 Connect Command, Subscribe Request (id=1) [e2e/#], Publish Message [e2e/q0], Publish Message (id=2) [e2e/q1], Publish Message (id=3) [e2e/q2], Publish Release (id=3), Publish Message [e2e/300][Malformed Packet]',
  '13 Reserved, Reserved',
  '14 Connect Ack, Subscribe Ack (id=1), Publish Ack (id=2), Publish Received (id=3), Publish Complete (id=3), Ping Response',
];
