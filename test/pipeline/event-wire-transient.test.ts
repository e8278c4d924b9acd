// EventReader hands a sink that takes JSON lines (and so keeps no row) one row object and one set
// of messages, refilled per frame. What that sink writes must equal what a sink keeping fresh rows
// writes. The capture is built here: frames of 1, 3 and 20 packets (20: past the sizes whose
// message arrays are kept), on two connections.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectCapture, UNDECODED } from '../../src/pipeline/dissect.js';
import { EventReader, EventWriter } from '../../src/pipeline/event-wire.js';
import type { PacketRow } from '../../src/pipeline/rows.js';
import { JsonlWriter } from '../../src/render/jsonl-writer.js';
import { ByteOutput } from '../../src/cli/output.js';
import { Conversation, tempFile } from './support.js';
import { CONNECT_311, PINGREQ } from './captures.js';

/** PUBLISH QoS 0 on `topic` (MQTT 3.1.1 §3.3), payload "x". */
function publish(topic: string): Uint8Array {
  const t = Buffer.from(topic);
  return Buffer.concat([Buffer.from([0x30, 2 + t.length + 1, 0, t.length]), t, Buffer.from('x')]);
}

function capture(): string {
  const a = new Conversation();
  const b = new Conversation({ addr: '10.0.0.3', port: 50001 }, { addr: '10.0.0.2', port: 1883 }, a.records);
  a.handshake();
  b.handshake();
  a.send('c2s', CONNECT_311);
  b.send('c2s', Buffer.concat([CONNECT_311, publish('b/1')]));
  a.send('c2s', Buffer.concat([publish('a/1'), publish('a/2'), PINGREQ]));
  b.send('c2s', Buffer.concat(Array.from({ length: 20 }, (_, i) => publish(`b/${i}`))));
  a.send('c2s', publish('a/3'));
  b.send('c2s', PINGREQ);
  return tempFile('transient.pcap', a.pcap());
}

class Memory extends ByteOutput {
  readonly parts: Buffer[] = [];
  constructor() {
    super(-1, 1 << 16);
  }
  override flush(): void {
    this.parts.push(Buffer.from(this.buf.subarray(0, this.pos)));
    this.pos = 0;
  }
  all(): string {
    this.flush();
    return Buffer.concat(this.parts).toString('utf8');
  }
}

test('rows replayed to a JSON-lines sink (reused objects) are written as fresh rows are', async () => {
  // The worker's side: every packet sent undecoded, with its row.
  const w = new EventWriter(64);
  let pdu: Uint8Array = new Uint8Array(0);
  await dissectCapture(
    capture(),
    {
      connection: (c) => w.connection(c),
      message: (m) => w.message(m, pdu, 0, pdu.length, m.result !== UNDECODED),
      end: (f, t) => w.end(f, t),
      row: (r) => w.row(r as never),
    },
    { decodeFrame: () => false, onPacketBytes: (buf, start, end) => (pdu = buf.slice(start, end)) },
  );
  const events = w.buf.subarray(0, w.pos);

  const kept: PacketRow[] = [];
  new EventReader({ row: (r) => kept.push(r) }).replay(events, events.length);
  const fresh = new Memory();
  const freshJson = new JsonlWriter(fresh);
  for (const r of kept) freshJson.line(r); // written after the whole replay: these rows must hold

  const reused = new Memory();
  const reusedJson = new JsonlWriter(reused);
  const seen = new Set<PacketRow>();
  new EventReader({ row: (r) => (seen.add(r), reusedJson.line(r)), jsonLine: () => assert.fail('no JSON lines sent') }).replay(events, events.length);

  // 6 frames made rows, with 1, 2, 3, 20, 1, 1 packets (as built above).
  assert.deepEqual(kept.map((r) => r.messages.length), [1, 2, 3, 20, 1, 1]);
  assert.equal(new Set(kept).size, 6);
  assert.equal(seen.size, 1, 'one row object refilled');
  const text = reused.all();
  assert.equal(text, fresh.all());
  assert.equal(text.split('\n').length, 7);
  assert.match(text, /"b\/19"/);
});
