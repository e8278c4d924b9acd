// The MQTT layer as `tshark -V -O mqtt` (4.0.17) prints it: one line per tree item, 4 spaces per
// level. Field names, value strings and bitmask summaries follow packet-mqtt.c; quirks kept on
// purpose are marked "Wireshark:". Malformed packets get the fields decoded before the failure,
// what tshark shows of the field it failed on (a length read before its bytes ran out, a property
// block as far as the packet goes: DecodeResult.cut), and the "[Malformed Packet: MQTT]" line.

import type { DecodeResult, MqttVersion, Property } from './types.js';
import { isShortPacket, SHORT_PACKET } from './decode.js';
import { propertyDef } from './properties.js';
import { WIRESHARK_TYPE_NAMES } from './info.js';

const QOS_NAMES = [
  'At most once delivery (Fire and Forget)', 'At least once delivery (Acknowledged deliver)',
  'Exactly once delivery (Assured Delivery)', 'Reserved',
];

const CONNACK_31_NAMES: Record<number, string> = {
  0: 'Connection Accepted', 1: 'Connection Refused: unacceptable protocol version',
  2: 'Connection Refused: identifier rejected', 3: 'Connection Refused: server unavailable',
  4: 'Connection Refused: bad user name or password', 5: 'Connection Refused: not authorized',
};

// Wireshark's v5 reason code tables (its wording differs from the spec in places).
const RC: Record<number, string> = {
  0x00: 'Success', 0x10: 'No matching subscribers', 0x11: 'No subscription existed', 0x18: 'Continue authentication',
  0x19: 'Re-authenticate', 0x80: 'Unspecified error', 0x81: 'Malformed Packet', 0x82: 'Protocol Error',
  0x83: 'Implementation specific error', 0x84: 'Unsupported Protocol Version', 0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password', 0x87: 'Not authorized', 0x88: 'Server unavailable', 0x89: 'Server busy',
  0x8a: 'Banned', 0x8b: 'Server shutting down', 0x8c: 'Bad authentication method', 0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over', 0x8f: 'Topic Filter invalid', 0x90: 'Topic Name invalid', 0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found', 0x93: 'Receive Maximum exceeded', 0x94: 'Topic Alias invalid', 0x95: 'Packet too large',
  0x96: 'Message rate too high', 0x97: 'Quota exceeded', 0x98: 'Administrative action', 0x99: 'Payload format invalid',
  0x9a: 'Retain not supported', 0x9b: 'QoS not supported', 0x9c: 'Use another server', 0x9d: 'Server moved',
  0x9e: 'Shared Subscription not supported', 0x9f: 'Connection rate exceeded', 0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported', 0xa2: 'Wildcard Subscription not supported',
};
const rcTable = (codes: number[], zero?: string): Record<number, string> => {
  const t: Record<number, string> = {};
  for (const c of codes) t[c] = RC[c]!;
  if (zero) t[0] = zero;
  return t;
};
const RC_BY_TYPE: Array<Record<number, string> | undefined> = [];
RC_BY_TYPE[2] = rcTable([0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f]);
RC_BY_TYPE[4] = rcTable([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
RC_BY_TYPE[5] = RC_BY_TYPE[4];
RC_BY_TYPE[6] = rcTable([0x00, 0x92]);
RC_BY_TYPE[7] = RC_BY_TYPE[6];
RC_BY_TYPE[9] = { ...rcTable([0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]), 0: 'Granted QoS 0', 1: 'Granted QoS 1', 2: 'Granted QoS 2' };
RC_BY_TYPE[11] = rcTable([0x00, 0x11, 0x83, 0x87, 0x8f, 0x91]);
RC_BY_TYPE[14] = { ...rcTable([0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97,
  0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2]), 0: 'Normal disconnection', 4: 'Disconnect with Will Message' };
RC_BY_TYPE[15] = rcTable([0x00, 0x18, 0x19]);

/** Wireshark's property names (0x02 differs from the spec's "Message Expiry Interval"). */
const PROP_NAMES: Record<number, string> = {
  0x01: 'Payload Format Indicator', 0x02: 'Publication Expiry Interval', 0x03: 'Content Type', 0x08: 'Response Topic',
  0x09: 'Correlation Data', 0x0b: 'Subscription Identifier', 0x11: 'Session Expiry Interval', 0x12: 'Assigned Client Identifier',
  0x13: 'Server Keep Alive', 0x15: 'Authentication Method', 0x16: 'Authentication Data', 0x17: 'Request Problem Information',
  0x18: 'Will Delay Interval', 0x19: 'Request Response Information', 0x1a: 'Response Information', 0x1c: 'Server Reference',
  0x1f: 'Reason String', 0x21: 'Receive Maximum', 0x22: 'Topic Alias Maximum', 0x23: 'Topic Alias', 0x24: 'Maximum QoS',
  0x25: 'Retain Available', 0x26: 'User Property', 0x27: 'Maximum Packet Size', 0x28: 'Wildcard Subscription Available',
  0x29: 'Subscription Identifier Available', 0x2a: 'Shared Subscription Available',
};

const VERSION_NAMES: Record<number, string> = { 3: 'MQTT v3.1', 4: 'MQTT v3.1.1', 5: 'MQTT v5.0' };

const I1 = '    ';
const I2 = '        ';
const I3 = '            ';

const vs = (t: Record<number, string>, v: number): string => `${t[v] ?? 'Unknown'} (${v})`;
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const setNot = (b: boolean): string => (b ? 'Set' : 'Not set');

/** "0011 ...." style bit picture of `value` under `mask` (8 bits). */
export function bitPicture(value: number, mask: number): string {
  let s = '';
  for (let bit = 7; bit >= 0; bit--) {
    s += (mask >> bit) & 1 ? String((value >> bit) & 1) : '.';
    if (bit === 4) s += ' ';
  }
  return s;
}

/** Wireshark's format_text for tree strings: C escapes for controls, octal for the rest. */
export function formatText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c !== 0x7f) { out += ch === '\\' ? '\\\\' : ch; continue; }
    switch (c) {
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x0b: out += '\\v'; break;
      default: out += '\\' + c.toString(8).padStart(3, '0');
    }
  }
  return out;
}

