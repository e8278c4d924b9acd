// Issue #2 §9: which TCP streams are MQTT. Port 1883 always; another port only with --port or
// when the client opens with a CONNECT; TLS (port 8883, or a ClientHello on 1883) is counted and
// never parsed as MQTT; other traffic is never decoded. Hand-built so ports and first bytes are
// chosen exactly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writePcap, type PcapRecord } from '../support/pcap-writer.js';
import { CLIENT, Conversation, run, sumSkipped, tempFile } from './support.js';
import { conversation311, streamOf } from './conversation.js';
import { bytes, u16 } from '../mqtt/support/bytes.js';

const list = conversation311();
const c2s = streamOf(list, 'c2s');
const s2c = streamOf(list, 's2c');
const server = (port: number) => ({ addr: '10.0.0.2', port });

function capture(name: string, build: (records: PcapRecord[]) => void): string {
  const records: PcapRecord[] = [];
  build(records);
  return tempFile(name, writePcap(records));
}

function mqttOn(records: PcapRecord[], port: number, from = 0, clientPort = CLIENT.port): void {
  const conv = new Conversation({ addr: CLIENT.addr, port: clientPort }, server(port), records).handshake();
  conv.send('c2s', c2s.subarray(from)).send('s2c', s2c).fin('c2s').fin('s2c');
}

/** A TLS 1.2 ClientHello record header + handshake header + a little body (RFC 8446 §4.1.2). */
const clientHello = bytes([0x16, 0x03, 0x01], u16(45), [0x01, 0, 0, 41, 0x03, 0x03], new Uint8Array(32).fill(0xab), [0, 0, 2, 0x13, 0x01]);

test('port 1337 opened with a CONNECT is recognised without --port', async () => {
  const r = await run(capture('1337-connect.pcap', (rec) => mqttOn(rec, 1337)));
  assert.equal(r.connections.length, 1);
  assert.equal(r.connections[0]!.server.port, 1337);
  assert.equal(r.messages.length, list.length);
});

test('port 1337 not opened with a CONNECT: decoded only with --port 1337', async () => {
  // Starts at the SUBSCRIBE (the CONNECT is not in the stream).
  const path = capture('1337-mid.pcap', (rec) => mqttOn(rec, 1337, list[0]!.bytes.length));
  const without = await run(path);
  assert.equal(without.messages.length, 0);
  assert.equal(without.connections.length, 0);
  assert.equal(without.summary.mqttFrames, 0);
  const withPort = await run(path, { ports: [1337] });
  assert.deepEqual(withPort.messages.filter((m) => m.dir === 'c2s').map((m) => m.result.packet?.type), list.filter((p) => p.dir === 'c2s').slice(1).map((p) => p.type));
});

test('a TLS ClientHello on 8883 and on 1883: counted as MQTT over TLS, never parsed', async () => {
  const path = capture('tls.pcap', (rec) => {
    for (const [i, port] of [8883, 1883].entries()) {
      const conv = new Conversation({ addr: CLIENT.addr, port: CLIENT.port + i }, server(port), rec).handshake();
      // Application data after the handshake can hold anything, even bytes that look like MQTT.
      conv.send('c2s', clientHello).send('s2c', bytes([0x16, 0x03, 0x03, 0, 4, 2, 0, 0, 0])).send('c2s', c2s).send('s2c', s2c);
    }
  });
  const r = await run(path);
  assert.equal(r.summary.tlsConnections, 2);
  assert.equal(r.messages.length, 0);
  assert.equal(r.rows.length, 0);
  assert.equal(r.summary.connections, 0);
  // The 8 data frames at least (the 8883 stream's handshake frames are counted there too).
  assert.ok((r.summary.skipped['mqtt-over-tls'] ?? 0) >= 8);
  assert.equal(r.summary.framesRead, r.summary.mqttFrames + sumSkipped(r.summary));
});

test('a stream on another port that is not MQTT is never decoded', async () => {
  const http = bytes('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const path = capture('other.pcap', (rec) => {
    const conv = new Conversation(CLIENT, server(8080), rec).handshake();
    // HTTP first, then bytes that would decode as MQTT if the stream were taken for MQTT.
    conv.send('c2s', http).send('c2s', c2s).send('s2c', s2c).fin('c2s');
    mqttOn(rec, 1883, 0, CLIENT.port + 1);
  });
  const r = await run(path);
  assert.equal(r.connections.length, 1);
  assert.equal(r.connections[0]!.server.port, 1883);
  assert.ok(r.messages.every((m) => m.conn.server.port === 1883));
  assert.equal(r.messages.length, list.length);
  assert.equal(r.summary.framesRead, r.summary.mqttFrames + sumSkipped(r.summary));
});
