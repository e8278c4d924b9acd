// `--format jsonl` at the speed of the dissection: packet-list rows serialised straight into a
// reused byte buffer, with no intermediate objects or strings per field. It writes exactly what
// `rowJsonLine` (packet-json.ts) writes, which stays the readable reference; a test holds the two
// equal on every fixture and corpus capture.
//
// Shape of the hot path: every writer below is a plain function `(buf, view, pos, value) → new
// pos`, so V8 inlines them and keeps `pos` in a register; the constant text between values
// (`,"qos":`) is made once, at load time, and copied eight bytes a store through a DataView.
// Capacity is checked once per row head and once per PDU against an estimate; when the estimate
// falls short (long strings, escapes, long property lists) the byte stores past the end are
// dropped (a typed array ignores them; the wide DataView stores are only made where they fit),
// `pos` still counts every byte that was due, and the PDU is written again after reserving
// exactly that much. So no estimate has to be a true bound for the output to be right.

import type { MqttMessage } from '../pipeline/events.js';
import { DissectedRow, type PacketRow } from '../pipeline/rows.js';
import { MAX_INFO_BYTES, plainInfoText, writeInfo, type InfoOut } from '../mqtt/info.js';
import type { PlainPublish } from '../mqtt/plain.js';
import type { DecodeNote, MqttPacket, Property } from '../mqtt/types.js';
import type { ByteOutput } from '../cli/output.js';
import { writeHex } from './hex.js';

const QUOTE = 0x22;
const COMMA = 0x2c;

/**
 * Constant ASCII text, made once, as bytes and as 8-byte chunks (padded with spaces) that
 * `DataView.setFloat64` stores in one go: copying the keys byte by byte was the largest single
 * cost of a line. With every byte below 0x7f, each chunk's exponent is below 0x7f0: no chunk is a
 * NaN (whose bits an engine may canonicalise), so every store writes exactly the bytes given.
 */
class Ascii {
  /** Bytes of text; `count` chunks hold them (the last padded). */
  length = 0;
  count = 0;
  readonly bytes: Buffer;
  readonly view: DataView;
  readonly chunks: Float64Array;

  /** Room for `capacity` bytes, empty, in `memory` at `offset` (a multiple of 8) if given (see
   *  EndpointsEntry); ascii() for a constant. */
  constructor(capacity: number, memory?: ArrayBuffer, offset = 0) {
    const size = Math.ceil(capacity / 8) * 8;
    const padded = memory ? Buffer.from(memory, offset, size) : Buffer.alloc(size);
    padded.fill(0x20);
    this.bytes = padded;
    this.view = new DataView(padded.buffer, padded.byteOffset, padded.length);
    this.chunks = new Float64Array(padded.buffer, padded.byteOffset, padded.length / 8);
  }

  /** Says that the first `n` bytes are the text. */
  setLength(n: number): void {
    this.length = n;
    this.count = Math.ceil(n / 8);
  }
}

function ascii(s: string): Ascii {
  const a = new Ascii(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7e) throw new Error(`constant JSON text must be ASCII below DEL: ${JSON.stringify(s)}`);
    a.bytes[i] = c;
  }
  a.setLength(s.length);
  return a;
}

// --- the constant parts of a line --------------------------------------------------------------

const ROW_NO = ascii('{"no":');
const ROW_TIME = ascii(',"time":');
const ROW_SRC = ascii(',"src":');
const ROW_DST = ascii(',"dst":');
const ROW_SRCPORT = ascii(',"srcport":');
const ROW_DSTPORT = ascii(',"dstport":');
const ROW_LENGTH = ascii(',"protocol":"MQTT","length":');
const ROW_INFO = ascii(',"info":');
const ROW_PDUS = ascii(',"pdus":[');
const ROW_END = ascii(']}');
const LINE_END = ascii(']}\n');

const MSG_FIRST = ascii('{"stream":');
const MSG_NEXT = ascii(',{"stream":');
const DIR_C2S = ascii(',"dir":"c2s","version":');
const DIR_S2C = ascii(',"dir":"s2c","version":');
/** `,"dir":…,"version":N` for the versions a connection can have (3, 4, 5), c2s then s2c. */
const DIR_VERSION = [3, 4, 5].flatMap((v) => [ascii(`,"dir":"c2s","version":${v}`), ascii(`,"dir":"s2c","version":${v}`)]);

