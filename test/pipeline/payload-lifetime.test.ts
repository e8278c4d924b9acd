// A packet completed from the framer's own buffer (it spanned segments) is written out only once
// its whole frame is dissected; the same frame may carry the start of the next packet, which the
// framer must then hold elsewhere. Payloads are compared, at row time, with the bytes the
// capture was built from.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, tempFile } from './support.js';
import { pkt, str } from '../mqtt/support/bytes.js';
import { dissectCapture } from '../../src/pipeline/dissect.js';
import type { PacketRow } from '../../src/pipeline/rows.js';

const CONNECT = pkt(0x10, str('MQTT'), [4], [0x02], [0, 60], str('cid'));
const publish = (topic: string, fill: number, n: number) => pkt(0x30, str(topic), new Array<number>(n).fill(fill));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('payloads of packets completed in the framer buffer survive the rest of their frame', async () => {
  const a = publish('t/a', 0xaa, 40);
  const b = publish('t/b', 0xbb, 3);
  const c = publish('t/c', 0xcc, 40);
  const d = publish('t/d', 0xdd, 40);
  const stream = Buffer.concat([a, b, c, d]);
  const conv = new Conversation().handshake().send('c2s', CONNECT);
  // Frame 1: the head of A. Frame 2: the rest of A, all of B, the head of C. Frame 3: the rest
  // of C and the head of D. Frame 4: the rest of D.
  const cuts = [0, 10, a.length + b.length + 10, a.length + b.length + c.length + 10, stream.length];
  for (let i = 0; i + 1 < cuts.length; i++) conv.send('c2s', stream.subarray(cuts[i], cuts[i + 1]));
  const seen: string[][] = [];
  await dissectCapture(tempFile('payload-lifetime.pcap', conv.pcap()), {
    row: (r: PacketRow) => {
      const payloads = r.messages.map((m) => (m.result.packet?.type === 'PUBLISH' ? hex(m.result.packet.payload) : ''));
      if (payloads.some((p) => p !== '')) seen.push(payloads);
    },
  });
  const body = (p: Uint8Array, topic: string) => hex(p.subarray(2 + 2 + topic.length));
  assert.deepEqual(seen, [[body(a, 't/a'), body(b, 't/b')], [body(c, 't/c')], [body(d, 't/d')]]);
});
