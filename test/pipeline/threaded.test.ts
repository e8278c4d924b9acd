// The dissection on a worker thread (threaded.ts) must hand the analysis exactly what the
// dissection on the same thread hands it: the one-thread run is the truth here (it is itself held
// to the fixtures' construction and to tshark by other tests). Compared on the analysis result and
// the summary of a generated capture, every fixture and every corpus capture; the event wire is
// also checked on its own, event by event.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dissectCapture } from '../../src/pipeline/dissect.js';
import { dissectInWorker, worthThreads } from '../../src/pipeline/threaded.js';
import { EventReader, EventWriter } from '../../src/pipeline/event-wire.js';
import type { ConnectionInfo, DissectionSink, MqttMessage } from '../../src/pipeline/events.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import { generateCapture } from '../../bench/generate.js';
import { corpusDir, fixturesDir, hasCorpus } from '../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'mqtt-threaded-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

async function bothWays(capture: string, ports: number[] = []): Promise<void> {
  const warnings1: string[] = [];
  const warnings2: string[] = [];
  const a1 = new Analyzer();
  const s1 = await dissectCapture(capture, a1, { ports, onWarning: (m) => warnings1.push(m) });
  const a2 = new Analyzer();
  const s2 = await dissectInWorker(capture, a2, { ports, onWarning: (m) => warnings2.push(m) });
  assert.deepEqual(s2, s1, `${capture}: summary`);
  assert.deepEqual(a2.result(), a1.result(), `${capture}: analysis`);
  assert.deepEqual(warnings2, warnings1, `${capture}: warnings`);
}

test('a generated capture with 600 interleaved connections: the same analysis on a worker', async () => {
  const capture = join(tmp, 'synth.pcap');
  generateCapture({ size: 6 << 20, out: capture, seed: 11, concurrency: 150, connections: 600 });
  await bothWays(capture);
});

test('every fixture: the same analysis with the dissection on a worker', async () => {
  let n = 0;
  for (const dir of readdirSync(fixturesDir, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(fixturesDir, dir.name))) {
      if (!/\.pcap(ng)?$/.test(f)) continue;
      await bothWays(join(fixturesDir, dir.name, f));
      n++;
    }
  }
  assert.ok(n >= 20, `${n} fixtures`);
});

if (!hasCorpus) {
  test('corpus: the same analysis on a worker', (t) => t.skip(`../shared/corpus is absent (${corpusDir}): skipped`));
} else {
  test('every corpus capture: the same analysis with the dissection on a worker', async () => {
    const lines = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n').filter(Boolean).slice(1);
    for (const line of lines) {
      const path = line.split('\t')[0]!;
      const ports = [...line.matchAll(/tcp\.port==(\d+),mqtt/g)].map((m) => Number(m[1]));
      await bothWays(join(corpusDir, path), ports);
    }
  });
}

test('a file that is not a capture, or is missing: the same outcome on a worker', async () => {
  const empty = join(tmp, 'empty.pcap');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(empty, '');
  const s1 = await dissectCapture(empty, {});
  const s2 = await dissectInWorker(empty, {});
  assert.deepEqual(s2, s1);
  const missing = join(tmp, 'missing.pcap');
  const e1 = await dissectCapture(missing, {}).catch((e: Error) => e);
  const e2 = await dissectInWorker(missing, {}).catch((e: Error) => e);
  assert.ok(e1 instanceof Error && e2 instanceof Error);
  assert.equal(e2.name, e1.name);
  assert.equal(e2.message, e1.message);
});

test('worthThreads: not for stdin, small files or missing files', () => {
  assert.equal(worthThreads('-'), false);
  assert.equal(worthThreads(join(fixturesDir, 'lab', 'lab1-pubsub.pcap')), false);
  assert.equal(worthThreads(join(tmp, 'missing.pcap')), false);
});

