// Packets as JSON for machines (`--format jsonl` / `json`). Keys follow the spec's field names;
// binary data (payloads, passwords, unknown properties) is hex.

import type { MqttMessage } from '../pipeline/events.js';
import type { PacketRow } from '../pipeline/rows.js';
import type { MqttPacket, Property } from '../mqtt/types.js';

export function hex(bytes: Uint8Array): string {
  // Node's native encoder: a per-byte string concatenation builds a rope that JSON.stringify has
  // to flatten, and was the largest single cost of --format jsonl (bench/ profile).
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

function propertiesJson(props: Property[] | undefined): unknown[] | undefined {
  if (!props) return undefined;
  return props.map((p) => ({
    id: p.id,
    name: p.name,
    value: p.value instanceof Uint8Array ? hex(p.value) : p.value,
  }));
}

/** The decoded fields of one packet, without the connection context. */
export function packetFields(p: MqttPacket): Record<string, unknown> {
  const base: Record<string, unknown> = {
    type: p.type,
    header_flags: p.headerFlags,
    remaining_length: p.remainingLength,
  };
  switch (p.type) {
    case 'CONNECT':
      return {
        ...base,
        protocol_name: p.protocolName,
        protocol_level: p.protocolLevel,
        connect_flags: p.connectFlags,
        clean_session: p.cleanSession,
        will_flag: p.willFlag,
        will_qos: p.willQos,
        will_retain: p.willRetain,
        username_flag: p.usernameFlag,
        password_flag: p.passwordFlag,
        keep_alive: p.keepAlive,
        properties: propertiesJson(p.properties),
        client_id: p.clientId,
        will_properties: propertiesJson(p.willProperties),
        will_topic: p.willTopic,
        will_payload: p.willPayload ? hex(p.willPayload) : undefined,
        username: p.username,
        password: p.password ? hex(p.password) : undefined,
      };
    case 'CONNACK':
      return { ...base, session_present: p.sessionPresent, return_code: p.returnCode, properties: propertiesJson(p.properties) };
    case 'PUBLISH':
      return {
        ...base,
        dup: p.dup,
        qos: p.qos,
        retain: p.retain,
        topic: p.topic,
        packet_id: p.packetId,
        properties: propertiesJson(p.properties),
        payload_length: p.payload.length,
        payload: hex(p.payload),
      };
    case 'PUBACK':
    case 'PUBREC':
    case 'PUBREL':
    case 'PUBCOMP':
      return { ...base, packet_id: p.packetId, reason_code: p.reasonCode, properties: propertiesJson(p.properties) };
    case 'SUBSCRIBE':
      return {
        ...base,
        packet_id: p.packetId,
        properties: propertiesJson(p.properties),
        subscriptions: p.subscriptions.map((s) => ({ filter: s.filter, qos: s.qos, options: s.options })),
      };
    case 'SUBACK':
      return { ...base, packet_id: p.packetId, properties: propertiesJson(p.properties), return_codes: p.returnCodes };
    case 'UNSUBSCRIBE':
      return { ...base, packet_id: p.packetId, properties: propertiesJson(p.properties), filters: p.filters };
    case 'UNSUBACK':
      return { ...base, packet_id: p.packetId, properties: propertiesJson(p.properties), reason_codes: p.reasonCodes };
    case 'DISCONNECT':
    case 'AUTH':
      return { ...base, reason_code: p.reasonCode, properties: propertiesJson(p.properties) };
    case 'PINGREQ':
    case 'PINGRESP':
    case 'RESERVED':
      return base;
  }
}

export function messageJson(m: MqttMessage): Record<string, unknown> {
  const r = m.result;
  const fields = r.packet ? packetFields(r.packet) : { header_flags: r.status === 'malformed' ? r.headerFlags : undefined };
  const out: Record<string, unknown> = { stream: m.conn.id, dir: m.dir, version: m.version, ...fields };
  if (r.status === 'malformed') out.malformed = { reason: r.reason, offset: r.offset };
  if (r.packet && r.packet.notes.length) out.notes = r.packet.notes;
  return out;
}

/** One JSON line per packet-list row. Time is written as a JSON number with the capture's digits. */
export function rowJsonLine(row: PacketRow): string {
  const head = `{"no":${row.no},"time":${row.time},"src":${JSON.stringify(row.src)},"dst":${JSON.stringify(row.dst)},"srcport":${row.srcPort},"dstport":${row.dstPort},"protocol":"MQTT","length":${row.length},"info":${JSON.stringify(row.info)}`;
  return `${head},"pdus":${JSON.stringify(row.messages.map(messageJson))}}\n`;
}