/** `,"type":"T","header_flags":` per packet type. */
const typeKey = (t: string): Ascii => ascii(`,"type":"${t}","header_flags":`);
const T_CONNECT = typeKey('CONNECT');
const T_CONNACK = typeKey('CONNACK');
const T_PUBLISH = typeKey('PUBLISH');
const T_PUBACK = typeKey('PUBACK');
const T_PUBREC = typeKey('PUBREC');
const T_PUBREL = typeKey('PUBREL');
const T_PUBCOMP = typeKey('PUBCOMP');
const T_SUBSCRIBE = typeKey('SUBSCRIBE');
const T_SUBACK = typeKey('SUBACK');
const T_UNSUBSCRIBE = typeKey('UNSUBSCRIBE');
const T_UNSUBACK = typeKey('UNSUBACK');
const T_PINGREQ = typeKey('PINGREQ');
const T_PINGRESP = typeKey('PINGRESP');
const T_DISCONNECT = typeKey('DISCONNECT');
const T_AUTH = typeKey('AUTH');
const T_RESERVED = typeKey('RESERVED');
const K_REMAINING_LENGTH = ascii(',"remaining_length":');

/** `,"dup":D,"qos":Q,"retain":R,"topic":` for every dup/retain and QoS 0-3, indexed by
 *  dup << 3 | qos << 1 | retain: the run of constants before a PUBLISH's topic in one copy. */
const PUBLISH_FLAGS = Array.from({ length: 16 }, (_, i) =>
  ascii(`,"dup":${(i & 8) !== 0},"qos":${(i >> 1) & 3},"retain":${(i & 1) !== 0},"topic":`),
);
const K_DUP = ascii(',"dup":');
const K_QOS = ascii(',"qos":');
const K_RETAIN = ascii(',"retain":');
const K_TOPIC = ascii(',"topic":');
const K_PACKET_ID = ascii(',"packet_id":');
const K_PROPERTIES = ascii(',"properties":');
const K_PAYLOAD_LENGTH = ascii(',"payload_length":');
const K_PAYLOAD = ascii(',"payload":');
const K_REASON_CODE = ascii(',"reason_code":');

const K_PROTOCOL_NAME = ascii(',"protocol_name":');
const K_PROTOCOL_LEVEL = ascii(',"protocol_level":');
const K_CONNECT_FLAGS = ascii(',"connect_flags":');
const K_CLEAN_SESSION = ascii(',"clean_session":');
const K_WILL_FLAG = ascii(',"will_flag":');
const K_WILL_QOS = ascii(',"will_qos":');
const K_WILL_RETAIN = ascii(',"will_retain":');
const K_USERNAME_FLAG = ascii(',"username_flag":');
const K_PASSWORD_FLAG = ascii(',"password_flag":');
const K_KEEP_ALIVE = ascii(',"keep_alive":');
const K_CLIENT_ID = ascii(',"client_id":');
const K_WILL_PROPERTIES = ascii(',"will_properties":');
const K_WILL_TOPIC = ascii(',"will_topic":');
const K_WILL_PAYLOAD = ascii(',"will_payload":');
const K_USERNAME = ascii(',"username":');
const K_PASSWORD = ascii(',"password":');
const K_SESSION_PRESENT = ascii(',"session_present":');
const K_RETURN_CODE = ascii(',"return_code":');
const K_SUBSCRIPTIONS = ascii(',"subscriptions":[');
const SUB_FIRST = ascii('{"filter":');
const SUB_NEXT = ascii(',{"filter":');
const SUB_OPTIONS = ascii(',"options":');
const K_RETURN_CODES = ascii(',"return_codes":[');
const K_REASON_CODES = ascii(',"reason_codes":[');
const K_FILTERS = ascii(',"filters":[');
const PROP_FIRST = ascii('{"id":');
const PROP_NEXT = ascii(',{"id":');
const PROP_NAME = ascii(',"name":');
const PROP_VALUE = ascii(',"value":');
const K_NOTES = ascii(',"notes":[');
const NOTE_FIRST = ascii('{"code":');
const NOTE_NEXT = ascii(',{"code":');
const NOTE_MESSAGE = ascii(',"message":');
const K_OFFSET = ascii(',"offset":');
const K_HEADER_FLAGS = ascii(',"header_flags":');
const K_MALFORMED = ascii(',"malformed":{"reason":');
const TRUE = ascii('true');
const FALSE = ascii('false');

/** Room checked before a row head / a PDU, beyond its strings and payload: the longest constant
 *  run (a CONNECT without properties) with its numbers is under 500 bytes. */
const HEAD_ROOM = 256;
const PDU_ROOM = 768;

export class JsonlWriter {
  constructor(private readonly out: ByteOutput) {}

