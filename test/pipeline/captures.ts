// Hand-built captures committed under golden/ with tshark's view of them (make-goldens.ts).
// Each is something real clients will not produce on demand: a chosen segmentation, reordering,
// retransmission or broken length. Tests rebuild them and check the committed file is the same.

import type { PcapRecord } from '../support/pcap-writer.js';
import { writePcap } from '../support/pcap-writer.js';
import { CLIENT, Conversation, SERVER } from './support.js';
import { conversation311, streamOf } from './conversation.js';

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

export const GOLDENS: Record<string, () => Buffer> = {
  unsplit,
  'split-in-length': splitInLength,
};