/** A connection with every field set to something a round trip could get wrong. */
const SAMPLE_CONN: ConnectionInfo = {
  id: 7,
  client: { addr: '2001:db8::1', port: 50123 },
  server: { addr: '10.0.0.1', port: 1883 },
  firstFrame: 3,
  firstTime: 1700000000.123456789,
  sawSyn: false,
  transport: 'mqtt',
};

test('event wire: every event comes back with every field, packets decoded again', () => {
  const conn = SAMPLE_CONN;
  // PUBLISH QoS 1, topic "a/é", packet id 5, payload "hi" (bytes by hand, MQTT 3.1.1 §3.3)
  const topic = Buffer.from('a/é', 'utf8');
  const body = Buffer.concat([Buffer.from([0, topic.length]), topic, Buffer.from([0, 5]), Buffer.from('hi')]);
  const pdu = Buffer.concat([Buffer.from([0x32, body.length]), body]);
  const w = new EventWriter(16); // small: the writer must grow
  w.connection(conn);
  const msg = { conn, dir: 's2c', frame: 9, time: 1700000001.5, version: 4, versionKnown: false, connectLevel: 0x84, indexInFrame: 2 };
  w.message(msg as MqttMessage, pdu, 0, pdu.length, false);
  w.gap(conn, 'c2s', 10, 1700000002, -1);
  w.close(conn, 'rst', 's2c', 11, 1700000003.25);
  w.end(12, 1700000004);
  const seen: unknown[] = [];
  const sink: DissectionSink = {
    connection: (c) => seen.push(['connection', c]),
    message: (m) => seen.push(['message', { ...m, result: m.result.packet }]),
    gap: (...a) => seen.push(['gap', ...a]),
    close: (...a) => seen.push(['close', ...a]),
    end: (...a) => seen.push(['end', ...a]),
  };
  new EventReader(sink).replay(w.buf, w.pos);
  assert.equal(seen.length, 5);
  assert.deepEqual(seen[0], ['connection', conn]);
  const [, m] = seen[1] as [string, MqttMessage & { result: { type: string; topic: string; packetId: number; qos: number; payload: Uint8Array } }];
  assert.deepEqual({ ...m, result: undefined, conn: m.conn.id }, { ...msg, result: undefined, conn: 7 });
  assert.equal(m.result.type, 'PUBLISH');
  assert.equal(m.result.topic, 'a/é');
  assert.equal(m.result.packetId, 5);
  assert.equal(m.result.qos, 1);
  assert.equal(Buffer.from(m.result.payload).toString(), 'hi');
  assert.deepEqual(seen[2], ['gap', conn, 'c2s', 10, 1700000002, -1]);
  assert.deepEqual(seen[3], ['close', conn, 'rst', 's2c', 11, 1700000003.25]);
  assert.deepEqual(seen[4], ['end', 12, 1700000004]);
});

test('event wire: the receiver counts the malformed packets the sender left undecoded, and only those', () => {
  const conn = SAMPLE_CONN;
  // PUBLISH whose Topic Name length (5) runs past its Remaining Length (2): malformed.
  const bad = Buffer.from([0x30, 0x02, 0x00, 0x05]);
  const good = Buffer.from([0x40, 0x02, 0x00, 0x01]);
  const w = new EventWriter();
  w.connection(conn);
  const msg = { conn, dir: 'c2s', frame: 2, time: 2, version: 4, versionKnown: true, connectLevel: 4, indexInFrame: 0 } as MqttMessage;
  w.message(msg, bad, 0, bad.length, false); // left to the receiver: counted there
  w.message(msg, bad, 0, bad.length, true); // decoded and counted by the sender
  w.message(msg, good, 0, good.length, false);
  const statuses: string[] = [];
  const reader = new EventReader({ message: (m) => statuses.push(m.result.status) });
  reader.replay(w.buf, w.pos);
  assert.deepEqual(statuses, ['malformed', 'malformed', 'ok']);
  assert.equal(reader.malformed, 1);
});