  row(r: PacketRow): void {
    this.write(r, ROW_END);
  }

  /** One row as a line of JSON Lines. */
  line(r: PacketRow): void {
    this.write(r, LINE_END);
  }

  private write(r: PacketRow, end: Ascii): void {
    const o = this.out;
    // The dissection's rows have Time and Info formatted from their parts, with no strings made.
    const d = r instanceof DissectedRow ? r : null;
    o.reserve(HEAD_ROOM + r.src.length + r.dst.length + (d ? infoEstimate(d) : r.time.length + r.info.length));
    let pos = rowHead(o.buf, o.view, o.pos, r, d);
    if (pos > o.buf.length) {
      o.reserve(pos - o.pos);
      pos = rowHead(o.buf, o.view, o.pos, r, d);
    }
    o.pos = pos;
    const ms = r.messages;
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i]!;
      o.reserve(pduEstimate(m));
      pos = message(o.buf, o.view, o.pos, m, i > 0);
      if (pos > o.buf.length) {
        o.reserve(pos - o.pos);
        pos = message(o.buf, o.view, o.pos, m, i > 0);
      }
      o.pos = pos;
    }
    o.reserve(end.length);
    o.pos = put(o.buf, o.view, o.pos, end);
  }
}

function pduEstimate(m: MqttMessage): number {
  const pl = m.plain;
  if (pl != null) return PDU_ROOM + (pl.topicEnd - pl.topicStart) + 2 * (pl.end - pl.payloadStart);
  const p = m.result.packet;
  if (p !== null && p.type === 'PUBLISH') return PDU_ROOM + p.topic.length + 2 * p.payload.length;
  return PDU_ROOM;
}

/** `d`: the row when it is a DissectedRow, whose Time and Info are written from their parts. */
function rowHead(buf: Buffer, view: DataView, pos: number, r: PacketRow, d: DissectedRow | null): number {
  pos = put(buf, view, pos, ROW_NO);
  pos = int(buf, pos, r.no);
  pos = put(buf, view, pos, ROW_TIME);
  pos = d ? relativeTime(buf, pos, d) : raw(buf, pos, r.time);
  const ends = d !== null ? endpointsText(d) : null;
  pos = ends !== null ? put(buf, view, pos, ends) : endpoints(buf, view, pos, r);
  pos = int(buf, pos, r.length);
  pos = put(buf, view, pos, ROW_INFO);
  pos = d ? info(buf, view, pos, d) : str(buf, pos, r.info);
  return put(buf, view, pos, ROW_PDUS);
}

/** A row's text from `,"src":` to `"length":`, for one pair of endpoints. */
class EndpointsEntry {
  src = '';
  dst = '';
  srcPort = -1;
  dstPort = -1;
  /** false: the endpoints need escapes or are too long for `text`. */
  plain = false;
  /** The text, rewritten in place when the slot changes hands (nothing is allocated). */
  readonly text: Ascii;

  constructor(memory: ArrayBuffer, offset: number) {
    this.text = new Ascii(ENDPOINTS_ROOM, memory, offset);
  }
}

/** Room for the longest plain endpoints text: two 39-character IPv6 addresses need ~150. */
const ENDPOINTS_ROOM = 192;
const ADDRESS_MAX = 48;

/** Endpoint texts by connection and direction (of the row's first packet), checked against the
 *  row: every row of a connection in one direction repeats the same text, so it is made once,
 *  not written field by field. Connections are numbered in order, so the few open at a time
 *  rarely share a slot. */
const ENDPOINT_SLOTS = 1024;
const ENDPOINTS = (() => {
  const memory = new ArrayBuffer(ENDPOINT_SLOTS * ENDPOINTS_ROOM);
  return Array.from({ length: ENDPOINT_SLOTS }, (_, i) => new EndpointsEntry(memory, i * ENDPOINTS_ROOM));
})();

/** The row's endpoints as one constant, or null when they need escapes (then the row writes
 *  them field by field). */
function endpointsText(r: DissectedRow): Ascii | null {
  const m = r.messages[0]!;
  const e = ENDPOINTS[((m.conn.id << 1) | (m.dir === 'c2s' ? 0 : 1)) & (ENDPOINT_SLOTS - 1)]!;
  if (e.srcPort !== r.srcPort || e.dstPort !== r.dstPort || e.src !== r.src || e.dst !== r.dst) fillEndpoints(e, r);
  return e.plain ? e.text : null;
}

