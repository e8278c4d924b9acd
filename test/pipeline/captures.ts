// Hand-built captures committed under golden/ with tshark's view of them (make-goldens.ts).
// Each is something real clients will not produce on demand: a chosen segmentation, reordering,
// retransmission or broken length. Tests rebuild them and check the committed file is the same.

import type { PcapRecord } from '../support/pcap-writer.js';
import { writePcap } from '../support/pcap-writer.js';
import { CLIENT, Conversation, SERVER } from './support.js';
import { conversation311, streamOf } from './conversation.js';
import { bytes, pkt, props, str, u16 } from '../mqtt/support/bytes.js';

const list = conversation311();
const c2s = streamOf(list, 'c2s');
const s2c = streamOf(list, 's2c');

/** Start offset (in the client stream) of the publish carrying `payloadLength` bytes. */
export function publishStart(payloadLength: number): number {
  const p = list.find((x) => x.type === 'PUBLISH' && x.payload?.length === payloadLength)!;
  return p.end - p.bytes.length;
}

/** The conversation twice: the client stream cut after the first of the 300-byte publish's two
 *  length bytes, then after the second of the 20 KB publish's three length bytes. */
export function splitInLength(): Buffer {
  const records: PcapRecord[] = [];
  const cuts = [publishStart(300) + 2, publishStart(20 * 1024) + 3];
  cuts.forEach((k, i) => {
    new Conversation({ addr: CLIENT.addr, port: CLIENT.port + i }, SERVER, records)
      .handshake()
      .send('c2s', c2s.subarray(0, k))
      .send('c2s', c2s.subarray(k))
      .send('s2c', s2c)
      .fin('c2s')
      .fin('s2c');
  });
  return writePcap(records);
}

/** The conversation with each stream in one segment: tshark's Info text for every packet. */
export function unsplit(): Buffer {
  const records: PcapRecord[] = [];
  new Conversation(CLIENT, SERVER, records).handshake().send('c2s', c2s).send('s2c', s2c).fin('c2s').fin('s2c');
  return writePcap(records);
}

/** Offset in the client stream where the packet of type/index ends. */
export function endOf(type: string, nth = 0): number {
  return list.filter((x) => x.dir === 'c2s' && x.type === type)[nth]!.end;
}

/** Client stream cut at `cuts`, its pieces sent in the order `order` (indices into the pieces). */
export function reordered(records: PcapRecord[], port: number, cuts: number[], order: number[]): Conversation {
  const conv = new Conversation({ addr: CLIENT.addr, port }, SERVER, records).handshake();
  const bounds = [0, ...cuts, c2s.length];
  for (const i of order) conv.at('c2s', bounds[i]!, c2s.subarray(bounds[i], bounds[i + 1]));
  conv.advance('c2s', c2s.length).send('s2c', s2c).fin('c2s').fin('s2c');
  return conv;
}

/** Out of order, two conversations: (1) pieces cut at packet boundaries, the 2nd and 3rd
 *  swapped; (2) cuts inside packets, the last three pieces in reverse. */
export function reorder(): Buffer {
  const records: PcapRecord[] = [];
  reordered(records, CLIENT.port, [endOf('SUBSCRIBE'), endOf('PUBREL'), endOf('PUBLISH', 3)], [0, 2, 1, 3]);
  const k = publishStart(300);
  reordered(records, CLIENT.port + 1, [endOf('CONNECT') + 3, k + 1, k + 100, endOf('PUBLISH', 3) - 7], [0, 4, 3, 2, 1]);
  return writePcap(records);
}

/** Retransmissions: (1) the segment carrying CONNECT + SUBSCRIBE sent twice (exact); (2) a
 *  segment re-sending the tail of the previous one plus new bytes (partial overlap); (3) a
 *  retransmitted PINGREQ alone after everything. */
export function retransmit(): Buffer {
  const records: PcapRecord[] = [];
  const conv = new Conversation(CLIENT, SERVER, records).handshake();
  const a = endOf('SUBSCRIBE');
  const b = endOf('PUBLISH', 1); // end of the QoS 1 publish
  const mid = endOf('PUBLISH', 0) + 5; // inside the QoS 1 publish
  const ping = endOf('PINGREQ');
  conv.at('c2s', 0, c2s.subarray(0, a));
  conv.at('c2s', 0, c2s.subarray(0, a)); // exact retransmission
  conv.at('c2s', a, c2s.subarray(a, b));
  conv.at('c2s', mid, c2s.subarray(mid, ping)); // overlaps [mid, b), adds [b, ping)
  conv.at('c2s', ping, c2s.subarray(ping));
  conv.at('c2s', ping - 2, c2s.subarray(ping - 2, ping)); // the PINGREQ again
  conv.advance('c2s', c2s.length).send('s2c', s2c).fin('c2s').fin('s2c');
  return writePcap(records);
}

export const CONNECT_311 = pkt(0x10, str('MQTT'), [4], [0x02], u16(60), str('bad'));
export const CONNECT_5 = pkt(0x10, str('MQTT'), [5], [0x02], u16(60), props(), str('bad5'));
export const PINGREQ = pkt(0xc0);

/** Broken packets, one connection each (client stream, one segment per item), each followed by
 *  a good PINGREQ. Real clients never send these. */
export const MALFORMED: { name: string; c2s: Uint8Array[]; fin?: boolean }[] = [
  // Remaining Length with a 5th byte (3.1.1 §2.2.3: at most four).
  { name: 'five-byte-length', c2s: [CONNECT_311, bytes([0x30, 0xff, 0xff, 0xff, 0xff, 0x01], str('t'), 'x'), PINGREQ] },
  // Remaining Length 200, but the stream ends (FIN) after 20 bytes.
  { name: 'longer-than-stream', c2s: [CONNECT_311, PINGREQ, bytes([0x30, 0xc8, 0x01], str('t/long'), 'only a few')], fin: true },
  // CONNECT whose Remaining Length covers only protocol name, level and flags.
  { name: 'short-connect', c2s: [bytes([0x10, 0x08], str('MQTT'), [4, 0x02]), PINGREQ] },
  // v5 PUBLISH whose property length (50) runs past the end of the packet.
  { name: 'v5-property-length', c2s: [CONNECT_5, pkt(0x30, str('t/p'), [50, 0x01, 0x01], 'x'), PINGREQ] },
];

export function malformed(): Buffer {
  const records: PcapRecord[] = [];
  MALFORMED.forEach((m, i) => {
    const conv = new Conversation({ addr: CLIENT.addr, port: CLIENT.port + i }, SERVER, records).handshake();
    for (const b of m.c2s) conv.send('c2s', b);
    if (m.fin) conv.fin('c2s');
  });
  return writePcap(records);
}

export const GOLDENS: Record<string, () => Buffer> = {
  unsplit,
  'split-in-length': splitInLength,
  reorder,
  retransmit,
  malformed,
};