/** FT_BYTES display: hex, cut after 36 bytes with "…"; empty is "<MISSING>". */
export function formatBytes(b: Uint8Array): string {
  if (b.length === 0) return '<MISSING>';
  const n = Math.min(b.length, 36);
  let s = '';
  for (let i = 0; i < n; i++) s += hex2(b[i]!);
  return b.length > 36 ? s + '\u2026' : s;
}

function expert(lines: string[], indent: string, severity: string, text: string, group = 'Protocol'): void {
  lines.push(`${indent}[Expert Info (${severity}/${group}): ${text}]`, `${indent}    [${text}]`,
    `${indent}    [Severity level: ${severity}]`, `${indent}    [Group: ${group}]`);
}

/**
 * A string item as Wireshark shows an FT_STRING: the text up to its first U+0000, flagged
 * "Trailing stray characters" when anything but U+0000 follows (NULs alone at the end are not
 * flagged). `flag` false: an item Wireshark adds without that check (Content Type).
 */
function stringLine(lines: string[], indent: string, name: string, s: string, flag = true): void {
  const z = s.indexOf('\u0000');
  lines.push(`${indent}${name}: ${formatText(z < 0 ? s : s.slice(0, z))}`);
  if (flag && z >= 0 && /[^\u0000]/.test(s.slice(z))) expert(lines, indent + '    ', 'Warning', 'Trailing stray characters', 'Undecoded');
}

function stringItem(lines: string[], name: string, s: string): void {
  stringLine(lines, I1, name, s);
}

