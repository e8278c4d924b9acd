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

/** Both serialisations of every row of a capture; the byte writer through a real file.
 *  `transient`: rows and messages reused, plain PUBLISHes left undecoded (the writer copies
 *  them from their bytes; the reference reads their lazily decoded result). */
async function both(capture: string, ports: number[] = [], transient = false): Promise<{ reference: string; fast: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
  const path = join(dir, 'out.jsonl');
  const fd = openSync(path, 'w');
  const out = new ByteOutput(fd, 4096); // small, so rows straddle flushes
  const writer = new JsonlWriter(out);
  let reference = '';
  await dissectCapture(capture, { row: (r: PacketRow) => ((reference += rowJsonLine(r)), writer.line(r)) }, { ports, transient });
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

for (const transient of [false, true]) {
test(`the byte writer prints exactly the reference JSON on every fixture and corpus capture${transient ? ' (reused rows, plain PUBLISHes from their bytes)' : ''}`, async () => {
  let rows = 0;
  for (const c of captures) {
    const { reference, fast } = await both(c.path, c.ports, transient);
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
}

test('rows of connections that share an endpoint slot, interleaved, keep their own endpoints', async () => {
  // The writer keeps each connection's `"src":…"length":` text in a slot chosen by connection
  // number and direction; numbers 512 apart share one. Rows alternating between such
  // connections, both ways, IPv4 and IPv6, must each print their own endpoints.
  const { DissectedRow } = await import('../../src/pipeline/rows.js');
  const out = new ByteOutput(-1, 1 << 16);
  const writer = new JsonlWriter(out);
  const first = { tsSec: 0, tsNsec: 0 };
  const conns = [1, 513, 1025, 2].map((id, k) => ({ id, client: { addr: k % 2 ? `fd00::${k}` : `10.0.0.${k}`, port: 40000 + k },
    server: { addr: k === 3 ? 'a\u0001"b' : '10.0.0.100', port: 1883 }, firstFrame: 1, firstTime: 0, sawSyn: true, transport: 'mqtt' as const }));
  const packet: MqttPacket = { type: 'PINGREQ', headerFlags: 0xc0, remainingLength: 0, length: 2, notes: [] };
  let reference = '';
  let no = 0;
  for (let round = 0; round < 3; round++) {
    for (const conn of conns) {
      for (const dir of ['c2s', 's2c'] as const) {
        const [from, to] = dir === 'c2s' ? [conn.client, conn.server] : [conn.server, conn.client];
        const msg = { conn, dir, frame: ++no, time: 0, version: 4 as const, versionKnown: true, indexInFrame: 0, result: { status: 'ok' as const, packet } };
        const row = new DissectedRow(no, 1, 0, 6, first, from.addr, to.addr, from.port, to.port, 60, '', [msg]);
        reference += rowJsonLine(row);
        writer.line(row);
      }
    }
  }
  assert.equal(out.buf.subarray(0, out.pos).toString('utf8'), reference);
  assert.match(reference, /"src":"fd00::3","dst":"a\\u0001\\"b"/);
});

test('payload hex at every alignment and around the fast-path sizes equals Buffer hex', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
  const path = join(dir, 'out.jsonl');
  const fd = openSync(path, 'w');
  const out = new ByteOutput(fd, 4096);
  const writer = new JsonlWriter(out);
  const conn = { id: 0, client: { addr: 'a', port: 1 }, server: { addr: 'b', port: 2 }, firstFrame: 1, firstTime: 0, sawSyn: true, transport: 'mqtt' as const };
  const want: string[] = [];
  // 31 | 32: the JS loop | WebAssembly (hex.ts WASM_MIN_BYTES); 40000: more than the module takes a call.
  for (const n of [0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 200, 3000, 40000]) {
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
    // Short payloads (the JS loop, WebAssembly) cut by the buffer's end after an escaped topic
    // (first: the buffer is still 4096 bytes; the rows below make it grow).
    ...[20, 40, 300].map((n): MqttPacket => ({ ...base, type: 'PUBLISH', dup: false, qos: 0, retain: false, topic: long(700, '\u0001'),
      payload: Uint8Array.from({ length: n }, (_, i) => (i * 53 + 1) & 0xff) })),
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

test('dissection rows: Time and Info formatted from their parts equal the row texts (signs, digits, escapes, the 4095-byte cut)', async () => {
  const { DissectedRow } = await import('../../src/pipeline/rows.js');
  const { decodePacket } = await import('../../src/mqtt/decode.js');
  const u16 = (n: number) => [n >> 8, n & 255];
  const publish = (topic: string, id?: number) => {
    const t = Buffer.from(topic, 'utf8');
    const body = [...u16(t.length), ...t, ...(id === undefined ? [] : u16(id)), 0x41];
    const rl = body.length < 128 ? [body.length] : [(body.length & 127) | 128, body.length >> 7];
    return Uint8Array.from([id === undefined ? 0x30 : 0x32, ...rl, ...body]);
  };
  const conn = { id: 3, client: { addr: '10.0.0.1', port: 5 }, server: { addr: '10.0.0.2', port: 1883 }, firstFrame: 1, firstTime: 0, sawSyn: true, transport: 'mqtt' as const };
  const msg = (pdu: Uint8Array, aliasTopic?: string) =>
    ({ conn, dir: 'c2s' as const, frame: 1, time: 0, version: 4 as const, versionKnown: true, indexInFrame: 0, result: decodePacket(pdu, 4), aliasTopic });
  const first = { tsSec: 100, tsNsec: 500_000_000 };
  const times: [number, number, number][] = [
    [100, 500_000_000, 6], [101, 400_000_000, 6], [100, 499_999_999, 9], [99, 900_000_000, 3], [100, 400_000_000, 6],
    [100, 500_000_001, 9], [250, 0, 0], [100, 2_000_000_000, 6], [0x7fffffff + 5, 123, 9], [100, 500_000_000, 12],
  ];
  const infos = [
    [msg(publish('a/b'))],
    [msg(publish('a/b', 7)), msg(publish('c"d\\e'))],
    [msg(publish('tab\there')), msg(publish('ünï'))],
    [msg(publish('x'.repeat(300), 1)), ...Array.from({ length: 14 }, (_, i) => msg(publish('y'.repeat(300), i + 2)))],
    [msg(publish(''), 'aliased/topic')],
    // QoS 0 without properties: Info kept per topic by the writer, also past the 4095-byte cut.
    [msg(publish('a/b')), msg(publish('c"d')), msg(publish('a/b'))],
    Array.from({ length: 15 }, (_, i) => msg(publish('z'.repeat(290 + i)))),
  ];
  const writer = () => { const out = new ByteOutput(-1, 1 << 16); return { out, w: new JsonlWriter(out) }; };
  for (const [sec, ns, digits] of times) {
    for (const [k, ms] of infos.entries()) {
      for (const prefix of ['', '[TCP ACKed unseen segment] ']) {
        const row = new DissectedRow(9, sec, ns, digits, first, '10.0.0.1', '10.0.0.2', 5, 1883, 60, prefix, ms);
        const { out, w } = writer();
        w.line(row);
        const got = Buffer.from(out.buf.subarray(0, out.pos)).toString('utf8');
        assert.equal(got, rowJsonLine(row), `time ${sec}.${ns} digits ${digits}, infos #${k}, prefix '${prefix}'`);
      }
    }
  }
});
