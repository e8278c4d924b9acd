// Decode one MQTT control packet whose boundary is already known (framing.ts).
//
// The version is connection state handed in (from the CONNECT), never guessed here. Fields are
// read in the order the specs lay them out — which is also the order Wireshark reads them, so a
// "short-packet" failure here is exactly where Wireshark 4.0 throws and shows
// "[Malformed Packet]" (see info.ts). Spec violations that do not stop decoding become `notes`.

import type {
  AckPacket, AuthPacket, ConnackPacket, ConnectPacket, CutProperties, DecodeNote, DecodeResult, DisconnectPacket,
  EmptyPacket, MqttPacket, MqttVersion, Property, PublishPacket, ReservedPacket, SubackPacket,
  SubscribePacket, SubscriptionRequest, UnsubackPacket, UnsubscribePacket,
} from './types.js';
import { PacketType } from './types.js';
import { mayRepeat, propertyDef, WILL_BIT, type PropertyDef } from './properties.js';
import { isValidReasonCode } from './reason-codes.js';

/** Reason prefix for "a field runs past the end of the packet" (Wireshark: exception). */
export const SHORT_PACKET = 'short-packet';
/** True when Wireshark 4.0 would stop with an exception ("[Malformed Packet]") on this result. */
export function isShortPacket(result: DecodeResult): boolean {
  return result.status === 'malformed' && result.reason.startsWith(SHORT_PACKET);
}

export const PACKET_TYPE_NAMES = [
  'RESERVED', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
] as const;

// ---------------------------------------------------------------------------------------------
// Strings

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder('utf-8', { fatal: false });
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, s: number, e: number): string }).latin1Slice;

/** 0 = valid, 1 = invalid UTF-8 / surrogate (MQTT-1.5.3-1), 2 = contains U+0000 (MQTT-1.5.3-2). */
export function checkUtf8(buf: Uint8Array, start: number, end: number): 0 | 1 | 2 {
  let nul = false;
  let i = start;
  while (i < end) {
    const c = buf[i]!;
    if (c < 0x80) {
      if (c === 0) nul = true;
      i++;
      continue;
    }
    let n: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; cp = c & 0x07; }
    else return 1;
    if (i + n >= end) return 1;
    for (let k = 1; k <= n; k++) {
      const d = buf[i + k]!;
      if ((d & 0xc0) !== 0x80) return 1;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 1;
    i += n + 1;
  }
  return nul ? 2 : 0;
}

/** Decode UTF-8 for display: ASCII fast path; invalid sequences become U+FFFD (kept visible). */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) { ascii = false; break; }
  }
  if (ascii) return end - start === 0 ? '' : latin1Slice.call(buf, start, end);
  return utf8.decode(buf.subarray(start, end));
}

// ---------------------------------------------------------------------------------------------
// Topic cache. A client publishes to a few topics again and again: a direct-mapped table from a
// topic's bytes to its string returns the string already made instead of decoding (and
// allocating) it once more. Bounded (TOPIC_SLOTS entries of at most TOPIC_MAX bytes); an entry
// whose slot is wanted by another topic is simply replaced. Printable ASCII topics only (no
// validation or decoder to repeat). Strings are values: sharing one changes nothing downstream.

const TOPIC_SLOTS = 1024;
const TOPIC_MAX = 64;
const topicBytes = new Uint8Array(TOPIC_SLOTS * TOPIC_MAX);
/** Byte length of each slot's topic, -1 when empty. */
const topicLength = new Int32Array(TOPIC_SLOTS).fill(-1);
const topicText: string[] = new Array<string>(TOPIC_SLOTS).fill('');
/** Whether each slot's topic holds '#' or '+' (Reader.strWild), known once its bytes match. */
const topicWild = new Uint8Array(TOPIC_SLOTS);

/** The slot of `buf[p .. p+n)`: a hash of every byte, two at a time (no checks: a hit needs
 *  none, as a slot holds only printable ASCII that was scanned when it was stored). */
function topicSlot(buf: Uint8Array, p: number, n: number): number {
  let h = n;
  const e = p + n - 1;
  let i = p;
  for (; i < e; i += 2) h = Math.imul(h ^ (buf[i]! | (buf[i + 1]! << 8)), 0x01000193);
  if (i === e) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return (h ^ (h >>> 15)) & (TOPIC_SLOTS - 1);
}

/** Does `slot` hold the topic `buf[p .. p+n)`? */
function topicHit(buf: Uint8Array, p: number, n: number, slot: number): boolean {
  if (topicLength[slot] !== n) return false;
  const base = slot * TOPIC_MAX - p;
  const e = p + n;
  for (let i = p; i < e; i++) if (topicBytes[base + i] !== buf[i]) return false;
  return true;
}

