// The Info column text tshark 4.0.17 shows for one MQTT PDU.
//
// How Wireshark 4.0 (epan/dissectors/packet-mqtt.c) builds it, verified against tshark 4.0.17
// with test/mqtt/golden/cases.pcap:
// - The frame's Info is cleared by MQTT, then each PDU appends its text with ", " between PDUs
//   (the caller joins). The whole column is cut at 4095 bytes (COL_MAX_INFO_LEN 4096 with NUL).
// - Text = type name ("Connect Command" ... "Authentication Exchange"; type 0 is "Reserved"),
//   then " (id=N)" right after the Packet Identifier is read (PUBLISH QoS>0, PUBACK/REC/REL/COMP,
//   SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK), then for PUBLISH " [topic]" after the v5
//   properties, and for SUBSCRIBE " [filter]" after each filter (before its options byte). A
//   zero-length SUBSCRIBE filter repeats the previous filter ("" for the first).
// - Topics are shown raw (control characters included, the packet list does not escape them;
//   `-T fields` escapes \n \r \t \b \f), cut at the first U+0000 (a C string), invalid UTF-8
//   replaced by U+FFFD per bad byte (the same as WHATWG TextDecoder for the cases tested).
// - When a field runs past the end of the PDU Wireshark throws: the text so far gets
//   "[Malformed Packet]" appended with no space, and the next PDU of the frame still follows.
//   Spec violations Wireshark does not read past (unknown property id, property running past its
//   block, missing user name) leave the text unchanged.
// - v5 PUBLISH with a Topic Alias: an alias seen with a non-empty topic is remembered per
//   conversation (both directions share one map); an empty topic with a known alias shows that
//   topic, an unknown alias shows "[]". See TopicAliasMap below.
// - v5 PUBLISH with a Content Type: Wireshark hands the payload to the media-type dissector,
//   which may append its own text: " (text/plain)" for the line-based text types, ", JavaScript
//   Object Notation (application/json)" for the JSON types (matched case-insensitively, exact
//   string, parameters not stripped). Other media types (XML, images, CBOR, protobuf, ...) append
//   nothing or depend on the payload's own dissection; we append nothing for them.
// - Version: the conversation's version is the Protocol Level byte of the last CONNECT
//   dissected on it (any value, e.g. 0x84 from a Mosquitto bridge), shared by both directions.
//   Without a CONNECT the version is 0 ("Unknown version (missing the CONNECT packet?)"):
//   decode as 3.1.1 (no properties anywhere), but CONNACK and SUBACK codes are then shown with
//   the v5 reason code names in the tree (see detail.ts). The Info text does not depend on it
//   beyond the layout (properties or not).
// - PUBLISH QoS: the Packet Identifier is read whenever either QoS bit is set, so QoS 3 reads
//   one too; the tree shows "QoS Level: Reserved (3)". No expert info is raised for it.
// - Remaining Length is read by Wireshark as a protobuf varint of up to 10 bytes (not 4).

import type { DecodeResult, MqttPacket, MqttVersion, PublishPacket } from './types.js';
import { isShortPacket } from './decode.js';

/** Message type names from packet-mqtt.c's mqtt_msgtype_vals. */
export const WIRESHARK_TYPE_NAMES = [
  'Reserved', 'Connect Command', 'Connect Ack', 'Publish Message', 'Publish Ack', 'Publish Received',
  'Publish Release', 'Publish Complete', 'Subscribe Request', 'Subscribe Ack', 'Unsubscribe Request',
  'Unsubscribe Ack', 'Ping Request', 'Ping Response', 'Disconnect Req', 'Authentication Exchange',
] as const;

export const MALFORMED_SUFFIX = '[Malformed Packet]';

/** Wireshark 4.0's COL_MAX_INFO_LEN minus the terminating NUL: the longest Info, in bytes. */
export const MAX_INFO_BYTES = 4095;

const TEXT_LINES_TYPES = new Set([
  'text/plain', 'text/richtext', 'text/enriched', 'text/parameters', 'text/css', 'text/javascript',
  'text/html', 'application/x-javascript', 'application/x-www-form-urlencoded', 'message/http',
]);
const JSON_TYPES = new Set([
  'application/json', 'application/json-rpc', 'application/jsonrequest', 'application/problem+json',
  'application/vnd.oma.lwm2m+json', 'application/dds-web+json', 'application/senml+json',
]);

/** What the media-type dissector appends for a v5 PUBLISH Content Type ('' if nothing). */
export function contentTypeSuffix(contentType: string): string {
  const key = contentType.toLowerCase();
  if (TEXT_LINES_TYPES.has(key)) return ` (${contentType})`;
  if (JSON_TYPES.has(key)) return `, JavaScript Object Notation (${contentType})`;
  return '';
}

/** A string as a C string: cut at the first U+0000. */
function cstr(s: string): string {
  const z = s.indexOf('\u0000');
  return z < 0 ? s : s.slice(0, z);
}

/**
 * Topic aliases of one conversation, as Wireshark tracks them (one map for both directions).
 * Call `displayTopic` once per v5 PUBLISH in capture order.
 */
export class TopicAliasMap {
  private readonly map = new Map<number, string>();