function fillEndpoints(e: EndpointsEntry, r: DissectedRow): void {
  e.src = r.src;
  e.dst = r.dst;
  e.srcPort = r.srcPort;
  e.dstPort = r.dstPort;
  e.plain = plainText(r.src) && plainText(r.dst) && isSmallInt(r.srcPort) && isSmallInt(r.dstPort);
  if (!e.plain) return;
  const t = e.text;
  t.setLength(endpoints(t.bytes, t.view, 0, r));
}

/** `,"src":…,"dstport":N,"protocol":"MQTT","length":` field by field. */
function endpoints(buf: Buffer, view: DataView, pos: number, r: PacketRow): number {
  pos = put(buf, view, pos, ROW_SRC);
  pos = str(buf, pos, r.src);
  pos = put(buf, view, pos, ROW_DST);
  pos = str(buf, pos, r.dst);
  pos = put(buf, view, pos, ROW_SRCPORT);
  pos = int(buf, pos, r.srcPort);
  pos = put(buf, view, pos, ROW_DSTPORT);
  pos = int(buf, pos, r.dstPort);
  return put(buf, view, pos, ROW_LENGTH);
}

/** Printable ASCII with nothing to escape, and short. */
function plainText(s: string): boolean {
  if (s.length > ADDRESS_MAX) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) return false;
  }
  return true;
}

const isSmallInt = (v: number): boolean => v >= 0 && v <= 0xffff && (v | 0) === v;

/** Room for a row's Info beyond HEAD_ROOM: type names, ids and topics (a short guess is fine,
 *  see the top). */
function infoEstimate(r: DissectedRow): number {
  const ms = r.messages;
  let n = r.tcpPrefix.length;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    const pl = m.plain;
    if (pl != null) {
      n += 48 + (pl.topicEnd - pl.topicStart);
      continue;
    }
    const p = m.result.packet;
    n += p !== null && p.type === 'PUBLISH' ? 48 + p.topic.length : 48;
  }
  return n;
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/**
 * The row's Time as formatRelativeTime (capture/time.ts) prints it, as digits: whole seconds,
 * then tsDigits fraction digits, truncated. A frame earlier than the first (rare, and with a
 * sign rule of its own) takes the row's text.
 */
function relativeTime(buf: Buffer, pos: number, r: DissectedRow): number {
  let sec = r.tsSec - r.first.tsSec;
  let ns = r.tsNsec - r.first.tsNsec;
  if (sec > 0 && ns < 0) {
    sec -= 1;
    ns += 1_000_000_000;
  }
  if (sec < 0 || ns < 0 || ns >= 1_000_000_000) return raw(buf, pos, r.time); // (a hostile tsNsec too)
  pos = int(buf, pos, sec);
  const d = r.tsDigits < 0 ? 0 : r.tsDigits > 9 ? 9 : r.tsDigits;
  if (d === 0) return pos;
  buf[pos] = 0x2e; // .
  let frac = Math.floor(ns / POW10[9 - d]!) | 0; // < 10^9: an int32
  for (let p = pos + d; p > pos; p--) {
    buf[p] = 48 + (frac % 10);
    frac = (frac / 10) | 0;
  }
  return pos + d + 1;
}

/**
 * Info bytes, as a JSON string, through the one wording of the Info text (info.ts writeInfo).
 * Nearly every Info is printable ASCII and short; one that is not (an escape, a non-ASCII
 * topic, long enough that limitInfo might cut it) is written again from the row's text.
 */
class JsonInfo implements InfoOut {
  buf: Buffer = Buffer.alloc(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  pos = 0;
  /** Everything so far was printable ASCII with nothing to escape. */
  plain = true;

  lit(s: string): void {
    const buf = this.buf;
    const pos = this.pos;
    for (let i = 0; i < s.length; i++) buf[pos + i] = s.charCodeAt(i);
    this.pos = pos + s.length;
  }

  num(n: number): void {
    this.pos = int(this.buf, this.pos, n);
  }

  user(s: string): void {
    const buf = this.buf;
    const pos = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) {
        this.plain = false;
        return;
      }
      buf[pos + i] = c;
    }
    this.pos = pos + s.length;
  }
}

const JSON_INFO = new JsonInfo();

/** The Info of a plain PUBLISH, as writePlainPublishInfo words it, from constants made by it. */
const PLAIN_INFO = ascii(plainInfoText(-1, '').slice(0, -1)); // 'Publish Message ['
const PLAIN_INFO_ID = ascii(plainInfoText(7, '').split('7')[0]!); // 'Publish Message (id='
const PLAIN_INFO_ID_END = ascii(plainInfoText(7, '').split('7')[1]!.slice(0, -1)); // ') ['