/** Stores ASCII `buf[p .. p+n)` in `slot` (replacing what it held) and returns its string. */
function storeTopic(buf: Uint8Array, p: number, n: number, slot: number, wild: number): string {
  const s = n === 0 ? '' : latin1Slice.call(buf, p, p + n);
  const base = slot * TOPIC_MAX;
  for (let k = 0; k < n; k++) topicBytes[base + k] = buf[p + k]!;
  topicLength[slot] = n;
  topicText[slot] = s;
  topicWild[slot] = wild;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Reader state: fields not closures. decodePacket never calls out while decoding, so one Reader
// is reset and reused for every packet (no allocation per packet).

/** The notes of a packet without anomalies (nearly all of them): one shared, frozen empty array,
 *  so a clean packet allocates none. Nothing appends to a packet's notes after decoding. */
const NO_NOTES = Object.freeze([]) as unknown as DecodeNote[];

class Reader {
  pos = 0;
  end = 0;
  /** Set on the first fatal problem. */
  failReason = '';
  failOffset = 0;
  /** NO_NOTES until the first note. */
  notes: DecodeNote[] = NO_NOTES;
  /** The packet is buf[base .. end): positions are indexes into `buf` (no view per packet);
   *  offsets reported in notes and failures are relative to `base`, as the model says. */
  buf: Uint8Array = EMPTY;
  base = 0;
  /** Whether the last string read holds '#' or '+': 1 yes, 0 no, -1 not known (not ASCII). */
  strWild = -1;
  /** The length prefix of the last string or binary that ran off the packet (CutField). */
  cutLength = -1;
  /** The property block being read (readProperties), while it is read. */
  block: CutProperties | null = null;
  /** The block the packet broke in, if it broke in one. */
  cutBlock: CutProperties | null = null;

  reset(buf: Uint8Array, base: number): void {
    this.buf = buf;
    this.base = base;
    this.pos = 0;
    this.end = 0;
    this.failReason = '';
    this.failOffset = 0;
    this.notes = NO_NOTES;
    this.strWild = -1;
    this.cutLength = -1;
    this.block = null;
    this.cutBlock = null;
  }

  fail(reason: string, offset: number): false {
    if (this.failReason === '') {
      this.failReason = reason;
      this.failOffset = offset - this.base;
      this.cutBlock = this.block;
    }
    return false;
  }
  /** A string or binary of `n` bytes at pos runs off the packet. */
  cut(what: string, n: number): void {
    // (Also while a block that already broke the packet is read on for the tree: readCutBlock.)
    if (this.failReason === '' || (this.block !== null && this.cutBlock === this.block)) this.cutLength = n;
    this.short(what, this.pos);
  }
  short(what: string, offset: number): false {
    return this.fail(`${SHORT_PACKET}: ${what}`, offset);
  }
  note(code: string, message: string, offset: number): void {
    if (this.notes === NO_NOTES) this.notes = [];
    this.notes.push({ code, message, offset: offset - this.base });
  }
  /** Bytes left before the end of the packet. */
  get left(): number {
    return this.end - this.pos;
  }
  u8(what: string): number {
    if (this.pos >= this.end) { this.short(what, this.pos); return -1; }
    return this.buf[this.pos++]!;
  }
  u16(what: string): number {
    if (this.pos + 2 > this.end) { this.short(what, this.pos); return -1; }
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    if (this.pos + 4 > this.end) { this.short(what, this.pos); return -1; }
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }
  /** Variable Byte Integer (§1.5.5), at most 4 bytes; -1 on failure. */
  varint(what: string): number {
    let value = 0;
    let mult = 1;
    const start = this.pos;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) { this.short(what, this.pos); return -1; }
      const b = this.buf[this.pos++]!;
      value += (b & 0x7f) * mult;
      if ((b & 0x80) === 0) {
        if (i > 0 && b === 0) this.note('non-minimal-varint', `${what} not minimally encoded (MQTT-1.5.5-1)`, start);
        return value;
      }
      mult *= 128;
    }
    this.fail(`bad-varint: ${what} longer than 4 bytes (MQTT-1.5.5)`, start);
    return -1;
  }
  /** UTF-8 Encoded String (§1.5.4 / 3.1.1 §1.5.3): 2-byte length + bytes; null on failure. */
  str(what: string): string | null {
    const at = this.pos;
    const n = this.u16(`${what} Length`);
    if (n < 0) return null;
    if (this.pos + n > this.end) { this.cut(what, n); return null; }
    const s = this.strBody(what, at, n);
    return s;
  }
  /** The bytes of a string whose length was already read. */
  strBody(what: string, at: number, n: number): string {
    const p = this.pos;
    this.pos += n;
    const b = this.buf;
    let i = p;
    const e = p + n;
    // Fast path: printable ASCII needs neither validation nor a decoder. The same scan notes
    // the topic wildcards '#' and '+' (checkTopicName), sparing a search of the string.
    let wild = 0;
    for (; i < e; i++) {
      const c = b[i]!;
      if (c >= 0x80 || c === 0) break;
      if (c === 0x23 || c === 0x2b) wild = 1;
    }
    if (i === e) {
      this.strWild = wild;
      return n === 0 ? '' : latin1Slice.call(b, p, e);
    }
    this.strWild = -1;
    const check = checkUtf8(this.buf, p, p + n);
    if (check === 1) this.note('invalid-utf8', `${what} is not well-formed UTF-8 (MQTT-1.5.3-1)`, at);
    else if (check === 2) this.note('null-character', `${what} contains U+0000 (MQTT-1.5.3-2)`, at);
    return decodeUtf8(this.buf, p, p + n);
  }
  /** strBody for a PUBLISH Topic Name: a printable ASCII topic seen before comes from the topic
   *  cache, found with one pass over its bytes and compared in a second (no scan, no string). */
  topicBody(at: number, n: number): string {
    if (n > TOPIC_MAX) return this.strBody('Topic Name', at, n);
    const b = this.buf;
    const p = this.pos;
    const slot = topicSlot(b, p, n);
    if (topicHit(b, p, n, slot)) {
      this.pos = p + n;
      this.strWild = topicWild[slot]!;
      return topicText[slot]!;
    }
    // A new topic: strBody's fast-path scan, then into the cache if it passed.
    const e = p + n;
    let wild = 0;
    let i = p;
    for (; i < e; i++) {
      const c = b[i]!;
      if (c >= 0x80 || c === 0) break;
      if (c === 0x23 || c === 0x2b) wild = 1;
    }
    if (i !== e) return this.strBody('Topic Name', at, n);
    this.pos = e;
    this.strWild = wild;
    return storeTopic(b, p, n, slot, wild);
  }
  /** Binary Data (§1.5.6): 2-byte length + bytes (a view into the packet). */
  bin(what: string): Uint8Array | null {
    const n = this.u16(`${what} Length`);
    if (n < 0) return null;
    if (this.pos + n > this.end) { this.cut(what, n); return null; }
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  get failed(): boolean {
    return this.failReason !== '';
  }
}

