// The commonest packet of a capture, recognised without decoding it: a PUBLISH of MQTT 3.1 or
// 3.1.1 that decodePacketAt would decode cleanly (status ok, no notes) and whose topic is
// printable ASCII with nothing a JSON string must escape. Such a packet can be written out (the
// JSON Lines writer) straight from its bytes, without the objects and strings a decode makes;
// anything else takes the full decoder. A test holds the two equal on generated packets.

import { PROPERTY_DEFS } from './properties.js';

const EMPTY = new Uint8Array(0);

/** Where the fields of a plain PUBLISH are, in `buf` (refilled by readPlainPublish). */
export class PlainPublish {
  buf: Uint8Array = EMPTY;
  /** The packet is buf[start .. end). */
  start = 0;
  end = 0;
  /** The fixed header's first byte (type 3 and the DUP, QoS and RETAIN flags). */
  headerFlags = 0;
  remainingLength = 0;
  /** The Topic Name is buf[topicStart .. topicEnd). */
  topicStart = 0;
  topicEnd = 0;
  /** The Packet Identifier, -1 at QoS 0 (which has none). */
  packetId = -1;
  /** The payload is buf[payloadStart .. end). */
  payloadStart = 0;
}

/**
 * Is `buf[start .. end)` (exactly one packet) a plain PUBLISH as described at the top? If so,
 * fills `out` and returns true; otherwise returns false (and `out` holds nothing useful).
 * Every condition mirrors a note or failure of decodePacketAt (decode.ts): QoS 3 and DUP on QoS 0
 * (checkFlags), a Remaining Length not minimally encoded or not matching the bytes, a topic that
 * is empty or holds a wildcard (checkTopicName), a Packet Identifier of 0 (checkPacketId).
 */
export function readPlainPublish(buf: Uint8Array, start: number, end: number, version: number, out: PlainPublish): boolean {
  if (version !== 3 && version !== 4) return false; // v5 has properties: the decoder reads them
  if (end - start < 2) return false;
  const h = buf[start]!;
  if (h >> 4 !== 3) return false;
  const qos = (h >> 1) & 3;
  if (qos === 3 || (qos === 0 && (h & 0x08) !== 0)) return false;
  const rl = varintAt(buf, start + 1, end);
  if (rl < 0) return false;
  const body = varintEnd;
  if (body - start > 2 && buf[body - 1] === 0) return false; // non-minimal length
  if (body + rl !== end || rl < 2) return false;
  const n = (buf[body]! << 8) | buf[body + 1]!;
  const topicStart = body + 2;
  const topicEnd = topicStart + n;
  if (n === 0 || topicEnd > end) return false;
  for (let k = topicStart; k < topicEnd; k++) {
    const c = buf[k]!;
    // Printable ASCII, but not '"' or '\' (JSON escapes), '#' or '+' (wildcards: a note).
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x23 || c === 0x2b) return false;
  }
  let packetId = -1;
  let payloadStart = topicEnd;
  if (qos !== 0) {
    if (topicEnd + 2 > end) return false;
    packetId = (buf[topicEnd]! << 8) | buf[topicEnd + 1]!;
    if (packetId === 0) return false;
    payloadStart = topicEnd + 2;
  }
  out.buf = buf;
  out.start = start;
  out.end = end;
  out.headerFlags = h;
  out.remainingLength = rl;
  out.topicStart = topicStart;
  out.topicEnd = topicEnd;
  out.packetId = packetId;
  out.payloadStart = payloadStart;
  return true;
}

/**
 * Could this MQTT 5.0 PUBLISH (`buf[start .. end)`) carry a Topic Alias? False only when its
 * properties can be walked to their end and hold none: then its topic needs no alias map
 * (TopicAliasMap), so whoever only follows aliases need not decode it. True for anything odd
 * (cut short, an unknown property): the decoder then decides.
 */
export function publishMayHaveTopicAlias(buf: Uint8Array, start: number, end: number): boolean {
  const rl = varintAt(buf, start + 1, end);
  if (rl < 0) return true;
  let i = varintEnd;
  if (i + rl !== end || i + 2 > end) return true;
  i += 2 + ((buf[i]! << 8) | buf[i + 1]!); // the topic
  if (((buf[start]! >> 1) & 3) !== 0) i += 2; // the Packet Identifier
  const plen = varintAt(buf, i, end);
  if (plen < 0) return true;
  i = varintEnd;
  const pend = i + plen;
  if (pend > end) return true;
  while (i < pend) {
    const id = buf[i++]!;
    const def = PROPERTY_DEFS[id];
    if (def === undefined || id === TOPIC_ALIAS) return true;
    switch (def.type) {
      case 'byte': i += 1; break;
      case 'u16': i += 2; break;
      case 'u32': i += 4; break;
      case 'varint':
        if (varintAt(buf, i, pend) < 0) return true;
        i = varintEnd;
        break;
      case 'utf8': case 'binary':
        if (i + 2 > pend) return true;
        i += 2 + ((buf[i]! << 8) | buf[i + 1]!);
        break;
      case 'pair':
        for (let s = 0; s < 2; s++) {
          if (i + 2 > pend) return true;
          i += 2 + ((buf[i]! << 8) | buf[i + 1]!);
        }
        break;
    }
  }
  return i !== pend;
}

const TOPIC_ALIAS = 0x23;

/** Where the Variable Byte Integer varintAt read last ends. */
let varintEnd = 0;

/** The Variable Byte Integer (§1.5.5, at most 4 bytes) at buf[i], within `end`, or -1; sets
 *  varintEnd. (The readers here run per packet: no result object.) */
function varintAt(buf: Uint8Array, i: number, end: number): number {
  let value = 0;
  for (let k = 0, mult = 1; k < 4 && i < end; k++, mult *= 128) {
    const b = buf[i++]!;
    value += (b & 0x7f) * mult;
    if ((b & 0x80) === 0) {
      varintEnd = i;
      return value;
    }
  }
  return -1;
}
