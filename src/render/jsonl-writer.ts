// `--format jsonl` at the speed of the dissection: packet-list rows serialised straight into a
// reused byte buffer, with no intermediate objects or strings per field. It writes exactly what
// `rowJsonLine` (packet-json.ts) writes, which stays the readable reference; a test holds the two
// equal on every fixture and corpus capture.

import type { MqttMessage } from '../pipeline/events.js';
import type { PacketRow } from '../pipeline/rows.js';
import type { DecodeNote, MqttPacket, Property } from '../mqtt/types.js';
import type { ByteOutput } from '../cli/output.js';

const HEX_PAIRS = (() => {
  const t = new Uint8Array(512);
  const digits = '0123456789abcdef';
  for (let i = 0; i < 256; i++) {
    t[i * 2] = digits.charCodeAt(i >> 4);
    t[i * 2 + 1] = digits.charCodeAt(i & 15);
  }
  return t;
})();

/** The same pairs as one 16-bit store each (little-endian: the first digit in the low byte). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HEX_PAIRS16 = (() => {
  const t = new Uint16Array(256);
  const little = LITTLE_ENDIAN;
  for (let i = 0; i < 256; i++) {
    const hi = HEX_PAIRS[i * 2]!;
    const lo = HEX_PAIRS[i * 2 + 1]!;
    t[i] = little ? hi | (lo << 8) : (hi << 8) | lo;
  }
  return t;
})();

const QUOTE = 0x22;

export class JsonlWriter {
  constructor(private readonly out: ByteOutput) {}

  row(r: PacketRow): void {
    this.raw('{"no":');
    this.int(r.no);
    this.raw(',"time":');
    this.raw(r.time);
    this.raw(',"src":');
    this.str(r.src);
    this.raw(',"dst":');
    this.str(r.dst);
    this.raw(',"srcport":');
    this.int(r.srcPort);
    this.raw(',"dstport":');
    this.int(r.dstPort);
    this.raw(',"protocol":"MQTT","length":');
    this.int(r.length);
    this.raw(',"info":');
    this.str(r.info);
    this.raw(',"pdus":[');
    const ms = r.messages;
    for (let i = 0; i < ms.length; i++) {
      if (i > 0) this.raw(',');
      this.message(ms[i]!);
    }
    this.raw(']}');
  }

  /** One row as a line of JSON Lines. */
  line(r: PacketRow): void {
    this.row(r);
    this.raw('\n');
  }

  private message(m: MqttMessage): void {
    const r = m.result;
    this.raw('{"stream":');
    this.int(m.conn.id);
    this.raw(m.dir === 'c2s' ? ',"dir":"c2s","version":' : ',"dir":"s2c","version":');
    this.int(m.version);
    if (r.packet) this.packet(r.packet);
    else if (r.status === 'malformed') {
      this.raw(',"header_flags":');
      this.int(r.headerFlags);
    }
    if (r.status === 'malformed') {
      this.raw(',"malformed":{"reason":');
      this.str(r.reason);
      this.raw(',"offset":');
      this.int(r.offset);
      this.raw('}');
    }
    if (r.packet && r.packet.notes.length) this.notes(r.packet.notes);
    this.raw('}');
  }

  private packet(p: MqttPacket): void {
    this.raw(',"type":"');
    this.raw(p.type);
    this.raw('","header_flags":');
    this.int(p.headerFlags);
    this.raw(',"remaining_length":');
    this.int(p.remainingLength);
    switch (p.type) {
      case 'CONNECT':
        this.strField(',"protocol_name":', p.protocolName);
        this.intField(',"protocol_level":', p.protocolLevel);
        this.intField(',"connect_flags":', p.connectFlags);
        this.boolField(',"clean_session":', p.cleanSession);
        this.boolField(',"will_flag":', p.willFlag);
        this.intField(',"will_qos":', p.willQos);
        this.boolField(',"will_retain":', p.willRetain);
        this.boolField(',"username_flag":', p.usernameFlag);
        this.boolField(',"password_flag":', p.passwordFlag);
        this.intField(',"keep_alive":', p.keepAlive);
        this.props(',"properties":', p.properties);
        this.strField(',"client_id":', p.clientId);
        this.props(',"will_properties":', p.willProperties);
        if (p.willTopic !== undefined) this.strField(',"will_topic":', p.willTopic);
        if (p.willPayload) this.hexField(',"will_payload":', p.willPayload);
        if (p.username !== undefined) this.strField(',"username":', p.username);
        if (p.password) this.hexField(',"password":', p.password);
        return;
      case 'CONNACK':
        this.boolField(',"session_present":', p.sessionPresent);
        this.intField(',"return_code":', p.returnCode);
        this.props(',"properties":', p.properties);
        return;
      case 'PUBLISH':
        this.boolField(',"dup":', p.dup);
        this.intField(',"qos":', p.qos);
        this.boolField(',"retain":', p.retain);
        this.strField(',"topic":', p.topic);
        if (p.packetId !== undefined) this.intField(',"packet_id":', p.packetId);
        this.props(',"properties":', p.properties);
        this.intField(',"payload_length":', p.payload.length);
        this.hexField(',"payload":', p.payload);
        return;
      case 'PUBACK':
      case 'PUBREC':
      case 'PUBREL':
      case 'PUBCOMP':
        this.intField(',"packet_id":', p.packetId);
        if (p.reasonCode !== undefined) this.intField(',"reason_code":', p.reasonCode);
        this.props(',"properties":', p.properties);
        return;
      case 'SUBSCRIBE':
        this.intField(',"packet_id":', p.packetId);
        this.props(',"properties":', p.properties);
        this.raw(',"subscriptions":[');
        for (let i = 0; i < p.subscriptions.length; i++) {
          const s = p.subscriptions[i]!;
          this.raw(i === 0 ? '{"filter":' : ',{"filter":');
          this.str(s.filter);
          this.raw(',"qos":');
          this.int(s.qos);
          this.raw(',"options":');
          this.int(s.options);
          this.raw('}');
        }
        this.raw(']');
        return;
      case 'SUBACK':
        this.intField(',"packet_id":', p.packetId);
        this.props(',"properties":', p.properties);
        this.intArray(',"return_codes":', p.returnCodes);
        return;
      case 'UNSUBSCRIBE':
        this.intField(',"packet_id":', p.packetId);
        this.props(',"properties":', p.properties);
        this.raw(',"filters":[');
        for (let i = 0; i < p.filters.length; i++) {
          if (i > 0) this.raw(',');
          this.str(p.filters[i]!);
        }
        this.raw(']');
        return;
      case 'UNSUBACK':
        this.intField(',"packet_id":', p.packetId);
        this.props(',"properties":', p.properties);
        if (p.reasonCodes) this.intArray(',"reason_codes":', p.reasonCodes);
        return;
      case 'DISCONNECT':
      case 'AUTH':
        if (p.reasonCode !== undefined) this.intField(',"reason_code":', p.reasonCode);
        this.props(',"properties":', p.properties);
        return;
      case 'PINGREQ':
      case 'PINGRESP':
      case 'RESERVED':
        return;
    }
  }

  // Field writers take the whole `,"key":` prefix: one copy per field instead of three.

  private props(prefix: string, props: Property[] | undefined): void {
    if (!props) return;
    this.raw(prefix);
    this.raw('[');
    for (let i = 0; i < props.length; i++) {
      const p = props[i]!;
      this.raw(i === 0 ? '{"id":' : ',{"id":');
      this.int(p.id);
      this.raw(',"name":');
      this.str(p.name);
      this.raw(',"value":');
      const v = p.value;
      if (typeof v === 'number') this.num(v);
      else if (typeof v === 'string') this.str(v);
      else if (v instanceof Uint8Array) this.hex(v);
      else {
        this.raw('[');
        this.str(v[0]);
        this.raw(',');
        this.str(v[1]);
        this.raw(']');
      }
      this.raw('}');
    }
    this.raw(']');
  }

  private notes(notes: DecodeNote[]): void {
    this.raw(',"notes":[');
    for (let i = 0; i < notes.length; i++) {
      const n = notes[i]!;
      this.raw(i === 0 ? '{"code":' : ',{"code":');
      this.str(n.code);
      this.raw(',"message":');
      this.str(n.message);
      this.raw(',"offset":');
      this.int(n.offset);
      this.raw('}');
    }
    this.raw(']');
  }

  private intArray(prefix: string, values: number[]): void {
    this.raw(prefix);
    this.raw('[');
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.raw(',');
      this.int(values[i]!);
    }
    this.raw(']');
  }

  private intField(prefix: string, v: number): void {
    this.raw(prefix);
    this.int(v);
  }

  private boolField(prefix: string, v: boolean): void {
    this.raw(prefix);
    this.raw(v ? 'true' : 'false');
  }

  private strField(prefix: string, v: string): void {
    this.raw(prefix);
    this.str(v);
  }

  private hexField(prefix: string, v: Uint8Array): void {
    this.raw(prefix);
    this.hex(v);
  }

  // --- primitives: each reserves its worst case, then writes bytes -------------------------------

  /** ASCII text known to need no escaping (keys, punctuation, the time's digits). */
  private raw(s: string): void {
    const o = this.out;
    const n = s.length;
    o.reserve(n);
    const buf = o.buf;
    let pos = o.pos;
    for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
    o.pos = pos;
  }

  private int(v: number): void {
    if (v >= 0 && v < 0x80000000 && (v | 0) === v) {
      const o = this.out;
      o.reserve(10);
      const buf = o.buf;
      if (v < 10) {
        buf[o.pos++] = 48 + v;
        return;
      }
      let digits = 0;
      for (let x = v; x > 0; x = (x / 10) | 0) digits++;
      let pos = o.pos + digits;
      o.pos = pos;
      for (let x = v; x > 0; x = (x / 10) | 0) buf[--pos] = 48 + (x % 10);
      return;
    }
    this.raw(String(v));
  }

  private num(v: number): void {
    this.raw(JSON.stringify(v));
  }

  /** A JSON string: printable ASCII is copied as it is scanned; anything else (a quote, a
   *  backslash, a control or non-ASCII character) rewinds and goes through JSON.stringify. */
  private str(s: string): void {
    const n = s.length;
    const o = this.out;
    o.reserve(n + 2);
    const buf = o.buf;
    let pos = o.pos;
    buf[pos++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) {
        // o.pos was not advanced, so the bytes copied so far are simply overwritten.
        const json = JSON.stringify(s);
        o.reserve(json.length * 3);
        o.pos += o.buf.write(json, o.pos, 'utf8');
        return;
      }
      buf[pos++] = c;
    }
    buf[pos++] = QUOTE;
    o.pos = pos;
  }

  /** Payloads are most of the output: two digits per 16-bit store. At an odd position each
   *  store straddles two bytes: the second digit of one byte and the first of the next. */
  private hex(bytes: Uint8Array): void {
    const n = bytes.length;
    const o = this.out;
    o.reserve(n * 2 + 2);
    const buf = o.buf;
    let pos = o.pos;
    buf[pos++] = QUOTE;
    if (n >= 8 && (pos & 1) === 0) {
      const words = o.words;
      let w = pos >> 1;
      for (let i = 0; i < n; i++) words[w++] = HEX_PAIRS16[bytes[i]!]!;
      pos = w << 1;
    } else if (n >= 8 && LITTLE_ENDIAN) {
      const words = o.words;
      let prev = HEX_PAIRS16[bytes[0]!]!;
      buf[pos] = prev & 0xff;
      let w = (pos + 1) >> 1;
      for (let i = 1; i < n; i++) {
        const cur = HEX_PAIRS16[bytes[i]!]!;
        words[w++] = (prev >>> 8) | ((cur & 0xff) << 8);
        prev = cur;
      }
      pos += 2 * n;
      buf[pos - 1] = prev >>> 8;
    } else {
      for (let i = 0; i < n; i++) {
        const b = bytes[i]! << 1;
        buf[pos++] = HEX_PAIRS[b]!;
        buf[pos++] = HEX_PAIRS[b + 1]!;
      }
    }
    buf[pos++] = QUOTE;
    o.pos = pos;
  }
}
