// Short arrow labels for the sequence diagram. They carry what Wireshark's Info column carries
// (type, packet identifier, topic) in the spec's own packet names, plus the QoS and flags a
// reader of a diagram needs, so that an 80-column terminal still has room for them.
// Wireshark: "Publish Message (id=1) [paho/test]"  ->  here: "PUBLISH (id=1) paho/test QoS 2".

import type { DecodeResult, MqttPacket, MqttVersion } from '../mqtt/types.js';

const VERSION_NAME: Record<number, string> = { 3: '3.1', 4: '3.1.1', 5: '5.0' };

export function versionName(v: number): string {
  return VERSION_NAME[v] ?? `level ${v}`;
}

/** Packet type names by number (MQTT 3.1.1 §2.2.1), for malformed packets without a body. */
const TYPE_BY_NUMBER = [
  'RESERVED', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
] as const;

/** The packet type of a decode result, from the packet or, failing that, the fixed header. */
export function resultType(r: DecodeResult): string {
  if (r.packet) return r.packet.type;
  return TYPE_BY_NUMBER[(r.status === 'malformed' ? r.headerFlags : 0) >> 4] ?? 'RESERVED';
}

function hex2(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}

/** v5 reason codes are shown only when they say something other than success (0x00). */
function reason(code: number | undefined): string {
  return code === undefined || code === 0 ? '' : ` rc=${hex2(code)}`;
}

export function packetLabel(p: MqttPacket, version: MqttVersion): string {
  switch (p.type) {
    case 'CONNECT': {
      let s = `CONNECT v${versionName(p.protocolLevel)} keepalive=${p.keepAlive}s`;
      if (p.cleanSession) s += version === 5 ? ' clean-start' : ' clean';
      if (p.willFlag) s += ` will=${p.willTopic ?? ''} QoS ${p.willQos}${p.willRetain ? ' RETAIN' : ''}`;
      return s;
    }
    case 'CONNACK':
      // 3.1.1 §3.2.2.3 return code 0 is "Connection Accepted"; anything else is a refusal.
      return `CONNACK${p.sessionPresent ? ' session-present' : ''} rc=${p.returnCode}`;
    case 'PUBLISH': {
      let s = 'PUBLISH';
      if (p.packetId !== undefined) s += ` (id=${p.packetId})`;
      s += ` ${p.topic} QoS ${p.qos}`;
      if (p.dup) s += ' DUP';
      if (p.retain) s += ' RETAIN';
      return s;
    }
    case 'PUBACK':
    case 'PUBREC':
    case 'PUBREL':
    case 'PUBCOMP':
      return `${p.type} (id=${p.packetId})${reason(p.reasonCode)}`;
    case 'SUBSCRIBE':
      return `SUBSCRIBE (id=${p.packetId}) ${p.subscriptions.map((s) => `${s.filter} QoS ${s.qos}`).join(', ')}`;
    case 'SUBACK':
      // Granted QoS 0-2; 0x80 (3.1.1) or >= 0x80 (5.0) is a failure, shown in hex like the spec.
      return `SUBACK (id=${p.packetId}) ${p.returnCodes.map((c) => (c >= 0x80 ? hex2(c) : String(c))).join(',')}`;
    case 'UNSUBSCRIBE':
      return `UNSUBSCRIBE (id=${p.packetId}) ${p.filters.join(', ')}`;
    case 'UNSUBACK':
      return `UNSUBACK (id=${p.packetId})`;
    case 'DISCONNECT':
    case 'AUTH':
      return `${p.type}${reason(p.reasonCode)}`;
    case 'PINGREQ':
    case 'PINGRESP':
    case 'RESERVED':
      return p.type;
  }
}

export function resultLabel(r: DecodeResult, version: MqttVersion): string {
  if (r.status === 'ok') return packetLabel(r.packet, version);
  const base = r.packet ? packetLabel(r.packet, version) : resultType(r);
  return `${base} [Malformed: ${r.reason}]`;
}
