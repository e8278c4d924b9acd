// MQTT 5.0 properties (§2.2.2.2, Table 2-4): identifier, spec name, data type, and the packets
// (and the Will) in which each may appear.

import { PacketType } from './types.js';

export type PropertyType = 'byte' | 'u16' | 'u32' | 'varint' | 'utf8' | 'binary' | 'pair';

export interface PropertyDef {
  id: number;
  /** Name in the MQTT 5.0 specification. */
  name: string;
  type: PropertyType;
  /** Bit (1 << packet type) per packet that may carry it; WILL_BIT for the CONNECT Will Properties. */
  allowedIn: number;
}

/** Pseudo packet-type bit for the Will Properties of CONNECT (§3.1.3.2). */
export const WILL_BIT = 1 << 16;

const P = PacketType;
const b = (...types: number[]): number => types.reduce((m, t) => m | (1 << t), 0);
const ALL_WITH_PROPS = b(P.CONNECT, P.CONNACK, P.PUBLISH, P.PUBACK, P.PUBREC, P.PUBREL, P.PUBCOMP,
  P.SUBSCRIBE, P.SUBACK, P.UNSUBSCRIBE, P.UNSUBACK, P.DISCONNECT, P.AUTH) | WILL_BIT;
const ACKS = b(P.CONNACK, P.PUBACK, P.PUBREC, P.PUBREL, P.PUBCOMP, P.SUBACK, P.UNSUBACK, P.DISCONNECT, P.AUTH);

const DEFS: PropertyDef[] = [
  { id: 0x01, name: 'Payload Format Indicator', type: 'byte', allowedIn: b(P.PUBLISH) | WILL_BIT },
  { id: 0x02, name: 'Message Expiry Interval', type: 'u32', allowedIn: b(P.PUBLISH) | WILL_BIT },
  { id: 0x03, name: 'Content Type', type: 'utf8', allowedIn: b(P.PUBLISH) | WILL_BIT },
  { id: 0x08, name: 'Response Topic', type: 'utf8', allowedIn: b(P.PUBLISH) | WILL_BIT },
  { id: 0x09, name: 'Correlation Data', type: 'binary', allowedIn: b(P.PUBLISH) | WILL_BIT },
  { id: 0x0b, name: 'Subscription Identifier', type: 'varint', allowedIn: b(P.PUBLISH, P.SUBSCRIBE) },
  { id: 0x11, name: 'Session Expiry Interval', type: 'u32', allowedIn: b(P.CONNECT, P.CONNACK, P.DISCONNECT) },
  { id: 0x12, name: 'Assigned Client Identifier', type: 'utf8', allowedIn: b(P.CONNACK) },
  { id: 0x13, name: 'Server Keep Alive', type: 'u16', allowedIn: b(P.CONNACK) },
  { id: 0x15, name: 'Authentication Method', type: 'utf8', allowedIn: b(P.CONNECT, P.CONNACK, P.AUTH) },
  { id: 0x16, name: 'Authentication Data', type: 'binary', allowedIn: b(P.CONNECT, P.CONNACK, P.AUTH) },
  { id: 0x17, name: 'Request Problem Information', type: 'byte', allowedIn: b(P.CONNECT) },
  { id: 0x18, name: 'Will Delay Interval', type: 'u32', allowedIn: WILL_BIT },
  { id: 0x19, name: 'Request Response Information', type: 'byte', allowedIn: b(P.CONNECT) },
  { id: 0x1a, name: 'Response Information', type: 'utf8', allowedIn: b(P.CONNACK) },
  { id: 0x1c, name: 'Server Reference', type: 'utf8', allowedIn: b(P.CONNACK, P.DISCONNECT) },
  { id: 0x1f, name: 'Reason String', type: 'utf8', allowedIn: ACKS },
  { id: 0x21, name: 'Receive Maximum', type: 'u16', allowedIn: b(P.CONNECT, P.CONNACK) },
  { id: 0x22, name: 'Topic Alias Maximum', type: 'u16', allowedIn: b(P.CONNECT, P.CONNACK) },
  { id: 0x23, name: 'Topic Alias', type: 'u16', allowedIn: b(P.PUBLISH) },
  { id: 0x24, name: 'Maximum QoS', type: 'byte', allowedIn: b(P.CONNACK) },
  { id: 0x25, name: 'Retain Available', type: 'byte', allowedIn: b(P.CONNACK) },
  { id: 0x26, name: 'User Property', type: 'pair', allowedIn: ALL_WITH_PROPS },
  { id: 0x27, name: 'Maximum Packet Size', type: 'u32', allowedIn: b(P.CONNECT, P.CONNACK) },
  { id: 0x28, name: 'Wildcard Subscription Available', type: 'byte', allowedIn: b(P.CONNACK) },
  { id: 0x29, name: 'Subscription Identifier Available', type: 'byte', allowedIn: b(P.CONNACK) },
  { id: 0x2a, name: 'Shared Subscription Available', type: 'byte', allowedIn: b(P.CONNACK) },
];

/** Indexed by identifier (ids are one byte on the wire; all assigned ids are < 0x2b). */
export const PROPERTY_DEFS: ReadonlyArray<PropertyDef | undefined> = (() => {
  const t: Array<PropertyDef | undefined> = new Array(256).fill(undefined);
  for (const d of DEFS) t[d.id] = d;
  return t;
})();

export const ALL_PROPERTY_DEFS: readonly PropertyDef[] = DEFS;

export function propertyDef(id: number): PropertyDef | undefined {
  return PROPERTY_DEFS[id & 0xff];
}

/**
 * Properties that may appear more than once (§3.3.2.3.8 Subscription Identifier in PUBLISH,
 * §2.2.2.2 User Property); any other repeat is a Protocol Error.
 */
export function mayRepeat(id: number, packetType: number): boolean {
  return id === 0x26 || (id === 0x0b && packetType === PacketType.PUBLISH);
}
