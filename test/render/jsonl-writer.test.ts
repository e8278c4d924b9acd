// The byte-level JSON Lines writer must print exactly what the readable object-based reference
// (rowJsonLine) prints, on real captures: every fixture and, when present, every corpus capture.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dissectCapture } from '../../src/pipeline/dissect.js';
import type { PacketRow } from '../../src/pipeline/rows.js';
import { rowJsonLine } from '../../src/render/packet-json.js';
import { JsonlWriter } from '../../src/render/jsonl-writer.js';
import type { MqttPacket } from '../../src/mqtt/types.js';
import { ByteOutput } from '../../src/cli/output.js';
import { corpusDir, fixturesDir, hasCorpus, projectRoot } from '../support/paths.js';
import { findGoldens } from '../golden/tshark-list.js';

/** Both serialisations of every row of a capture; the byte writer through a real file. */
async function both(capture: string, ports: number[] = []): Promise<{ reference: string; fast: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
  const path = join(dir, 'out.jsonl');
  const fd = openSync(path, 'w');
  const out = new ByteOutput(fd, 4096); // small, so rows straddle flushes
  const writer = new JsonlWriter(out);
  let reference = '';
  await dissectCapture(capture, { row: (r: PacketRow) => ((reference += rowJsonLine(r)), writer.line(r)) }, { ports });
  out.flush();
  closeSync(fd);
  const fast = readFileSync(path, 'utf8');
  rmSync(dir, { recursive: true });
  return { reference, fast };
}

// Real fixtures, plus the hand-built captures of other tests: every v5 property, malformed
// packets, notes, non-ASCII strings.
const handBuilt = [...findGoldens(join(projectRoot, 'test', 'pipeline', 'golden'), '.pcap'), join(projectRoot, 'test', 'mqtt', 'golden', 'cases.pcap')];
const captures = [
  ...findGoldens(fixturesDir, '.tshark.txt').map((g) => g.slice(0, -'.tshark.txt'.length)),
  ...handBuilt,
].map((path) => ({ path, ports: [] as number[] }));
if (hasCorpus) {
  const lines = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n').filter(Boolean).slice(1);
  for (const line of lines) {
    captures.push({ path: join(corpusDir, line.split('\t')[0]!), ports: [...line.matchAll(/tcp\.port==(\d+),mqtt/g)].map((m) => Number(m[1])) });
  }
}

test('the byte writer prints exactly the reference JSON on every fixture and corpus capture', async () => {
  let rows = 0;
  for (const c of captures) {
    const { reference, fast } = await both(c.path, c.ports);
    if (fast !== reference) {
      const a = reference.split('\n');
      const b = fast.split('\n');
      const i = a.findIndex((line, k) => line !== b[k]);
      assert.fail(`${c.path}: line ${i + 1} differs\n  reference: ${a[i]?.slice(0, 300)}\n  fast:      ${b[i]?.slice(0, 300)}`);
    }
    rows += reference.split('\n').length - 1;
  }
  assert.ok(rows > 100, `only ${rows} rows compared`);
});

test('payload hex at every alignment and around the fast-path sizes equals Buffer hex', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
  const path = join(dir, 'out.jsonl');
  const fd = openSync(path, 'w');
  const out = new ByteOutput(fd, 4096);
  const writer = new JsonlWriter(out);
  const conn = { id: 0, client: { addr: 'a', port: 1 }, server: { addr: 'b', port: 2 }, firstFrame: 1, firstTime: 0, sawSyn: true, transport: 'mqtt' as const };
  const want: string[] = [];
  for (const n of [0, 1, 7, 8, 9, 63, 64, 65, 200, 3000]) {
    for (const shift of [0, 1]) {
      const payload = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      want.push(Buffer.from(payload).toString('hex'));
      const packet = { type: 'PUBLISH' as const, headerFlags: 0x30, remainingLength: 3 + n, length: 5 + n, notes: [], dup: false, qos: 0,
        retain: false, topic: 't', payload };
      writer.line({ no: 1, time: '0.0', src: 'x'.repeat(1 + shift), dst: 'y', srcPort: 1, dstPort: 2, protocol: 'MQTT', length: 10, info: 'i',
        messages: [{ conn, dir: 'c2s', frame: 1, time: 0, version: 4, versionKnown: true, indexInFrame: 0, result: { status: 'ok', packet } }] });
    }
  }
  out.flush();
  closeSync(fd);
  const got = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).pdus[0].payload as string);
  rmSync(dir, { recursive: true });
  assert.deepEqual(got, want);
});

test('rows larger than the room checked before writing them are written whole (retry after reserving)', () => {
  // Each row below outgrows the writer's estimate (long or escaped strings, long lists, big
  // numbers) and the 4096-byte buffer, at several fill levels: it must still equal the reference.
  const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
  const path = join(dir, 'out.jsonl');
  const fd = openSync(path, 'w');
  const out = new ByteOutput(fd, 4096);
  const writer = new JsonlWriter(out);
  const conn = { id: 7, client: { addr: 'a', port: 1 }, server: { addr: 'b', port: 2 }, firstFrame: 1, firstTime: 0, sawSyn: true, transport: 'mqtt' as const };
  const long = (n: number, s: string) => s.repeat(Math.ceil(n / s.length)).slice(0, n);
  const base = { headerFlags: 0x82, remainingLength: 9, length: 11, notes: [] };
  const packets: MqttPacket[] = [
    { ...base, type: 'SUBSCRIBE', packetId: 1, subscriptions: Array.from({ length: 300 }, (_, i) => ({ filter: `a/${i}/é"\\\u0001`, qos: i % 3, options: i & 0xff })) },
    { ...base, type: 'UNSUBSCRIBE', packetId: 2, filters: [long(5000, 'x'), long(3000, '\u2028"'), 'ok'] },
    { ...base, type: 'SUBACK', packetId: 3, returnCodes: Array.from({ length: 2000 }, (_, i) => i * 1000) },
    { ...base, type: 'CONNACK', ackFlags: 0, sessionPresent: true, returnCode: 0, notes: [{ code: 'c', message: long(6000, 'm\n'), offset: 4294967296 }],
      properties: Array.from({ length: 200 }, (_, i) => ({ id: i, name: long(i, 'n"'), value: i % 4 === 0 ? 2 ** 32 - 1 - i : i % 4 === 1 ? long(i * 3, 'ü') : i % 4 === 2 ? new Uint8Array(i) : [long(i, 'k'), long(i, 'v\\')] as [string, string] })) },
    { ...base, type: 'PUBLISH', dup: true, qos: 2, retain: true, topic: long(9000, 't/\u0000'), packetId: 9, payload: new Uint8Array(5000).fill(0xab) },
  ];
  let reference = '';
  for (const fill of [0, 1000, 4000, 4095]) {
    for (const packet of packets) {
      const row: PacketRow = { no: 1, time: '0.5', src: long(fill, 's'), dst: 'd', srcPort: 1, dstPort: 2, protocol: 'MQTT', length: 10, info: long(fill, 'i"'),
        messages: [packet, packet].map((p, k) => ({ conn, dir: 's2c' as const, frame: 1, time: 0, version: 5 as const, versionKnown: true, indexInFrame: k, result: { status: 'ok' as const, packet: p } })) };
      reference += rowJsonLine(row);
      writer.line(row);
    }
  }
  out.flush();
  closeSync(fd);
  const fast = readFileSync(path, 'utf8');
  rmSync(dir, { recursive: true });
  assert.equal(fast.length, reference.length);
  assert.ok(fast === reference, 'byte writer differs from the reference');
});