  /** The topic Wireshark shows for this PUBLISH, updating the map first. */
  displayTopic(p: PublishPacket): string {
    if (!p.properties) return p.topic;
    let alias = 0;
    for (const prop of p.properties) if (prop.id === 0x23 && typeof prop.value === 'number') alias = prop.value;
    if (alias === 0) return p.topic;
    if (p.topic.length > 0) {
      this.map.set(alias, p.topic);
      return p.topic;
    }
    return this.map.get(alias) ?? '';
  }
}

function packetIdRead(result: DecodeResult, p: MqttPacket): boolean {
  if (result.status !== 'malformed' || !isShortPacket(result)) return true;
  // The Packet Identifier is the first field after the fixed header of every type that has it.
  return result.offset > p.length - p.remainingLength;
}

export interface InfoOptions {
  /** For v5 PUBLISH with a Topic Alias: the topic from TopicAliasMap.displayTopic. */
  topic?: string;
}

/**
 * Where the Info text of a PDU goes, piece by piece (writeInfo): into a string (infoText), or
 * straight into JSON bytes (the JSON Lines writer), so the wording lives in one place only.
 * `lit` is constant ASCII text with nothing to escape; `num` a non-negative integer; `user` text
 * taken from the packet (topic, filter, content type), which may hold anything.
 */
export interface InfoOut {
  lit(s: string): void;
  num(n: number): void;
  user(s: string): void;
}

/** Builds the text as one string. */
class StringInfo implements InfoOut {
  text = '';
  lit(s: string): void {
    this.text += s;
  }
  num(n: number): void {
    this.text += n;
  }
  user(s: string): void {
    this.text += s;
  }
}

const STRING_INFO = new StringInfo();

/**
 * Info text of one PDU exactly as tshark 4.0.17 shows it. `version` is the conversation's
 * version (4 when no CONNECT was seen); it matters only through how `result` was decoded.
 */
export function infoText(result: DecodeResult, _version: MqttVersion, opts?: InfoOptions): string {
  const out = STRING_INFO;
  out.text = '';
  writeInfo(result, opts?.topic, out);
  const s = out.text;
  out.text = '';
  return s;
}

/** The pieces of infoText, in order, to `out`; `topic` as InfoOptions.topic. */
export function writeInfo(result: DecodeResult, topic: string | undefined, out: InfoOut): void {
  const p = result.packet;
  const type = result.status === 'ok' ? result.packet.headerFlags >> 4 : result.headerFlags >> 4;
  out.lit(WIRESHARK_TYPE_NAMES[type]!);
  const malformed = isShortPacket(result) || (result.status === 'malformed' && result.reason.startsWith('bad-varint'));
  if (p) {
    switch (p.type) {
      case 'PUBLISH':
        if (p.packetId !== undefined) packetIdText(p.packetId, out);
        if (!malformed) {
          out.lit(' [');
          out.user(cstr(topic ?? p.topic));
          out.lit(']');
          if (p.properties) {
            let ct: string | undefined;
            for (const prop of p.properties) if (prop.id === 0x03 && typeof prop.value === 'string') ct = prop.value;
            if (ct !== undefined) out.user(contentTypeSuffix(cstr(ct)));
          }
        }
        break;
      case 'SUBSCRIBE': {
        if (!packetIdRead(result, p)) break;
        packetIdText(p.packetId, out);
        let prev = '';
        for (const sub of p.subscriptions) {
          if (sub.filter.length > 0) prev = cstr(sub.filter);
          out.lit(' [');
          out.user(prev);
          out.lit(']');
        }
        break;
      }
      case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP':
      case 'SUBACK': case 'UNSUBSCRIBE': case 'UNSUBACK':
        if (packetIdRead(result, p)) packetIdText(p.packetId, out);
        break;
      default:
        break;
    }
  }
  if (malformed) out.lit(MALFORMED_SUFFIX);
}

/** The Info of a plain PUBLISH (plain.ts) with this Packet Identifier (-1: none) and topic:
 *  what writeInfo gives its decode. (The JSON Lines writer makes its constants from this.) */
export function plainInfoText(packetId: number, topic: string): string {
  const out = STRING_INFO;
  out.text = WIRESHARK_TYPE_NAMES[3]!;
  if (packetId >= 0) packetIdText(packetId, out);
  out.lit(' [');
  out.user(topic);
  out.lit(']');
  const s = out.text;
  out.text = '';
  return s;
}

/** " (id=N)", right after the Packet Identifier is read. */
function packetIdText(id: number, out: InfoOut): void {
  out.lit(' (id=');
  out.num(id);
  out.lit(')');
}

/**
 * Join PDU texts into a frame's Info as Wireshark does: ", " between them, the whole cut to
 * MAX_INFO_BYTES bytes of UTF-8 (Wireshark cuts bytes; a character split in two is dropped).
 */
export function joinInfo(parts: readonly string[]): string {
  return limitInfo(parts.length === 1 ? parts[0]! : parts.join(', '));
}

/** An Info text already joined by ", ", cut to MAX_INFO_BYTES bytes of UTF-8 as joinInfo does. */
export function limitInfo(s: string): string {
  if (s.length <= MAX_INFO_BYTES / 3) return s;
  const b = Buffer.from(s, 'utf8');
  if (b.length <= MAX_INFO_BYTES) return s;
  let end = MAX_INFO_BYTES;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}