function plainInfo(out: JsonInfo, pl: PlainPublish): void {
  const buf = out.buf;
  const view = out.view;
  let pos = out.pos;
  if (pl.packetId < 0) pos = put(buf, view, pos, PLAIN_INFO);
  else {
    pos = put(buf, view, pos, PLAIN_INFO_ID);
    pos = int(buf, pos, pl.packetId);
    pos = put(buf, view, pos, PLAIN_INFO_ID_END);
  }
  const src = pl.buf;
  const at = pos - pl.topicStart;
  for (let i = pl.topicStart; i < pl.topicEnd; i++) buf[at + i] = src[i]!;
  pos = at + pl.topicEnd;
  buf[pos++] = 0x5d; // ]
  out.pos = pos;
}

function info(buf: Buffer, view: DataView, pos: number, r: DissectedRow): number {
  const out = JSON_INFO;
  out.buf = buf;
  out.view = view;
  out.pos = pos + 1;
  out.plain = true;
  buf[pos] = QUOTE;
  if (r.tcpPrefix !== '') {
    out.user(r.tcpPrefix);
    out.lit(', ');
  }
  const ms = r.messages;
  for (let i = 0; i < ms.length && out.plain; i++) {
    const m = ms[i]!;
    if (i > 0) out.lit(', ');
    const pl = m.plain;
    if (pl != null) plainInfo(out, pl);
    else writeInfo(m.result, m.aliasTopic, out);
  }
  const end = out.pos;
  out.buf = EMPTY_BUF; // do not keep the output buffer alive
  out.view = EMPTY_VIEW;
  // Plain ASCII is one byte a character: limitInfo cuts it only past MAX_INFO_BYTES.
  if (!out.plain || end - pos - 1 > MAX_INFO_BYTES) return str(buf, pos, r.info);
  buf[end] = QUOTE;
  return end + 1;
}

const EMPTY_BUF = Buffer.alloc(0);
const EMPTY_VIEW: DataView = new DataView(new ArrayBuffer(0));

function message(buf: Buffer, view: DataView, pos: number, m: MqttMessage, next: boolean): number {
  pos = put(buf, view, pos, next ? MSG_NEXT : MSG_FIRST);
  pos = int(buf, pos, m.conn.id);
  const v = m.version;
  if (v === 3 || v === 4 || v === 5) {
    pos = put(buf, view, pos, DIR_VERSION[(v - 3) * 2 + (m.dir === 'c2s' ? 0 : 1)]!);
  } else {
    pos = put(buf, view, pos, m.dir === 'c2s' ? DIR_C2S : DIR_S2C);
    pos = int(buf, pos, v);
  }
  const pl = m.plain;
  if (pl != null) {
    pos = plainPublish(buf, view, pos, pl);
    buf[pos++] = 0x7d; // } (a plain PUBLISH has no notes)
    return pos;
  }
  const r = m.result;
  if (r.packet) pos = packet(buf, view, pos, r.packet);
  else if (r.status === 'malformed') pos = intField(buf, view, pos, K_HEADER_FLAGS, r.headerFlags);
  if (r.status === 'malformed') {
    pos = put(buf, view, pos, K_MALFORMED);
    pos = str(buf, pos, r.reason);
    pos = intField(buf, view, pos, K_OFFSET, r.offset);
    buf[pos++] = 0x7d; // }
  }
  if (r.packet && r.packet.notes.length) pos = notes(buf, view, pos, r.packet.notes);
  buf[pos++] = 0x7d; // }
  return pos;
}

/** `,"type":"T","header_flags":F,"remaining_length":L` */
function fixedHeader(buf: Buffer, view: DataView, pos: number, typeKey: Ascii, p: MqttPacket): number {
  pos = put(buf, view, pos, typeKey);
  pos = int(buf, pos, p.headerFlags);
  pos = put(buf, view, pos, K_REMAINING_LENGTH);
  return int(buf, pos, p.remainingLength);
}