// ---------------------------------------------------------------------------------------------
// Properties (MQTT 5.0 §2.2.2)

/**
 * Reads a property block at r.pos. The block's declared end must lie inside the packet (else
 * short-packet, as Wireshark). Values are read against the packet end; a value running past the
 * block's end, or an unknown identifier (its length is unknown), makes the packet malformed, but
 * decoding resumes at the block's declared end — the same place Wireshark resumes.
 */
function readProperties(r: Reader, packetType: number, bit: number, what: string): Property[] | undefined {
  const at = r.pos;
  const len = r.varint(`${what} Length`);
  if (len < 0) return undefined;
  const blockEnd = r.pos + len;
  // Kept while the block is read: if the packet breaks inside it, the result says how far the
  // block went (CutField), as a tree like tshark's shows it.
  const block: CutProperties = { what, length: len, complete: [], id: -1 };
  r.block = block;
  if (blockEnd > r.end) {
    // The block runs off the packet: malformed, and no properties for the model. Its properties
    // are still read as far as the packet goes, for that tree.
    r.short(what, at);
    readCutBlock(r, block);
    r.block = null;
    return undefined;
  }
  const props = block.complete;
  let seen = 0n;
  while (r.pos < blockEnd) {
    const idAt = r.pos;
    const id = r.buf[r.pos++]!;
    const def = propertyDef(id);
    if (!def) {
      props.push({ id, name: 'Unknown', value: r.buf.subarray(r.pos, blockEnd) });
      r.fail(`unknown-property: identifier 0x${hex2(id)} (its length is unknown)`, idAt);
      r.pos = blockEnd;
      break;
    }
    block.id = id;
    block.key = undefined;
    const value = readPropertyValue(r, def);
    if (value === null) {
      r.block = null;
      return props; // ran off the packet: r already failed (short-packet)
    }
    block.id = -1;
    props.push({ id, name: def.name, value });
    if ((def.allowedIn & bit) === 0) {
      r.note('property-not-allowed', `${def.name} is not allowed in ${bit === WILL_BIT ? 'Will Properties' : PACKET_TYPE_NAMES[packetType]}`, idAt);
    }
    const mask = 1n << BigInt(id);
    if ((seen & mask) !== 0n && !mayRepeat(id, packetType)) {
      r.note('duplicate-property', `${def.name} included more than once (Protocol Error)`, idAt);
    }
    seen |= mask;
    checkPropertyValue(r, id, value, idAt);
  }
  if (r.pos > blockEnd) r.fail(`property-overrun: a value runs past the end of the ${what}`, blockEnd);
  r.block = null;
  r.pos = blockEnd;
  return props;
}

/** One property value of its type; null when it runs off the packet (r has failed). */
function readPropertyValue(r: Reader, def: PropertyDef): Property['value'] | null {
  switch (def.type) {
    case 'byte': { const v = r.u8(def.name); return v < 0 ? null : v; }
    case 'u16': { const v = r.u16(def.name); return v < 0 ? null : v; }
    case 'u32': { const v = r.u32(def.name); return v < 0 ? null : v; }
    case 'varint': { const v = r.varint(def.name); return v < 0 ? null : v; }
    case 'utf8': return r.str(def.name);
    case 'binary': return r.bin(def.name);
    default: {
      const k = r.str('User Property Name');
      if (k === null) return null;
      if (r.block !== null) r.block.key = k; // for the tree, should the value break off
      const v = r.str('User Property Value');
      return v === null ? null : [k, v];
    }
  }
}

/** The properties of a block longer than the packet, as far as the packet goes (the packet has
 *  already failed: this only fills `block`). An unknown identifier ends it: its length is unknown. */
