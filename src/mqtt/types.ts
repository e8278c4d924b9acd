// The MQTT packet model shared by the dissector (which builds it), the analysis passes and the
// renderers (which only read it). Field names follow the MQTT 3.1.1 / 5.0 specifications.

/** Protocol level from CONNECT: 3 = MQTT 3.1 (MQIsdp), 4 = 3.1.1, 5 = 5.0. */
export type MqttVersion = 3 | 4 | 5;

/** Control packet type numbers (MQTT 3.1.1 §2.2.1, 5.0 §2.1.2). 0 is reserved. */
export const PacketType = {
  RESERVED: 0,
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
  AUTH: 15,
} as const;
export type PacketTypeName = keyof typeof PacketType;

/** One MQTT 5 property. Unknown identifiers keep their raw bytes (`value` is then a Uint8Array). */
export interface Property {
  id: number;
  /** Spec name, e.g. "Session Expiry Interval"; "Unknown" for unassigned ids. */
  name: string;
  /** number for byte/two-byte/four-byte/varint; string for UTF-8; Uint8Array for binary data
   *  (and for unknown ids); [key, value] for User Property. */
  value: number | string | Uint8Array | [string, string];
}

/** A non-fatal anomaly found while decoding a packet that otherwise decoded (reserved bits set,
 *  invalid UTF-8, ...). The analysis' conformance pass turns these into findings. */
export interface DecodeNote {
  /** Stable code, e.g. "reserved-flags", "invalid-utf8", "invalid-qos". */
  code: string;
  message: string;
  /** Byte offset inside the packet (0 = first byte of the fixed header). */
  offset: number;
}

interface PacketBase {
  /** First byte of the fixed header: type << 4 | flags. */
  headerFlags: number;
  /** Remaining Length as encoded in the fixed header. */
  remainingLength: number;
  /** Whole packet size in bytes: fixed header + remaining length. */
  length: number;
  notes: DecodeNote[];
}

export interface SubscriptionRequest {
  filter: string;
  /** Requested maximum QoS (bits 0-1 of the options byte). */
  qos: number;
  /** The whole options byte (v5 adds No Local, Retain As Published, Retain Handling). */
  options: number;
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: number;
}

export interface ConnectPacket extends PacketBase {
  type: 'CONNECT';
  protocolName: string;
  protocolLevel: number;
  connectFlags: number;
  cleanSession: boolean;
  willFlag: boolean;
  willQos: number;
  willRetain: boolean;
  usernameFlag: boolean;
  passwordFlag: boolean;
  keepAlive: number;
  properties?: Property[];
  clientId: string;
  willProperties?: Property[];
  willTopic?: string;
  willPayload?: Uint8Array;
  username?: string;
  password?: Uint8Array;
}

export interface ConnackPacket extends PacketBase {
  type: 'CONNACK';
  /** Acknowledge flags byte; bit 0 is Session Present. */
  ackFlags: number;
  sessionPresent: boolean;
  /** 3.1/3.1.1 return code or 5.0 reason code. */
  returnCode: number;
  properties?: Property[];
}

export interface PublishPacket extends PacketBase {
  type: 'PUBLISH';
  dup: boolean;
  qos: number;
  retain: boolean;
  topic: string;
  /** Present for QoS 1 and 2. */
  packetId?: number;
  properties?: Property[];
  payload: Uint8Array;
}

export interface AckPacket extends PacketBase {
  type: 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP';
  packetId: number;
  /** v5 only; absent means 0x00 Success when the remaining length is 2. */
  reasonCode?: number;
  properties?: Property[];
}

export interface SubscribePacket extends PacketBase {
  type: 'SUBSCRIBE';
  packetId: number;
  properties?: Property[];
  subscriptions: SubscriptionRequest[];
}

export interface SubackPacket extends PacketBase {
  type: 'SUBACK';
  packetId: number;
  properties?: Property[];
  /** Granted QoS (0-2) or failure 0x80 / v5 reason codes. */
  returnCodes: number[];
}

export interface UnsubscribePacket extends PacketBase {
  type: 'UNSUBSCRIBE';
  packetId: number;
  properties?: Property[];
  filters: string[];
}

export interface UnsubackPacket extends PacketBase {
  type: 'UNSUBACK';
  packetId: number;
  properties?: Property[];
  /** v5 only. */
  reasonCodes?: number[];
}

export interface EmptyPacket extends PacketBase {
  type: 'PINGREQ' | 'PINGRESP';
}

export interface DisconnectPacket extends PacketBase {
  type: 'DISCONNECT';
  /** v5 only; absent means 0x00 Normal disconnection. */
  reasonCode?: number;
  properties?: Property[];
}

export interface AuthPacket extends PacketBase {
  type: 'AUTH';
  reasonCode?: number;
  properties?: Property[];
}

/** Packet type 0 (reserved): kept so it can be shown and reported, never dropped. */
export interface ReservedPacket extends PacketBase {
  type: 'RESERVED';
}

export type MqttPacket =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | AckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | EmptyPacket
  | DisconnectPacket
  | AuthPacket
  | ReservedPacket;

/** Result of decoding one MQTT control packet whose boundary is already known. */
export type DecodeResult =
  | { status: 'ok'; packet: MqttPacket }
  /** The packet is broken. `packet` holds what could be decoded (fixed header at least), so the
   *  row can still be shown, like Wireshark's "[Malformed Packet]". */
  | { status: 'malformed'; reason: string; offset: number; packet: MqttPacket | null; headerFlags: number; cut?: CutField };

/**
 * What was read of the field a malformed packet broke on, for a tree that shows fields as far as
 * they go (tshark -V): the length prefix of a string or binary whose bytes run off the packet,
 * and, when it broke inside a v5 property block, that block as far as it could be read.
 */
export interface CutField {
  /** The length prefix read before the bytes ran out (-1: none). */
  length: number;
  properties?: CutProperties;
}

export interface CutProperties {
  /** 'Properties' or 'Will Properties'. */
  what: string;
  /** The Property Length as declared. */
  length: number;
  /** The properties read whole. */
  complete: Property[];
  /** The identifier of the property whose value broke off (-1: it broke before one). */
  id: number;
  /** For a User Property whose value broke off: its name. */
  key?: string;
}

/** Result of finding a packet boundary in a byte stream (fixed header + remaining length). */
export type FrameResult =
  | { status: 'ok'; headerLength: number; remainingLength: number; totalLength: number }
  | { status: 'incomplete'; needed: number }
  | { status: 'malformed'; reason: string; offset: number };