/** What packet() writes for the decode of this plain PUBLISH (mqtt/plain.ts), from its bytes. */
function plainPublish(buf: Buffer, view: DataView, pos: number, pl: PlainPublish): number {
  const src = pl.buf;
  pos = put(buf, view, pos, T_PUBLISH);
  pos = int(buf, pos, pl.headerFlags);
  pos = put(buf, view, pos, K_REMAINING_LENGTH);
  pos = int(buf, pos, pl.remainingLength);
  pos = put(buf, view, pos, PUBLISH_FLAGS[pl.headerFlags & 0x0f]!);
  // The topic: printable ASCII with nothing to escape.
  buf[pos++] = QUOTE;
  const at = pos - pl.topicStart;
  for (let i = pl.topicStart; i < pl.topicEnd; i++) buf[at + i] = src[i]!;
  pos = at + pl.topicEnd;
  buf[pos++] = QUOTE;
  if (pl.packetId >= 0) pos = intField(buf, view, pos, K_PACKET_ID, pl.packetId);
  pos = intField(buf, view, pos, K_PAYLOAD_LENGTH, pl.end - pl.payloadStart);
  pos = put(buf, view, pos, K_PAYLOAD);
  return hex(buf, view, pos, src.subarray(pl.payloadStart, pl.end));
}

function packet(buf: Buffer, view: DataView, pos: number, p: MqttPacket): number {
  switch (p.type) {
    case 'PUBLISH': {
      pos = fixedHeader(buf, view, pos, T_PUBLISH, p);
      const q = p.qos;
      if (q === 0 || q === 1 || q === 2 || q === 3) {
        pos = put(buf, view, pos, PUBLISH_FLAGS[(p.dup ? 8 : 0) | (q << 1) | (p.retain ? 1 : 0)]!);
      } else {
        pos = boolField(buf, view, pos, K_DUP, p.dup);
        pos = intField(buf, view, pos, K_QOS, q);
        pos = boolField(buf, view, pos, K_RETAIN, p.retain);
        pos = put(buf, view, pos, K_TOPIC);
      }
      pos = str(buf, pos, p.topic);
      if (p.packetId !== undefined) pos = intField(buf, view, pos, K_PACKET_ID, p.packetId);
      if (p.properties) pos = props(buf, view, pos, K_PROPERTIES, p.properties);
      pos = intField(buf, view, pos, K_PAYLOAD_LENGTH, p.payload.length);
      pos = put(buf, view, pos, K_PAYLOAD);
      return hex(buf, view, pos, p.payload);
    }
    case 'PUBACK':
    case 'PUBREC':
    case 'PUBREL':
    case 'PUBCOMP': {
      const t = p.type === 'PUBACK' ? T_PUBACK : p.type === 'PUBREC' ? T_PUBREC : p.type === 'PUBREL' ? T_PUBREL : T_PUBCOMP;
      pos = fixedHeader(buf, view, pos, t, p);
      pos = intField(buf, view, pos, K_PACKET_ID, p.packetId);
      if (p.reasonCode !== undefined) pos = intField(buf, view, pos, K_REASON_CODE, p.reasonCode);
      if (p.properties) pos = props(buf, view, pos, K_PROPERTIES, p.properties);
      return pos;
    }
    case 'CONNECT':
      pos = fixedHeader(buf, view, pos, T_CONNECT, p);
      pos = put(buf, view, pos, K_PROTOCOL_NAME);
      pos = str(buf, pos, p.protocolName);
      pos = intField(buf, view, pos, K_PROTOCOL_LEVEL, p.protocolLevel);
      pos = intField(buf, view, pos, K_CONNECT_FLAGS, p.connectFlags);
      pos = boolField(buf, view, pos, K_CLEAN_SESSION, p.cleanSession);
      pos = boolField(buf, view, pos, K_WILL_FLAG, p.willFlag);
      pos = intField(buf, view, pos, K_WILL_QOS, p.willQos);
      pos = boolField(buf, view, pos, K_WILL_RETAIN, p.willRetain);
      pos = boolField(buf, view, pos, K_USERNAME_FLAG, p.usernameFlag);
      pos = boolField(buf, view, pos, K_PASSWORD_FLAG, p.passwordFlag);
      pos = intField(buf, view, pos, K_KEEP_ALIVE, p.keepAlive);
      if (p.properties) pos = props(buf, view, pos, K_PROPERTIES, p.properties);
      pos = put(buf, view, pos, K_CLIENT_ID);
      pos = str(buf, pos, p.clientId);
      if (p.willProperties) pos = props(buf, view, pos, K_WILL_PROPERTIES, p.willProperties);
      if (p.willTopic !== undefined) {
        pos = put(buf, view, pos, K_WILL_TOPIC);
        pos = str(buf, pos, p.willTopic);
      }
      if (p.willPayload) {
        pos = put(buf, view, pos, K_WILL_PAYLOAD);
        pos = hex(buf, view, pos, p.willPayload);
      }
      if (p.username !== undefined) {
        pos = put(buf, view, pos, K_USERNAME);
        pos = str(buf, pos, p.username);
      }
      if (p.password) {
        pos = put(buf, view, pos, K_PASSWORD);
        pos = hex(buf, view, pos, p.password);
      }
      return pos;
    case 'CONNACK':
      pos = fixedHeader(buf, view, pos, T_CONNACK, p);
      pos = boolField(buf, view, pos, K_SESSION_PRESENT, p.sessionPresent);
      pos = intField(buf, view, pos, K_RETURN_CODE, p.returnCode);
      if (p.properties) pos = props(buf, view, pos, K_PROPERTIES, p.properties);
      return pos;
    case 'SUBSCRIBE':
      pos = fixedHeader(buf, view, pos, T_SUBSCRIBE, p);
      pos = intField(buf, view, pos, K_PACKET_ID, p.packetId);
      if (p.properties) pos = props(buf, view, pos, K_PROPERTIES, p.properties);
      pos = put(buf, view, pos, K_SUBSCRIPTIONS);
      for (let i = 0; i < p.subscriptions.length; i++) {
        const s = p.subscriptions[i]!;
        pos = put(buf, view, pos, i === 0 ? SUB_FIRST : SUB_NEXT);
        pos = str(buf, pos, s.filter);
        pos = intField(buf, view, pos, K_QOS, s.qos);
        pos = intField(buf, view, pos, SUB_OPTIONS, s.options);
        buf[pos++] = 0x7d; // }
      }
      buf[pos++] = 0x5d; // ]
      return pos;
    case 'SUBACK':
      pos = fixedHeader(buf, view, pos, T_SUBACK, p);
      pos = intField(buf, view, pos, K_PACKET_ID, p.packetId);
      if (p.properties) pos = props(buf, view, pos, K_PROPERTIES, p.properties);
      return intArray(buf, view, pos, K_RETURN_CODES, p.returnCodes);
    case 'UNSUBSCRIBE':
      pos = fixedHeader(buf, view, pos, T_UNSUBSCRIBE, p);
      pos = intField(buf, view, pos, K_PACKET_ID, p.packetId);
      if (p.properties) pos = props(buf, view, pos, K_PROPERTIES, p.properties);
      pos = put(buf, view, pos, K_FILTERS);
      for (let i = 0; i < p.filters.length; i++) {
        if (i > 0) buf[pos++] = COMMA;
        pos = str(buf, pos, p.filters[i]!);
      }
      buf[pos++] = 0x5d; // ]
      return pos;
    case 'UNSUBACK':
      pos = fixedHeader(buf, view, pos, T_UNSUBACK, p);
      pos = intField(buf, view, pos, K_PACKET_ID, p.packetId);
      if (p.properties) pos = props(buf, view, pos, K_PROPERTIES, p.properties);
      if (p.reasonCodes) pos = intArray(buf, view, pos, K_REASON_CODES, p.reasonCodes);
      return pos;
    case 'DISCONNECT':
    case 'AUTH':
      pos = fixedHeader(buf, view, pos, p.type === 'DISCONNECT' ? T_DISCONNECT : T_AUTH, p);
      if (p.reasonCode !== undefined) pos = intField(buf, view, pos, K_REASON_CODE, p.reasonCode);
      if (p.properties) pos = props(buf, view, pos, K_PROPERTIES, p.properties);
      return pos;
    case 'PINGREQ':
      return fixedHeader(buf, view, pos, T_PINGREQ, p);
    case 'PINGRESP':
      return fixedHeader(buf, view, pos, T_PINGRESP, p);
    case 'RESERVED':
      return fixedHeader(buf, view, pos, T_RESERVED, p);
  }
}