/** Wireshark: "Total Length" shows the varint's raw bytes as a big-endian number. */
function totalLengthQuirk(len: number): number {
  const enc: number[] = [];
  let n = len;
  do { let b = n % 128; n = Math.floor(n / 128); if (n > 0) b |= 0x80; enc.push(b); } while (n > 0);
  return enc.reduce((v, b) => v * 256 + b, 0);
}

function encodedLength(p: Property): number {
  const v = p.value;
  if (typeof v === 'string') return Buffer.byteLength(v) + 3;
  if (v instanceof Uint8Array) return v.length + (p.name === 'Unknown' ? 1 : 3);
  if (Array.isArray(v)) return Buffer.byteLength(v[0]) + Buffer.byteLength(v[1]) + 5;
  switch (p.id) {
    case 0x13: case 0x21: case 0x22: case 0x23: return 3;
    case 0x02: case 0x11: case 0x18: case 0x27: return 5;
    case 0x0b: return 1 + (v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : 4);
    default: return 2;
  }
}

function propsWireLength(props: Property[]): number {
  const len = props.reduce((n, p) => n + encodedLength(p), 0);
  return len + (len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : 4);
}

function propertyLines(lines: string[], title: string, props: Property[], blockLength?: number): void {
  lines.push(`${I1}${title}`);
  const len = blockLength ?? props.reduce((n, p) => n + encodedLength(p), 0);
  lines.push(`${I2}Total Length: ${totalLengthQuirk(len)}`);
  for (const p of props) {
    lines.push(`${I2}ID: ${PROP_NAMES[p.id] ?? 'Unknown'} (0x${hex2(p.id)})`);
    const v = p.value;
    // The rest of the block after an unknown identifier, shown as a UTF-8 string.
    if (p.name === 'Unknown' && v instanceof Uint8Array) { stringLine(lines, I2, 'Unknown Property', Buffer.from(v).toString('utf8')); continue; }
    if (Array.isArray(v)) {
      lines.push(`${I2}Key Length: ${Buffer.byteLength(v[0])}`);
      stringLine(lines, I2, 'Key', v[0]);
      lines.push(`${I2}Value Length: ${Buffer.byteLength(v[1])}`);
      stringLine(lines, I2, 'Value', v[1]);
    } else if (p.id === 0x03 && typeof v === 'string') {
      stringLine(lines, I2, 'Content Type', v, false);
    } else if (typeof v === 'string' || v instanceof Uint8Array) {
      // Wireshark shows Correlation/Authentication Data as strings too.
      const text = typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
      lines.push(`${I2}Length: ${typeof v === 'string' ? Buffer.byteLength(v) : v.length}`);
      stringLine(lines, I2, 'Value', text);
    } else if (p.id === 0x24) {
      lines.push(`${I2}QoS: ${QOS_NAMES[v] ?? 'Unknown'} (${v})`);
    } else if (p.id === 0x23) {
      lines.push(`${I2}Topic Alias: ${v}`);
    } else {
      lines.push(`${I2}Value: ${v}`);
    }
  }
}

/**
 * A property block of `result`'s packet: `props` as decoded, or, when the packet broke inside
 * this block, the block as far as it could be read (CutField), as tshark shows it: the declared
 * Total Length, the properties read whole, then the identifier of the one that broke off and
 * the length prefix it got to. Returns whether the packet broke here (nothing follows).
 */
function blockLines(lines: string[], title: string, props: Property[] | undefined, result: DecodeResult): boolean {
  const cut = result.status === 'malformed' && result.cut?.properties?.what === title ? result.cut : undefined;
  if (cut === undefined) {
    if (props) propertyLines(lines, title, props);
    return false;
  }
  const block = cut.properties!;
  propertyLines(lines, title, block.complete, block.length);
  if (block.id < 0) return props === undefined;
  lines.push(`${I2}ID: ${PROP_NAMES[block.id] ?? 'Unknown'} (0x${hex2(block.id)})`);
  const def = propertyDef(block.id);
  if (def !== undefined && cut.length >= 0) {
    // tshark adds a length item before the bytes it cannot read (not for Content Type, one item).
    if (def.type === 'pair') {
      if (block.key === undefined) lines.push(`${I2}Key Length: ${cut.length}`);
      else {
        lines.push(`${I2}Key Length: ${Buffer.byteLength(block.key)}`);
        stringLine(lines, I2, 'Key', block.key);
        lines.push(`${I2}Value Length: ${cut.length}`);
      }
    } else if ((def.type === 'utf8' || def.type === 'binary') && block.id !== 0x03) {
      lines.push(`${I2}Length: ${cut.length}`);
    }
  }
  return true;
}