function readCutBlock(r: Reader, block: CutProperties): void {
  // Notes about these values (e.g. bad UTF-8) are not the packet's: its properties are not kept.
  const notes = r.notes;
  const count = notes.length;
  readCutProperties(r, block);
  if (r.notes !== notes) r.notes = notes; // (the first note replaced the frozen NO_NOTES)
  else if (notes.length !== count) notes.length = count;
}

function readCutProperties(r: Reader, block: CutProperties): void {
  while (r.pos < r.end) {
    const id = r.buf[r.pos++]!;
    block.id = id;
    block.key = undefined;
    const def = propertyDef(id);
    if (!def) return;
    const value = readPropertyValue(r, def);
    if (value === null) return;
    block.id = -1;
    block.complete.push({ id, name: def.name, value });
  }
}

function checkPropertyValue(r: Reader, id: number, value: Property['value'], at: number): void {
  if (typeof value !== 'number') return;
  switch (id) {
    case 0x01: case 0x17: case 0x19: case 0x25: case 0x28: case 0x29: case 0x2a:
      if (value > 1) r.note('invalid-property-value', `property 0x${hex2(id)} must be 0 or 1`, at);
      break;
    case 0x24:
      if (value > 1) r.note('invalid-property-value', 'Maximum QoS must be 0 or 1 (MQTT-3.2.2-9)', at);
      break;
    case 0x0b:
      if (value === 0) r.note('invalid-property-value', 'Subscription Identifier 0 (Protocol Error)', at);
      break;
    case 0x21: case 0x23: case 0x27:
      if (value === 0) r.note('invalid-property-value', `property 0x${hex2(id)} must not be 0`, at);
      break;
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------
// Packet bodies

function checkFlags(r: Reader, type: number, flags: number, version: MqttVersion): void {
  if (type === PacketType.PUBLISH) {
    const qos = (flags >> 1) & 3;
    if (qos === 3) r.note('invalid-qos', 'PUBLISH QoS 3 (MQTT-3.3.1-4)', r.base);
    else if (qos === 0 && (flags & 0x08) !== 0) r.note('dup-qos0', 'DUP set on a QoS 0 PUBLISH (MQTT-3.3.1-2)', r.base);
    return;
  }
  const required = type === PacketType.PUBREL || type === PacketType.SUBSCRIBE || type === PacketType.UNSUBSCRIBE ? 2 : 0;
  if (flags !== required) {
    // MQTT 3.1 set DUP/QoS on these like PUBLISH; from 3.1.1 the bits are fixed.
    const clause = version === 5 ? 'MQTT-2.1.3-1' : 'MQTT-2.2.2-1/2';
    r.note('reserved-flags', `fixed header flags 0x${flags.toString(16)} where the spec requires 0x${required.toString(16)} (${clause})`, r.base);
  }
}

function checkPacketId(r: Reader, id: number, at: number): void {
  if (id === 0) r.note('packet-id-zero', 'Packet Identifier 0 (MQTT-2.3.1-1)', at);
}

function checkReasonCode(r: Reader, type: number, code: number, at: number): void {
  if (!isValidReasonCode(type, code)) {
    r.note('invalid-reason-code', `reason code 0x${hex2(code)} is not valid in ${PACKET_TYPE_NAMES[type]}`, at);
  }
}

function trailing(r: Reader): void {
  if (r.pos < r.end) r.note('trailing-bytes', `${r.end - r.pos} byte(s) after the last field`, r.pos);
}

function decodeConnect(r: Reader, p: ConnectPacket): void {
  const nameAt = r.pos;
  const name = r.str('Protocol Name');
  if (name === null) return;
  p.protocolName = name;
  const lvl = r.u8('Protocol Level');
  if (lvl < 0) return;
  p.protocolLevel = lvl;
  if (name === 'MQIsdp' ? lvl !== 3 : name === 'MQTT' ? lvl !== 4 && lvl !== 5 : true) {
    r.note('protocol-mismatch', `protocol name "${name}" with level ${lvl} (MQTT-3.1.2-1/2)`, nameAt);
  }
  const flagsAt = r.pos;
  const f = r.u8('Connect Flags');
  if (f < 0) return;
  p.connectFlags = f;
  p.usernameFlag = (f & 0x80) !== 0;
  p.passwordFlag = (f & 0x40) !== 0;
  p.willRetain = (f & 0x20) !== 0;
  p.willQos = (f >> 3) & 3;
  p.willFlag = (f & 0x04) !== 0;
  p.cleanSession = (f & 0x02) !== 0;
  if (f & 0x01) r.note('connect-reserved-flag', 'Connect Flags reserved bit 0 set (MQTT-3.1.2-3)', flagsAt);
  if (p.willQos === 3) r.note('invalid-qos', 'Will QoS 3 (MQTT-3.1.2-14)', flagsAt);
  if (!p.willFlag && (p.willQos !== 0 || p.willRetain)) {
    r.note('will-flags-without-will', 'Will QoS/Retain set without the Will Flag (MQTT-3.1.2-13/15)', flagsAt);
  }
  if (lvl === 4 && p.passwordFlag && !p.usernameFlag) {
    r.note('password-without-username', 'Password Flag set without User Name Flag (MQTT-3.1.2-22)', flagsAt);
  }
  const ka = r.u16('Keep Alive');
  if (ka < 0) return;
  p.keepAlive = ka;
  // The packet's own level decides the layout (Wireshark does the same).
  const v5 = lvl === 5;
  if (v5) {
    const props = readProperties(r, PacketType.CONNECT, 1 << PacketType.CONNECT, 'Properties');
    if (props === undefined) return;
    p.properties = props;
  }
  const cid = r.str('Client Identifier');
  if (cid === null) return;
  p.clientId = cid;
  if (p.willFlag) {
    if (v5) {
      const wp = readProperties(r, PacketType.CONNECT, WILL_BIT, 'Will Properties');
      if (wp === undefined) return;
      p.willProperties = wp;
    }
    const wtAt = r.pos;
    const wt = r.str('Will Topic');
    if (wt === null) return;
    p.willTopic = wt;
    if (wt.length === 0) r.note('empty-topic', 'zero-length Will Topic (MQTT-4.7.3-1)', wtAt);
    else checkTopicName(r, wt, wtAt, 'Will Topic');
    const wm = r.bin(v5 ? 'Will Payload' : 'Will Message');
    if (wm === null) return;
    p.willPayload = wm;
  }
  // Wireshark reads User Name / Password only while bytes remain; missing ones are a spec error.
  if (p.usernameFlag) {
    if (r.left === 0) { r.fail('missing-field: User Name Flag set but no User Name (MQTT-3.1.2-19)', r.pos); return; }
    const u = r.str('User Name');
    if (u === null) return;
    p.username = u;
  }
  if (p.passwordFlag) {
    if (r.left === 0) { r.fail('missing-field: Password Flag set but no Password (MQTT-3.1.2-21)', r.pos); return; }
    const pw = r.bin('Password');
    if (pw === null) return;
    p.password = pw;
  }
  trailing(r);
}

/** `topic` must be the string the reader read last (its byte scan says whether to search it). */
function checkTopicName(r: Reader, topic: string, at: number, what: string): void {
  const wild = r.strWild;
  if (wild === 1 || (wild === -1 && (topic.indexOf('#') >= 0 || topic.indexOf('+') >= 0))) {
    r.note('wildcard-in-topic', `${what} contains a wildcard (MQTT-3.3.2-2)`, at);
  }
}

function decodeConnack(r: Reader, p: ConnackPacket, version: MqttVersion): void {
  const f = r.u8('Acknowledge Flags');
  if (f < 0) return;
  p.ackFlags = f;
  // 3.1 has no Session Present: the whole byte is reserved.
  p.sessionPresent = version !== 3 && (f & 1) !== 0;
  if ((version === 3 ? f : f & 0xfe) !== 0) r.note('reserved-flags', 'CONNACK reserved flag bits set (MQTT-3.2.2-1)', r.base + 2);
  const rcAt = r.pos;
  const rc = r.u8(version === 5 ? 'Reason Code' : 'Return Code');
  if (rc < 0) return;
  p.returnCode = rc;
  if (version === 5) {
    checkReasonCode(r, PacketType.CONNACK, rc, rcAt);
    const props = readProperties(r, PacketType.CONNACK, 1 << PacketType.CONNACK, 'Properties');
    if (props === undefined) return;
    p.properties = props;
  } else if (rc > 5) {
    r.note('invalid-return-code', `CONNACK return code ${rc} is reserved (3.1.1 §3.2.2.3)`, rcAt);
  }
  if (p.sessionPresent && rc !== 0) r.note('session-present-on-refusal', 'Session Present set with a non-zero return code (MQTT-3.2.2-4)', r.base + 2);
  trailing(r);
}

function decodePublish(r: Reader, p: PublishPacket, version: MqttVersion): void {
  const tAt = r.pos;
  const n = r.u16('Topic Length');
  if (n < 0) return;
  if (r.pos + n > r.end) { r.cut('Topic Name', n); return; }
  p.topic = r.topicBody(tAt, n);
  checkTopicName(r, p.topic, tAt, 'Topic Name');
  if (p.qos !== 0) {
    const idAt = r.pos;
    const id = r.u16('Packet Identifier');
    if (id < 0) return;
    p.packetId = id;
    checkPacketId(r, id, idAt);
  }
  if (version === 5) {
    const props = readProperties(r, PacketType.PUBLISH, 1 << PacketType.PUBLISH, 'Properties');
    if (props === undefined) return;
    p.properties = props;
    if (n === 0 && !props.some((x) => x.id === 0x23)) {
      r.note('empty-topic', 'zero-length Topic Name without a Topic Alias (MQTT-3.3.2-1)', tAt);
    }
  } else if (n === 0) {
    r.note('empty-topic', 'zero-length Topic Name (MQTT-4.7.3-1)', tAt);
  }
  p.payload = r.buf.subarray(r.pos, r.end);
  r.pos = r.end;
}

function decodeAck(r: Reader, p: AckPacket, type: number, version: MqttVersion): void {
  const idAt = r.pos;
  const id = r.u16('Packet Identifier');
  if (id < 0) return;
  p.packetId = id;
  checkPacketId(r, id, idAt);
  // v5 §3.4.2.1: Reason Code and Property Length may be omitted (Remaining Length 2 / 3).
  if (version === 5 && r.left > 0) {
    const rcAt = r.pos;
    p.reasonCode = r.u8('Reason Code');
    checkReasonCode(r, type, p.reasonCode, rcAt);
    if (r.left > 0) {
      const props = readProperties(r, type, 1 << type, 'Properties');
      if (props === undefined) return;
      p.properties = props;
    }
  }
  trailing(r);
}

/** Packet Identifier, then (v5) the property block: how SUBSCRIBE and UNSUBSCRIBE begin. False
 *  when the packet ends or breaks before its topic filters. */
function readIdAndProperties(r: Reader, p: SubscribePacket | UnsubscribePacket, type: number, version: MqttVersion): boolean {
  const idAt = r.pos;
  const id = r.u16('Packet Identifier');
  if (id < 0) return false;
  p.packetId = id;
  checkPacketId(r, id, idAt);
  if (version === 5) {
    const props = readProperties(r, type, 1 << type, 'Properties');
    if (props === undefined) return false;
    p.properties = props;
  }
  return true;
}

function decodeSubscribe(r: Reader, p: SubscribePacket, version: MqttVersion): void {
  if (!readIdAndProperties(r, p, PacketType.SUBSCRIBE, version)) return;
  if (r.left === 0) r.note('no-subscriptions', 'SUBSCRIBE without a Topic Filter (MQTT-3.8.3-3)', r.pos);
  while (r.left > 0) {
    const fAt = r.pos;
    const n = r.u16('Topic Filter Length');
    if (n < 0) return;
    if (r.pos + n > r.end) { r.cut('Topic Filter', n); return; }
    const filter = r.strBody('Topic Filter', fAt, n);
    if (n === 0) r.note('empty-topic', 'zero-length Topic Filter (MQTT-4.7.3-1)', fAt);
    // Pushed before the options byte is read: Wireshark lists the filter even when that byte is missing.
    const sub: SubscriptionRequest = { filter, qos: 0, options: 0 };
    p.subscriptions.push(sub);
    const oAt = r.pos;
    const o = r.u8('Subscription Options');
    if (o < 0) return;
    sub.options = o;
    sub.qos = o & 3;
    if (sub.qos === 3) r.note('invalid-qos', 'requested QoS 3 (MQTT-3.8.3-4)', oAt);
    if (version === 5) {
      sub.noLocal = (o & 0x04) !== 0;
      sub.retainAsPublished = (o & 0x08) !== 0;
      sub.retainHandling = (o >> 4) & 3;
      if (sub.retainHandling === 3) r.note('invalid-retain-handling', 'Retain Handling 3 (Protocol Error, §3.8.3.1)', oAt);
      if (o & 0xc0) r.note('reserved-flags', 'Subscription Options reserved bits set (MQTT-3.8.3-5)', oAt);
    } else if (o & 0xfc) {
      r.note('reserved-flags', 'Requested QoS byte upper bits set (MQTT-3-8.3-4)', oAt);
    }
  }
}

function decodeUnsubscribe(r: Reader, p: UnsubscribePacket, version: MqttVersion): void {
  if (!readIdAndProperties(r, p, PacketType.UNSUBSCRIBE, version)) return;
  if (r.left === 0) r.note('no-subscriptions', 'UNSUBSCRIBE without a Topic Filter (MQTT-3.10.3-2)', r.pos);
  while (r.left > 0) {
    const fAt = r.pos;
    const f = r.str('Topic Filter');
    if (f === null) return;
    if (f.length === 0) r.note('empty-topic', 'zero-length Topic Filter (MQTT-4.7.3-1)', fAt);
    p.filters.push(f);
  }
}

function decodeSuback(r: Reader, p: SubackPacket, version: MqttVersion): void {
  const id = r.u16('Packet Identifier');
  if (id < 0) return;
  p.packetId = id;
  if (version === 5) {
    const props = readProperties(r, PacketType.SUBACK, 1 << PacketType.SUBACK, 'Properties');
    if (props === undefined) return;
    p.properties = props;
  }
  if (r.left === 0) r.note('no-return-codes', 'SUBACK without a return code', r.pos);
  while (r.left > 0) {
    const at = r.pos;
    const c = r.buf[r.pos++]!;
    p.returnCodes.push(c);
    if (version === 5) checkReasonCode(r, PacketType.SUBACK, c, at);
    else if (c > 2 && c !== 0x80) r.note('invalid-return-code', `SUBACK return code 0x${hex2(c)} (MQTT-3.9.3-2)`, at);
  }
}

function decodeUnsuback(r: Reader, p: UnsubackPacket, version: MqttVersion): void {
  const id = r.u16('Packet Identifier');
  if (id < 0) return;
  p.packetId = id;
  if (version === 5) {
    const props = readProperties(r, PacketType.UNSUBACK, 1 << PacketType.UNSUBACK, 'Properties');
    if (props === undefined) return;
    p.properties = props;
    const codes: number[] = [];
    p.reasonCodes = codes;
    while (r.left > 0) {
      const at = r.pos;
      const c = r.buf[r.pos++]!;
      codes.push(c);
      checkReasonCode(r, PacketType.UNSUBACK, c, at);
    }
  }
  trailing(r);
}

/** DISCONNECT and AUTH share a layout in v5 (§3.14.2, §3.15.2); both are empty before v5. */
function decodeReasonOnly(r: Reader, p: DisconnectPacket | AuthPacket, type: number, version: MqttVersion): void {
  if (version === 5 && r.left > 0) {
    const at = r.pos;
    p.reasonCode = r.u8('Reason Code');
    checkReasonCode(r, type, p.reasonCode, at);
    if (r.left > 0) {
      const props = readProperties(r, type, 1 << type, 'Properties');
      if (props === undefined) return;
      p.properties = props;
    }
  }
  trailing(r);
}

// ---------------------------------------------------------------------------------------------

/** Fresh packet with every field present from the start: stable object shapes keep V8 fast. */
function newPacket(type: number, headerFlags: number, remainingLength: number, length: number, notes: DecodeNote[]): MqttPacket {
  const flags = headerFlags & 0x0f;
  switch (type) {
    case PacketType.CONNECT:
      return { type: 'CONNECT', headerFlags, remainingLength, length, notes, protocolName: '', protocolLevel: 0, connectFlags: 0,
        cleanSession: false, willFlag: false, willQos: 0, willRetain: false, usernameFlag: false, passwordFlag: false, keepAlive: 0,
        properties: undefined, clientId: '', willProperties: undefined, willTopic: undefined, willPayload: undefined,
        username: undefined, password: undefined };
    case PacketType.CONNACK:
      return { type: 'CONNACK', headerFlags, remainingLength, length, notes, ackFlags: 0, sessionPresent: false, returnCode: 0, properties: undefined };
    case PacketType.PUBLISH:
      return { type: 'PUBLISH', headerFlags, remainingLength, length, notes, dup: (flags & 8) !== 0, qos: (flags >> 1) & 3,
        retain: (flags & 1) !== 0, topic: '', packetId: undefined, properties: undefined, payload: EMPTY };
    case PacketType.PUBACK: case PacketType.PUBREC: case PacketType.PUBREL: case PacketType.PUBCOMP:
      return { type: PACKET_TYPE_NAMES[type] as AckPacket['type'], headerFlags, remainingLength, length, notes, packetId: 0,
        reasonCode: undefined, properties: undefined };
    case PacketType.SUBSCRIBE:
      return { type: 'SUBSCRIBE', headerFlags, remainingLength, length, notes, packetId: 0, properties: undefined, subscriptions: [] };
    case PacketType.SUBACK:
      return { type: 'SUBACK', headerFlags, remainingLength, length, notes, packetId: 0, properties: undefined, returnCodes: [] };
    case PacketType.UNSUBSCRIBE:
      return { type: 'UNSUBSCRIBE', headerFlags, remainingLength, length, notes, packetId: 0, properties: undefined, filters: [] };
    case PacketType.UNSUBACK:
      return { type: 'UNSUBACK', headerFlags, remainingLength, length, notes, packetId: 0, properties: undefined, reasonCodes: undefined };
    case PacketType.PINGREQ: case PacketType.PINGRESP:
      return { type: PACKET_TYPE_NAMES[type] as EmptyPacket['type'], headerFlags, remainingLength, length, notes };
    case PacketType.DISCONNECT:
      return { type: 'DISCONNECT', headerFlags, remainingLength, length, notes, reasonCode: undefined, properties: undefined };
    case PacketType.AUTH:
      return { type: 'AUTH', headerFlags, remainingLength, length, notes, reasonCode: undefined, properties: undefined };
    default:
      return { type: 'RESERVED', headerFlags, remainingLength, length, notes } satisfies ReservedPacket;
  }
}

const READER = new Reader();

/**
 * Decodes one complete control packet (`pdu` = fixed header + exactly Remaining Length bytes).
 * Never throws on input. A field running past the end is `malformed` with a `short-packet`
 * reason (never incomplete: the boundary is already known); `packet` keeps what was decoded.
 * For fields that failed to decode, partial packets hold the defaults (0, '', empty) — except
 * `packetId` on PUBLISH and v5 `properties`/`reasonCode`, which stay undefined until read.
 */
export function decodePacket(pdu: Uint8Array, version: MqttVersion): DecodeResult {
  return decodePacketAt(pdu, 0, pdu.length, version);
}

/** decodePacket for the packet at `buf[start .. end)`, without making a view of it first (the
 *  framer hands over offsets). Offsets in the result are relative to `start`. */
export function decodePacketAt(buf: Uint8Array, start: number, end: number, version: MqttVersion): DecodeResult {
  const size = end - start;
  const headerFlags = size > 0 ? buf[start]! : 0;
  let rl = 0;
  let mult = 1;
  let i = 1;
  for (;; i++) {
    if (i >= size) {
      return { status: 'malformed', reason: `${SHORT_PACKET}: fixed header`, offset: i, packet: null, headerFlags };
    }
    const b = buf[start + i]!;
    rl += (b & 0x7f) * mult;
    if ((b & 0x80) === 0) break;
    if (i === 4) {
      return { status: 'malformed', reason: 'bad-varint: Remaining Length longer than 4 bytes (MQTT-1.5.5)', offset: 4, packet: null, headerFlags };
    }
    mult *= 128;
  }
  const headerLength = i + 1;
  const r = READER;
  r.reset(buf, start);
  r.pos = start + headerLength;
  r.end = start + Math.min(size, headerLength + rl);
  const type = headerFlags >> 4;
  const p = newPacket(type, headerFlags, rl, headerLength + rl, NO_NOTES);
  if (size !== headerLength + rl) {
    // The caller should pass exactly one packet; say so rather than guess.
    r.fail(size < headerLength + rl ? `${SHORT_PACKET}: packet shorter than its Remaining Length` : 'extra-bytes: buffer longer than the packet', end);
  }
  if (i > 1 && buf[start + i] === 0) r.note('non-minimal-varint', 'Remaining Length not minimally encoded (MQTT-1.5.5-1)', start + 1);
  checkFlags(r, type, headerFlags & 0x0f, version);
  switch (p.type) {
    case 'CONNECT': decodeConnect(r, p); break;
    case 'CONNACK': decodeConnack(r, p, version); break;
    case 'PUBLISH': decodePublish(r, p, version); break;
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP': decodeAck(r, p, type, version); break;
    case 'SUBSCRIBE': decodeSubscribe(r, p, version); break;
    case 'SUBACK': decodeSuback(r, p, version); break;
    case 'UNSUBSCRIBE': decodeUnsubscribe(r, p, version); break;
    case 'UNSUBACK': decodeUnsuback(r, p, version); break;
    case 'PINGREQ': case 'PINGRESP': trailing(r); break;
    case 'DISCONNECT': decodeReasonOnly(r, p, type, version); break;
    case 'AUTH':
      if (version !== 5) r.note('reserved-type', 'packet type 15 is reserved before MQTT 5.0 (MQTT-2.2.1)', r.base);
      decodeReasonOnly(r, p, type, version);
      break;
    case 'RESERVED':
      r.note('reserved-type', 'packet type 0 is reserved (MQTT-2.2.1 / 5.0 §2.1.2)', r.base);
      break;
  }
  p.notes = r.notes;
  r.buf = EMPTY; // do not keep the caller's buffer alive
  if (r.failed) {
    const bad: DecodeResult & { status: 'malformed' } = { status: 'malformed', reason: r.failReason, offset: r.failOffset, packet: p, headerFlags };
    if (r.cutLength >= 0 || r.cutBlock !== null) bad.cut = r.cutBlock === null ? { length: r.cutLength } : { length: r.cutLength, properties: r.cutBlock };
    return bad;
  }
  return { status: 'ok', packet: p };
}

/** Protocol level of a CONNECT packet (`pdu` = whole packet), or null if not a readable CONNECT. */
export function connectLevel(pdu: Uint8Array): number | null {
  if (pdu.length < 2 || pdu[0]! >> 4 !== PacketType.CONNECT) return null;
  let i = 1;
  while (i < 5 && i < pdu.length && (pdu[i]! & 0x80) !== 0) i++;
  const p = i + 1;
  if (p + 2 > pdu.length) return null;
  const n = (pdu[p]! << 8) | pdu[p + 1]!;
  const lv = p + 2 + n;
  return lv < pdu.length ? pdu[lv]! : null;
}

/** The MQTT version a CONNECT asks for (levels 3, 4, 5), or null. */
export function connectVersion(pdu: Uint8Array): MqttVersion | null {
  const lv = connectLevel(pdu);
  return lv === 3 || lv === 4 || lv === 5 ? lv : null;
}

/**
 * Do these bytes start like an MQTT CONNECT? Type 1 with flags 0, a Remaining Length, protocol
 * name "MQTT" (levels 4, 5) or "MQIsdp" (level 3). Used to recognise MQTT on an unknown port.
 * Bridges set bit 7 of the level (0x83/0x84/0x85, a Mosquitto extension): accepted.
 */
export function looksLikeConnect(bytes: Uint8Array): boolean {
  if (bytes.length < 12 || bytes[0] !== 0x10) return false;
  let i = 1;
  while (i < 5 && (bytes[i]! & 0x80) !== 0) i++;
  if (i === 5) return false;
  const p = i + 1;
  if (p + 2 > bytes.length) return false;
  const n = (bytes[p]! << 8) | bytes[p + 1]!;
  const s = p + 2;
  if (s + n >= bytes.length) return false;
  const lv = bytes[s + n]! & 0x7f;
  if (n === 4) {
    return bytes[s] === 0x4d && bytes[s + 1] === 0x51 && bytes[s + 2] === 0x54 && bytes[s + 3] === 0x54 && (lv === 4 || lv === 5);
  }
  if (n === 6) {
    return bytes[s] === 0x4d && bytes[s + 1] === 0x51 && bytes[s + 2] === 0x49 && bytes[s + 3] === 0x73 &&
      bytes[s + 4] === 0x64 && bytes[s + 5] === 0x70 && lv === 3;
  }
  return false;
}

/** A TLS record carrying a ClientHello (RFC 8446 §5.1, §4): content type 22, version 3.x, handshake type 1. */
export function looksLikeTlsClientHello(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && bytes[0] === 0x16 && bytes[1] === 0x03 && bytes[2]! <= 0x04 && bytes[5] === 0x01;
}