// --- lists --------------------------------------------------------------------------------------

function props(buf: Buffer, view: DataView, pos: number, key: Ascii, list: Property[]): number {
  pos = put(buf, view, pos, key);
  buf[pos++] = 0x5b; // [
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    pos = put(buf, view, pos, i === 0 ? PROP_FIRST : PROP_NEXT);
    pos = int(buf, pos, p.id);
    pos = put(buf, view, pos, PROP_NAME);
    pos = str(buf, pos, p.name);
    pos = put(buf, view, pos, PROP_VALUE);
    const v = p.value;
    if (typeof v === 'number') pos = int(buf, pos, v);
    else if (typeof v === 'string') pos = str(buf, pos, v);
    else if (v instanceof Uint8Array) pos = hex(buf, view, pos, v);
    else {
      buf[pos++] = 0x5b; // [
      pos = str(buf, pos, v[0]);
      buf[pos++] = COMMA;
      pos = str(buf, pos, v[1]);
      buf[pos++] = 0x5d; // ]
    }
    buf[pos++] = 0x7d; // }
  }
  buf[pos++] = 0x5d; // ]
  return pos;
}

function notes(buf: Buffer, view: DataView, pos: number, list: DecodeNote[]): number {
  pos = put(buf, view, pos, K_NOTES);
  for (let i = 0; i < list.length; i++) {
    const n = list[i]!;
    pos = put(buf, view, pos, i === 0 ? NOTE_FIRST : NOTE_NEXT);
    pos = str(buf, pos, n.code);
    pos = put(buf, view, pos, NOTE_MESSAGE);
    pos = str(buf, pos, n.message);
    pos = intField(buf, view, pos, K_OFFSET, n.offset);
    buf[pos++] = 0x7d; // }
  }
  buf[pos++] = 0x5d; // ]
  return pos;
}