/** Failures of a CONNECT's fields after the Client ID (which was therefore read). */
const AFTER_CLIENT_ID = new RegExp(`^(${SHORT_PACKET}: (Will |User Name|Password)|missing-field)`);

/** A Topic Filter whose length was read but whose bytes run off the packet: tshark shows the
 *  length item before failing on the filter. */
function cutFilterLength(lines: string[], result: DecodeResult): void {
  if (result.status === 'malformed' && result.reason === `${SHORT_PACKET}: Topic Filter` && result.cut && result.cut.length >= 0) {
    lines.push(`${I1}Topic Length: ${result.cut.length}`);
  }
}

function stringField(lines: string[], lenName: string, name: string, s: string, warnEmpty: boolean): void {
  const n = Buffer.byteLength(s);
  lines.push(`${I1}${lenName}: ${n}`);
  if (n > 0 || !warnEmpty) stringItem(lines, name, s);
  else expert(lines, I2, 'Warning', 'Length cannot be 0');
}

export interface DetailOptions {
  /** The conversation's version as Wireshark tracks it: the last CONNECT's level byte, 0 if none. */
  wiresharkVersion?: number;
  /** v5 PUBLISH with an empty topic and a Topic Alias: the resolved topic, or null if unknown. */
  aliasTopic?: string | null;
}

