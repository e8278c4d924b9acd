// Reason and return code names: MQTT 5.0 §2.4 (Table 2-6) and the per-packet tables of
// chapter 3; MQTT 3.1.1 CONNACK return codes (§3.2.2.3, Table 3.1) and SUBACK (§3.9.3).

import { PacketType } from './types.js';

/** MQTT 5.0 reason code names (Table 2-6). 0x00 has a different name per packet. */
export const REASON_CODE_NAMES: Readonly<Record<number, string>> = {
  0x00: 'Success',
  0x01: 'Granted QoS 1',
  0x02: 'Granted QoS 2',
  0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers',
  0x11: 'No subscription existed',
  0x18: 'Continue authentication',
  0x19: 'Re-authenticate',
  0x80: 'Unspecified error',
  0x81: 'Malformed Packet',
  0x82: 'Protocol Error',
  0x83: 'Implementation specific error',
  0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password',
  0x87: 'Not authorized',
  0x88: 'Server unavailable',
  0x89: 'Server busy',
  0x8a: 'Banned',
  0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method',
  0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over',
  0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found',
  0x93: 'Receive Maximum exceeded',
  0x94: 'Topic Alias invalid',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'Use another server',
  0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported',
  0x9f: 'Connection rate exceeded',
  0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
};

const C = (...codes: number[]): ReadonlySet<number> => new Set(codes);

/** Which v5 reason codes each packet type may carry (chapter 3 tables). */
export const VALID_REASON_CODES: ReadonlyArray<ReadonlySet<number> | undefined> = (() => {
  const t: Array<ReadonlySet<number> | undefined> = new Array(16).fill(undefined);
  t[PacketType.CONNACK] = C(0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a,
    0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f);
  const pub = C(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99);
  t[PacketType.PUBACK] = pub;
  t[PacketType.PUBREC] = pub;
  t[PacketType.PUBREL] = C(0x00, 0x92);
  t[PacketType.PUBCOMP] = C(0x00, 0x92);
  t[PacketType.SUBACK] = C(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2);
  t[PacketType.UNSUBACK] = C(0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91);
  t[PacketType.DISCONNECT] = C(0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f,
    0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2);
  t[PacketType.AUTH] = C(0x00, 0x18, 0x19);
  return t;
})();

/** Spec name of a v5 reason code as used in `packetType`, or undefined when not valid there. */
export function reasonCodeName(packetType: number, code: number): string | undefined {
  const valid = VALID_REASON_CODES[packetType];
  if (!valid || !valid.has(code)) return undefined;
  if (code === 0x00) {
    if (packetType === PacketType.SUBACK) return 'Granted QoS 0';
    if (packetType === PacketType.DISCONNECT) return 'Normal disconnection';
  }
  return REASON_CODE_NAMES[code];
}

export function isValidReasonCode(packetType: number, code: number): boolean {
  return VALID_REASON_CODES[packetType]?.has(code) ?? false;
}

/** MQTT 3.1 / 3.1.1 CONNACK return codes (3.1.1 Table 3.1). */
export const CONNACK_RETURN_CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'Connection Accepted',
  1: 'Connection Refused, unacceptable protocol version',
  2: 'Connection Refused, identifier rejected',
  3: 'Connection Refused, Server unavailable',
  4: 'Connection Refused, bad user name or password',
  5: 'Connection Refused, not authorized',
};

/** MQTT 3.1.1 SUBACK return codes (§3.9.3). */
export const SUBACK_RETURN_CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'Success - Maximum QoS 0',
  1: 'Success - Maximum QoS 1',
  2: 'Success - Maximum QoS 2',
  0x80: 'Failure',
};