/** `key` ends with the opening `[`. */
function intArray(buf: Buffer, view: DataView, pos: number, key: Ascii, values: number[]): number {
  pos = put(buf, view, pos, key);
  for (let i = 0; i < values.length; i++) {
    if (i > 0) buf[pos++] = COMMA;
    pos = int(buf, pos, values[i]!);
  }
  buf[pos++] = 0x5d; // ]
  return pos;
}

function intField(buf: Buffer, view: DataView, pos: number, key: Ascii, v: number): number {
  return int(buf, put(buf, view, pos, key), v);
}

function boolField(buf: Buffer, view: DataView, pos: number, key: Ascii, v: boolean): number {
  return put(buf, view, put(buf, view, pos, key), v ? TRUE : FALSE);
}

// --- primitives: write at pos, return the position after; nothing checks room (see the top) -----

/** Eight bytes a store while the buffer has room for the padded chunks; byte by byte (dropping
 *  what falls past the end, see the top) near the end. */
function put(buf: Buffer, view: DataView, pos: number, text: Ascii): number {
  const chunks = text.chunks;
  const n = text.count;
  if (pos + 8 * n <= view.byteLength) {
    for (let i = 0; i < n; i++) view.setFloat64(pos + 8 * i, chunks[i]!, true);
  } else {
    const bytes = text.bytes;
    for (let i = 0; i < text.length; i++) buf[pos + i] = bytes[i]!;
  }
  return pos + text.length;
}

/** ASCII text known to need no escaping (the time's digits, a number's JSON text). */
function raw(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
  return pos + n;
}

/** A number as JSON writes it; integers in 0..2^31 (all but hostile values) digit by digit. */
function int(buf: Buffer, pos: number, v: number): number {
  if (v >= 0 && v < 0x80000000 && (v | 0) === v) {
    if (v < 10) {
      buf[pos] = 48 + v;
      return pos + 1;
    }
    const end = pos + (v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : digitCount(v));
    let p = end;
    for (let x = v; x > 0; x = (x / 10) | 0) buf[--p] = 48 + (x % 10);
    return end;
  }
  return raw(buf, pos, JSON.stringify(v));
}

function digitCount(v: number): number {
  let digits = 0;
  for (let x = v; x > 0; x = (x / 10) | 0) digits++;
  return digits;
}

/** A JSON string: printable ASCII is copied as it is scanned; anything else (a quote, a
 *  backslash, a control or non-ASCII character) goes through JSON.stringify from the start. */
function str(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  buf[pos] = QUOTE;
  const start = pos + 1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) return escaped(buf, pos, s);
    buf[start + i] = c;
  }
  buf[start + n] = QUOTE;
  return start + n + 1;
}

/** The rare string that needs escaping or UTF-8. Beyond the buffer's end nothing is written but
 *  the length is still counted, so the caller's retry reserves enough. */
function escaped(buf: Buffer, pos: number, s: string): number {
  const json = JSON.stringify(s);
  const n = Buffer.byteLength(json, 'utf8');
  if (pos + n <= buf.length) buf.write(json, pos, 'utf8');
  return pos + n;
}

/** Payloads are most of the output (hex.ts). Near the buffer's end, byte by byte (dropping what
 *  falls past it, see the top). */
function hex(buf: Buffer, view: DataView, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  buf[pos++] = QUOTE;
  if (pos + 2 * n <= buf.length) {
    pos = writeHex(buf, view, pos, bytes);
  } else {
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      buf[pos++] = DIGITS[b >> 4]!;
      buf[pos++] = DIGITS[b & 15]!;
    }
  }
  buf[pos++] = QUOTE;
  return pos;
}

const DIGITS = Buffer.from('0123456789abcdef', 'latin1');