/** The MQTT subtree lines for one PDU, as `tshark -V -O mqtt` prints them. */
export function detailLines(result: DecodeResult, version: MqttVersion, opts: DetailOptions = {}): string[] {
  const hf = result.status === 'ok' ? result.packet.headerFlags : result.headerFlags;
  const type = hf >> 4;
  const wv = opts.wiresharkVersion ?? version;
  const name = WIRESHARK_TYPE_NAMES[type]!;
  const lines: string[] = [`MQ Telemetry Transport Protocol, ${name}`];
  if (type !== 1 && wv === 0) expert(lines, I1, 'Note', 'Unknown version (missing the CONNECT packet?)');
  const flags = hf & 0x0f;
  const qos = (hf >> 1) & 3;
  const mt = `${bitPicture(hf, 0xf0)} = Message Type: ${name} (${type})`;
  if (type === 3 || (wv === 3 && (type === 6 || type === 8 || type === 10))) {
    let sum = `Header Flags: 0x${hex2(hf)}, Message Type: ${name}`;
    if (flags & 8) sum += ', DUP Flag';
    sum += `, QoS Level: ${QOS_NAMES[qos]}`;
    if (type === 3 && flags & 1) sum += ', Retain';
    lines.push(I1 + sum, I2 + mt, `${I2}${bitPicture(hf, 0x08)} = DUP Flag: ${setNot((flags & 8) !== 0)}`,
      `${I2}${bitPicture(hf, 0x06)} = QoS Level: ${QOS_NAMES[qos]} (${qos})`,
      type === 3 ? `${I2}${bitPicture(hf, 0x01)} = Retain: ${setNot((flags & 1) !== 0)}` : `${I2}${bitPicture(hf, 0x01)} = Reserved: ${flags & 1}`);
  } else {
    lines.push(`${I1}Header Flags: 0x${hex2(hf)}, Message Type: ${name}`, I2 + mt, `${I2}${bitPicture(hf, 0x0f)} = Reserved: ${flags}`);
  }
  const p = result.packet;
  if (!p) {
    lines.push('[Malformed Packet: MQTT]');
    return lines;
  }
  lines.push(`${I1}Msg Len: ${p.remainingLength}`);
  const v5 = wv === 5;
  switch (p.type) {
    case 'CONNECT': {
      if (p.protocolLevel === 0 && p.protocolName === '' && result.status !== 'ok') break;
      stringField(lines, 'Protocol Name Length', 'Protocol Name', p.protocolName, false);
      lines.push(`${I1}Version: ${VERSION_NAMES[p.protocolLevel] ?? 'Unknown'} (${p.protocolLevel})`);
      if (result.status !== 'ok' && result.offset <= p.length - p.remainingLength + Buffer.byteLength(p.protocolName) + 3) break;
      const f = p.connectFlags;
      let sum = `Connect Flags: 0x${hex2(f)}`;
      if (f & 0x80) sum += ', User Name Flag';
      if (f & 0x40) sum += ', Password Flag';
      if (f & 0x20) sum += ', Will Retain';
      sum += `, QoS Level: ${QOS_NAMES[(f >> 3) & 3]}`;
      if (f & 0x04) sum += ', Will Flag';
      if (f & 0x02) sum += ', Clean Session Flag';
      if (f & 0x01) sum += ', (Reserved)';
      lines.push(I1 + sum,
        `${I2}${bitPicture(f, 0x80)} = User Name Flag: ${setNot((f & 0x80) !== 0)}`,
        `${I2}${bitPicture(f, 0x40)} = Password Flag: ${setNot((f & 0x40) !== 0)}`,
        `${I2}${bitPicture(f, 0x20)} = Will Retain: ${setNot((f & 0x20) !== 0)}`,
        `${I2}${bitPicture(f, 0x18)} = QoS Level: ${QOS_NAMES[(f >> 3) & 3]} (${(f >> 3) & 3})`,
        `${I2}${bitPicture(f, 0x04)} = Will Flag: ${setNot((f & 0x04) !== 0)}`,
        `${I2}${bitPicture(f, 0x02)} = Clean Session Flag: ${setNot((f & 0x02) !== 0)}`,
        `${I2}${bitPicture(f, 0x01)} = (Reserved): ${setNot((f & 0x01) !== 0)}`,
        `${I1}Keep Alive: ${p.keepAlive}`);
      if (blockLines(lines, 'Properties', p.properties, result)) break;
      if (result.status === 'malformed' && p.clientId === '' && !AFTER_CLIENT_ID.test(result.reason)) {
        // Not read (an empty one is only known to be read when the packet broke later on).
        if (result.reason === `${SHORT_PACKET}: Client Identifier` && result.cut && result.cut.length >= 0) {
          lines.push(`${I1}Client ID Length: ${result.cut.length}`);
        }
        break;
      }
      stringField(lines, 'Client ID Length', 'Client ID', p.clientId, false);
      if (p.willFlag) {
        if (blockLines(lines, 'Will Properties', p.willProperties, result)) break;
        if (p.willTopic !== undefined) stringField(lines, 'Will Topic Length', 'Will Topic', p.willTopic, true);
        if (p.willPayload) lines.push(`${I1}Will Message Length: ${p.willPayload.length}`, `${I1}Will Message: ${formatBytes(p.willPayload)}`);
      }
      if (p.username !== undefined) stringField(lines, 'User Name Length', 'User Name', p.username, false);
      if (p.password !== undefined) {
        lines.push(`${I1}Password Length: ${p.password.length}`);
        stringItem(lines, 'Password', Buffer.from(p.password).toString('utf8'));
      }
      break;
    }
    case 'CONNACK': {
      const f = p.ackFlags;
      if (wv === 3) lines.push(`${I1}Reserved: ${setNot(f !== 0)}`);
      else {
        let sum = `Acknowledge Flags: 0x${hex2(f)}`;
        if (f & 0xfe) sum += ', Reserved';
        if (f & 1) sum += ', Session Present';
        lines.push(I1 + sum, `${I2}${bitPicture(f, 0xfe)} = Reserved: ${setNot((f & 0xfe) !== 0)}`,
          `${I2}${bitPicture(f, 0x01)} = Session Present: ${setNot((f & 1) !== 0)}`);
      }
      if (result.status !== 'ok' && result.offset <= p.length - p.remainingLength + 1) break;
      if (wv === 3 || wv === 4) lines.push(`${I1}Return Code: ${vs(CONNACK_31_NAMES, p.returnCode)}`);
      else lines.push(`${I1}Reason Code: ${vs(RC_BY_TYPE[2]!, p.returnCode)}`);
      if (blockLines(lines, 'Properties', p.properties, result)) break;
      break;
    }
    case 'PUBLISH': {
      // The wire length, not the decoded text's (invalid UTF-8 became U+FFFD).
      let n = Buffer.byteLength(p.topic);
      if (result.status === 'ok') {
        const props = p.properties ? propsWireLength(p.properties) : 0;
        n = p.remainingLength - 2 - (p.packetId !== undefined ? 2 : 0) - props - p.payload.length;
      }
      if (result.status !== 'ok' && result.offset <= p.length - p.remainingLength) break;
      if (result.status === 'malformed' && result.reason === `${SHORT_PACKET}: Topic Name`) {
        // The length was read, the topic runs off the packet: tshark shows the length it read.
        if (result.cut && result.cut.length >= 0) lines.push(`${I1}Topic Length: ${result.cut.length}`);
        break;
      }
      let alias = 0;
      for (const pr of p.properties ?? []) if (pr.id === 0x23 && typeof pr.value === 'number') alias = pr.value;
      lines.push(`${I1}Topic Length: ${n}`);
      // Wireshark hangs "Length cannot be 0" on the Topic Length item.
      if (n === 0 && alias === 0) expert(lines, I2, 'Warning', 'Length cannot be 0');
      if (n > 0) stringItem(lines, 'Topic', p.topic);
      if (p.packetId !== undefined) lines.push(`${I1}Message Identifier: ${p.packetId}`);
      if (blockLines(lines, 'Properties', p.properties, result)) break;
      if (p.properties) {
        if (alias !== 0 && n === 0) {
          const t = opts.aliasTopic ?? null;
          lines.push(`${I1}[Topic: ${formatText(t ?? '')}]`);
          if (t === null) expert(lines, I2, 'Note', 'Unknown topic alias');
        }
      }
      if (result.status === 'ok' || !isShortPacket(result)) lines.push(`${I1}Message: ${formatBytes(p.payload)}`);
      break;
    }
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP':
      if (result.status !== 'ok' && result.offset <= p.length - p.remainingLength) break;
      lines.push(`${I1}Message Identifier: ${p.packetId}`);
      if (p.reasonCode !== undefined) lines.push(`${I1}Reason Code: ${vs(RC_BY_TYPE[type]!, p.reasonCode)}`);
      if (blockLines(lines, 'Properties', p.properties, result)) break;
      break;
    case 'SUBSCRIBE':
      if (result.status !== 'ok' && result.offset <= p.length - p.remainingLength) break;
      lines.push(`${I1}Message Identifier: ${p.packetId}`);
      if (blockLines(lines, 'Properties', p.properties, result)) break;
      p.subscriptions.forEach((s, i) => {
        stringField(lines, 'Topic Length', 'Topic', s.filter, true);
        const last = i === p.subscriptions.length - 1;
        if (last && result.status === 'malformed' && result.reason === `${SHORT_PACKET}: Subscription Options`) return;
        const o = s.options;
        if (v5) {
          let sum = `Subscription Options: 0x${hex2(o)}, Retain Handling: ${RETAIN_HANDLING[(o >> 4) & 3]}`;
          if (o & 0x08) sum += ', Retain As Published';
          if (o & 0x04) sum += ', No Local';
          sum += `, QoS: ${QOS_NAMES[o & 3]}`;
          lines.push(I1 + sum, `${I2}${bitPicture(o, 0xc0)} = Reserved: 0x${((o >> 6) & 3).toString(16)}`,
            `${I2}${bitPicture(o, 0x30)} = Retain Handling: ${RETAIN_HANDLING[(o >> 4) & 3]} (${(o >> 4) & 3})`,
            `${I2}${bitPicture(o, 0x08)} = Retain As Published: ${setNot((o & 8) !== 0)}`,
            `${I2}${bitPicture(o, 0x04)} = No Local: ${setNot((o & 4) !== 0)}`,
            `${I2}${bitPicture(o, 0x03)} = QoS: ${QOS_NAMES[o & 3]} (${o & 3})`);
        } else {
          lines.push(`${I1}Requested QoS: ${QOS_NAMES[o] ?? 'Unknown'} (${o})`);
        }
      });
      cutFilterLength(lines, result);
      break;
    case 'SUBACK':
      if (result.status !== 'ok' && result.offset <= p.length - p.remainingLength) break;
      lines.push(`${I1}Message Identifier: ${p.packetId}`);
      if (blockLines(lines, 'Properties', p.properties, result)) break;
      for (const c of p.returnCodes) {
        if (wv === 3 || wv === 4) lines.push(`${I1}Granted QoS: ${c === 0x80 ? 'Failure' : QOS_NAMES[c] ?? 'Unknown'} (${c})`);
        else lines.push(`${I1}Reason Code: ${vs(RC_BY_TYPE[9]!, c)}`);
      }
      break;
    case 'UNSUBSCRIBE':
      if (result.status !== 'ok' && result.offset <= p.length - p.remainingLength) break;
      lines.push(`${I1}Message Identifier: ${p.packetId}`);
      if (blockLines(lines, 'Properties', p.properties, result)) break;
      for (const f of p.filters) stringField(lines, 'Topic Length', 'Topic', f, true);
      cutFilterLength(lines, result);
      break;
    case 'UNSUBACK':
      if (result.status !== 'ok' && result.offset <= p.length - p.remainingLength) break;
      lines.push(`${I1}Message Identifier: ${p.packetId}`);
      if (blockLines(lines, 'Properties', p.properties, result)) break;
      for (const c of p.reasonCodes ?? []) lines.push(`${I1}Reason Code: ${vs(RC_BY_TYPE[11]!, c)}`);
      break;
    case 'DISCONNECT': case 'AUTH':
      if (p.reasonCode !== undefined) lines.push(`${I1}Reason Code: ${vs(RC_BY_TYPE[type]!, p.reasonCode)}`);
      if (blockLines(lines, 'Properties', p.properties, result)) break;
      break;
    default:
      break;
  }
  if (result.status !== 'ok' && isShortPacket(result)) lines.push('[Malformed Packet: MQTT]');
  return lines.map(fitLabel);
}

const RETAIN_HANDLING = ['Send msgs at subscription time', 'Send msgs if subscription does not exist',
  'Do not send msgs at subscription time', 'Reserved'];

/** Wireshark's label buffer (ITEM_LABEL_LENGTH, 240 bytes with the NUL): a longer label gets
 *  " [truncated]" after its field name and is cut to 238 bytes at a UTF-8 character boundary
 *  (checked with tshark 4.0.17: a 239-byte label is printed whole, a 240-byte one is cut). */
function fitLabel(line: string): string {
  const indent = line.length - line.trimStart().length;
  const label = line.slice(indent);
  if (label.length < 240 / 4 || Buffer.byteLength(label, 'utf8') < 240) return line;
  const colon = label.indexOf(': ');
  const marked = colon < 0 ? label : `${label.slice(0, colon)} [truncated]${label.slice(colon)}`;
  const bytes = Buffer.from(marked, 'utf8');
  let end = 238;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return line.slice(0, indent) + bytes.subarray(0, end).toString('utf8');
}
