// The benchmark capture generator: deterministic, byte-exact against the test/support builders,
// and clean in tshark's view apart from the anomalies it says it planted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCapture, parseSize, type GenerateOptions } from '../../bench/generate.js';
import { ethernetIPv4Tcp, ethernetIPv6Tcp, PcapWriter, type TcpSpec } from '../support/pcap-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-bench-gen-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function make(name: string, opts: Omit<GenerateOptions, 'out'>): { path: string; stats: ReturnType<typeof generateCapture> } {
  const path = join(dir, name);
  return { path, stats: generateCapture({ ...opts, out: path }) };
}

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

function tsharkFields(path: string, filter: string, fields: string[]): string[][] {
  const args = ['-r', path, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

test('parseSize: k/m/g are powers of 1024, plain numbers are bytes', () => {
  assert.equal(parseSize('1g'), 1024 ** 3);
  assert.equal(parseSize('100m'), 100 * 1024 ** 2);
  assert.equal(parseSize('10M'), 10 * 1024 ** 2);
  assert.equal(parseSize('512k'), 512 * 1024);
  assert.equal(parseSize('12345'), 12345);
  assert.throws(() => parseSize('ten'));
});

test('the same options give the same bytes; another seed gives other bytes', () => {
  const a = make('a.pcap', { size: 400_000, seed: 7, concurrency: 20 });
  const b = make('b.pcap', { size: 400_000, seed: 7, concurrency: 20 });
  const c = make('c.pcap', { size: 400_000, seed: 8, concurrency: 20 });
  assert.ok(readFileSync(a.path).equals(readFileSync(b.path)));
  assert.ok(!readFileSync(a.path).equals(readFileSync(c.path)));
  assert.equal(a.stats.frames, b.stats.frames);
});

test('size, frame count and connection count follow the options', () => {
  const { path, stats } = make('size.pcap', { size: 2_000_000, concurrency: 30, connections: 60 });
  const bytes = statSync(path).size;
  assert.equal(stats.bytes, bytes);
  assert.equal(stats.connections, 60);
  assert.ok(Math.abs(bytes - 2_000_000) / 2_000_000 < 0.1, `size ${bytes} within 10% of 2 MB`);
  // The file is just records: walk them and count.
  const buf = readFileSync(path);
  let off = 24;
  let frames = 0;
  while (off < buf.length) {
    off += 16 + buf.readUInt32LE(off + 8);
    frames++;
  }
  assert.equal(off, buf.length);
  assert.equal(frames, stats.frames);
});

/** Every record re-built from its own header fields by the test/support builders, byte for byte:
 *  checks lengths, checksums and layout against an independent implementation. */
test('every frame equals what pcap-writer builds from the same fields', () => {
  const { path } = make('exact.pcap', { size: 1_500_000, seed: 3, concurrency: 40 });
  const buf = readFileSync(path);
  const w = new PcapWriter({ snaplen: 262144 });
  assert.ok(buf.subarray(0, 24).equals(w.header()));
  let off = 24;
  let v6 = 0;
  let n = 0;
  while (off < buf.length) {
    const caplen = buf.readUInt32LE(off + 8);
    const rec = buf.subarray(off, off + 16 + caplen);
    const f = rec.subarray(16);
    const isV6 = f.readUInt16BE(12) === 0x86dd;
    const ip = f.subarray(14);
    const ipLen = isV6 ? 40 : (ip[0]! & 0x0f) * 4;
    const tcp = ip.subarray(ipLen);
    const hlen = (tcp[12]! >> 4) * 4;
    const mac = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
    const addr = (b: Uint8Array) =>
      isV6 ? [...Array(8).keys()].map((i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(':') : [...b].join('.');
    const spec: TcpSpec = {
      src: addr(isV6 ? ip.subarray(8, 24) : ip.subarray(12, 16)),
      dst: addr(isV6 ? ip.subarray(24, 40) : ip.subarray(16, 20)),
      sport: tcp.readUInt16BE(0),
      dport: tcp.readUInt16BE(2),
      seq: tcp.readUInt32BE(4),
      ack: tcp.readUInt32BE(8),
      flags: tcp.readUInt16BE(12) & 0x1ff,
      window: tcp.readUInt16BE(14),
      payload: tcp.subarray(hlen),
      tcpOptions: hlen > 20 ? tcp.subarray(20, hlen) : undefined,
      ipId: isV6 ? undefined : ip.readUInt16BE(4),
      dstMac: mac(f.subarray(0, 6)),
      srcMac: mac(f.subarray(6, 12)),
    };
    const frame = isV6 ? ethernetIPv6Tcp(spec) : ethernetIPv4Tcp(spec);
    const expected = w.record(rec.readUInt32LE(0), rec.readUInt32LE(4) * 1000, frame);
    if (!rec.equals(expected)) assert.fail(`record at offset ${off} (frame ${n + 1}) differs from pcap-writer's`);
    if (isV6) v6++;
    n++;
    off += rec.length;
  }
  assert.ok(n > 1000);
  assert.ok(v6 > 0, 'some IPv6 connections');
});

test('tshark decodes every planted MQTT packet and flags nothing but the out-of-order pairs', (t) => {
  if (!hasTshark) return t.skip('tshark is not installed');
  const { path, stats } = make('clean.pcap', { size: 3_000_000, seed: 4, concurrency: 60, rlSplits: false });
  assert.equal(stats.splitInRemainingLength, 0);
  assert.ok(stats.outOfOrder > 0 && stats.retransmissions > 0 && stats.splitPdus > 0 && stats.coalescedSegments > 0);
  assert.ok(stats.mqtt5Connections > 0);

  const rows = tsharkFields(path, 'mqtt', ['frame.number', 'mqtt.msgtype', 'tcp.analysis.retransmission']);
  let packets = 0;
  let publishes = 0;
  for (const [, types, retx] of rows) {
    if (retx) continue; // a retransmitted copy carries the same packet again
    for (const ty of types!.split(',')) {
      packets++;
      if (ty === '3') publishes++;
    }
  }
  // tshark 4.0 leaves the late segment of an out-of-order pair undissected (tcp.reassemble_out_of_order
  // is off by default); each such segment holds exactly one QoS 0 PUBLISH (see burst()).
  assert.equal(packets, stats.mqttPackets - stats.outOfOrder);
  assert.equal(publishes, stats.publishes - stats.outOfOrder);

  // Broker routing: every copy the broker forwards carries the topic and payload of a PUBLISH a
  // client sent before it (the other deliveries come from publishers outside the capture, with
  // payloads of their own).
  const published = new Set<string>();
  let forwarded = 0;
  for (const [port, topics, msgs] of tsharkFields(path, 'mqtt.msgtype == 3 && !tcp.analysis.retransmission', ['tcp.dstport', 'mqtt.topic', 'mqtt.msg'])) {
    const t = topics!.split(',');
    const m = msgs!.split(',');
    for (let i = 0; i < t.length; i++) {
      const key = `${t[i]} ${m[i]}`;
      if (port === '1883') published.add(key);
      else if (published.has(key)) forwarded++;
    }
  }
  assert.ok(stats.routedDeliveries > 100);
  // A copy of a message tshark did not dissect (the late half of an out-of-order pair) is missed.
  assert.ok(forwarded <= stats.routedDeliveries && forwarded >= stats.routedDeliveries * 0.98, `${forwarded} of ${stats.routedDeliveries}`);

  const flagged = tsharkFields(path, '_ws.malformed || _ws.expert.severity >= warning', [
    'frame.number',
    'tcp.analysis.out_of_order',
    'tcp.analysis.lost_segment',
    'tcp.analysis.retransmission',
    '_ws.malformed',
  ]);
  const early = new Set(stats.marked.outOfOrder);
  for (const [frame, ooo, lost, retx, malformed] of flagged) {
    assert.equal(malformed, '', `frame ${frame} malformed`);
    // The segment sent early is "previous segment not captured"; the late one fills the hole
    // ("out-of-order", or "retransmission" when it comes late).
    if (lost) assert.ok(early.has(Number(frame)), `frame ${frame}: lost segment not planted`);
    else assert.ok(ooo || retx, `frame ${frame} flagged for something else`);
  }
  assert.equal(flagged.filter((r) => r[2]).length, stats.outOfOrder);
});

test('with splits inside the Remaining Length, tshark is only confused after them', (t) => {
  if (!hasTshark) return t.skip('tshark is not installed');
  const { path, stats } = make('rl.pcap', { size: 4_000_000, seed: 5, concurrency: 60 });
  assert.ok(stats.splitInRemainingLength > 0);
  const streamOf = new Map(tsharkFields(path, 'tcp', ['frame.number', 'tcp.stream']).map(([f, s]) => [Number(f), s!]));
  // Where each connection's planted split begins.
  const splitAt = new Map<string, number>();
  for (const f of stats.marked.splitInRemainingLength) splitAt.set(streamOf.get(f)!, f);
  const malformed = tsharkFields(path, '_ws.malformed', ['frame.number']).map(([f]) => Number(f));
  assert.ok(malformed.length >= stats.splitInRemainingLength);
  for (const f of malformed) {
    const at = splitAt.get(streamOf.get(f)!);
    assert.ok(at !== undefined && f >= at, `frame ${f} malformed outside a planted split`);
  }
});
