// Cross-connection correlation. A capture at the broker sees publisher → broker and
// broker → subscriber. When a message enters the broker (a client PUBLISH, a will, a retained
// message owed to a new subscription, a message queued for an offline session) we record an
// Expectation on each visible subscriber connection that should receive it; a broker → client
// PUBLISH fills the oldest open expectation with the same topic, payload (hash + length) on that
// connection whose QoS and RETAIN flag it fits (one message can be owed several times over, at
// different QoS and RETAIN: a queued copy per overlapping subscription and the retained copy for
// a new one), else the oldest. So "published, forwarded to these subscribers at this QoS" is one
// story, and what was never forwarded is left open for the pass that owns the expectation's kind.

import type { ConnState, Sub } from './session.js';

export type ExpectationKind =
  | 'route' // a live publish matching an established subscription
  | 'retained' // the retained message owed to a new subscription
  | 'retained-forbidden' // a retained message v5 Retain Handling says must NOT be sent
  | 'will' // a will that must be published
  | 'will-forbidden' // a will that must NOT be published (clean DISCONNECT, or not yet due)
  | 'no-local' // a client's own publish, which its v5 No Local subscription must NOT get back
  | 'queued' // QoS 1/2 kept for an offline persistent session
  | 'queued0' // QoS 0 published while offline (delivering it is optional)
  | 'copy'; // a further copy for another overlapping subscription: allowed, never owed (MQTT-3.3.5-1, 5.0 §3.3.4)

/** Where the message came from. Shared by all expectations it caused. */
export interface Source {
  kind: 'publish' | 'will' | 'retained' | 'queued';
  topic: string;
  hash: number;
  len: number;
  qos: number;
  retain: boolean;
  frame: number;
  time: number;
  /** Publisher connection id (-1 when not a client publish seen in the capture). */
  connId: number;
  clientId: string | null;
  /** v5: the broker refused it (PUBACK/PUBREC reason >= 0x80), so nothing is owed. */
  refused: boolean;
  deliveries: number;
  /** Free text for messages (e.g. how the will's connection ended). */
  note: string;
  /** A QoS 2 publish not yet released by PUBREL: a broker may hold it back until then
   *  (§4.3.3 Method B), so nothing is owed yet. */
  unreleased: boolean;
  /** Bytes of the PUBLISH that carries it: the publisher's packet when seen, else an estimate
   *  (for a v5 Maximum Packet Size, MQTT-3.1.2-24). */
  size: number;
}

export interface Expectation {
  kind: ExpectationKind;
  source: Source;
  conn: ConnState;
  /** The subscription it is owed to (null for queued ones judged by the session). */
  sub: Sub | null;
  /** Expected delivery QoS: min(published, max granted) (MQTT-3.8.4-6). */
  qos: number;
  /** Bit q set when QoS q is also acceptable (one copy per overlapping subscription). */
  qosOk: number;
  /** The RETAIN flag the delivery must carry: 1 set, 0 clear, -1 either (see expectedRetain). */
  retain: number;
  /** The subscriber changed its subscriptions about when the message came (markRaced): the broker
   *  may have taken the change first, so whether and how it is owed is not known. */
  raced: boolean;
  time: number;
  filled: boolean;
  /** Delivery frame once filled. */
  frame: number;
}

export function newSource(kind: Source['kind'], topic: string, hash: number, len: number, qos: number, retain: boolean,
  frame: number, time: number, connId: number, clientId: string | null): Source {
  return {
    kind, topic, hash, len, qos, retain, frame, time, connId, clientId, refused: false, deliveries: 0, note: '', unreleased: kind === 'publish' && qos === 2,
    // fixed header (at most 5), topic (its length in UTF-16 units: ASCII mostly), packet id, properties length
    size: 5 + 2 + topic.length + 2 + 1 + len,
  };
}

/** Bytes a broker's copy of a PUBLISH may differ by from the publisher's (a packet id, a
 *  Subscription Identifier, a topic alias resolved, a longer Remaining Length). */
export const PACKET_SIZE_SLACK = 16;

/** Record that `conn` should receive `source`. Returns false when the connection's cap is hit. */
export function expect(conn: ConnState, kind: ExpectationKind, source: Source, sub: Sub | null, qos: number,
  qosOk: number, time: number, cap: number): boolean {
  // v5: a PUBLISH larger than the client's Maximum Packet Size is discarded "as if it had
  // completed sending" (MQTT-3.1.2-24): not owed, and within the slack not known either way.
  if (source.size + PACKET_SIZE_SLACK > conn.clientMaxPacket) return true;
  if (conn.expects.length - conn.expHead >= cap) {
    conn.expectOverflow = true;
    return false;
  }
  conn.expects.push({ kind, source, conn, sub, qos, qosOk, retain: retainRule(kind, source, conn, sub), raced: false, time, filled: false, frame: 0 });
  return true;
}

/** The RETAIN flag a delivery of `kind` must carry (1 set, 0 clear, -1 either): 1 for a retained
 *  message sent because of a new subscription (MQTT-3.3.1-8); on live forwarding 0 in 3.1.1
 *  (MQTT-3.3.1-9), and in 5.0 as published under Retain As Published, else 0 (MQTT-3.3.1-12,
 *  -13). Fixed when the expectation is made: none of what it depends on changes later. */
function retainRule(kind: ExpectationKind, source: Source, conn: ConnState, sub: Sub | null): number {
  if (kind === 'retained') return 1;
  if (kind !== 'route' || sub === null) return -1;
  return conn.version === 5 && sub.retainAsPublished && source.retain ? 1 : 0;
}

/** What a delivery is recognised by. `hash` may be computed on demand: it is read only for an
 *  open expectation with the same length and topic. */
export interface DeliveryKey {
  readonly topic: string;
  readonly len: number;
  readonly hash: number;
}

/**
 * A broker → client PUBLISH on `conn`, delivered at `qos` with `retain`. It fills, among the open
 * expectations with its topic and payload, the oldest of the first kind there is:
 * 1. an owed one it fits, RETAIN flag included (a retained copy for RETAIN=1, a live forward);
 * 2. an owed one it fits whatever its RETAIN flag (a queued message);
 * 3. a further copy it fits (a copy never takes what an owed one could);
 * 4. an owed one it does not fit (its pass then reports the wrong QoS or RETAIN);
 * 5. a forbidden one: only a delivery nothing else explains (a later normal publish may carry
 *    the same payload).
 * On a connection owed messages the analysis did not keep (conn.untrackedQueued), a delivery that
 * fits nothing may be one of those: it fills nothing rather than 4 or 5.
 */
export function fillDelivery(conn: ConnState, key: DeliveryKey, frame: number, qos: number, retain: boolean): Expectation | null {
  const ex = conn.expects;
  const topic = key.topic;
  const len = key.len;
  let anyRetain: Expectation | null = null;
  let copy: Expectation | null = null;
  let owed: Expectation | null = null;
  let forbidden: Expectation | null = null;
  for (let i = conn.expHead; i < ex.length; i++) {
    const e = ex[i]!;
    if (e.filled) continue;
    const s = e.source;
    if (s.len !== len || s.topic !== topic || s.hash !== key.hash) continue;
    if (isForbidden(e.kind)) {
      if (forbidden === null) forbidden = e;
    } else if ((e.qosOk & (1 << qos)) === 0) {
      if (owed === null && e.kind !== 'copy') owed = e;
    } else if (e.kind === 'copy') {
      if (copy === null) copy = e;
    } else if (e.retain < 0) {
      if (anyRetain === null) anyRetain = e;
    } else if ((e.retain === 1) === retain) {
      return fill(e, frame);
    } else if (owed === null) {
      owed = e;
    }
  }
  if (anyRetain !== null) return fill(anyRetain, frame);
  if (copy !== null) return fill(copy, frame);
  if (conn.untrackedQueued) return null;
  if (owed !== null) return fill(owed, frame);
  return forbidden === null ? null : fill(forbidden, frame);
}

/** The RETAIN flag a delivery filling `e` must carry, or null when either will do. */
export function expectedRetain(e: Expectation): boolean | null {
  return e.retain < 0 ? null : e.retain === 1;
}

/** Kinds that record a delivery that must NOT happen: filled only by a delivery nothing else
 *  explains, and never missed. */
export function isForbidden(kind: ExpectationKind): boolean {
  return kind === 'will-forbidden' || kind === 'no-local' || kind === 'retained-forbidden';
}

function fill(e: Expectation, frame: number): Expectation {
  e.filled = true;
  e.frame = frame;
  e.source.deliveries++;
  return e;
}

/** Can a missing delivery owed since `since` be judged at time `at`? The subscriber's
 *  broker → client direction must be visible without gap, and the broker must have had
 *  `window` seconds while the connection was open. */
export function missObservable(conn: ConnState, since: number, at: number, window: number): boolean {
  if (conn.gapS2C <= at) return false;
  const openUntil = conn.end !== null ? conn.endTime : at;
  return openUntil - since >= window;
}

/** Seconds between a publish and a change of a subscriber's subscriptions within which the
 *  capture cannot tell which the broker took first (they arrive on different connections). */
export const RACE_WINDOW = 0.5;

/** The subscriber on `conn` sent a SUBSCRIBE or UNSUBSCRIBE at `since`, or had it acknowledged:
 *  every open expectation of a client's publish from RACE_WINDOW before the change until now
 *  may follow the subscriptions before it or after it. (Retained and queued messages are owed
 *  by the SUBSCRIBE or CONNACK itself: no race.) */
export function markRaced(conn: ConnState, since: number): void {
  const ex = conn.expects;
  const from = since - RACE_WINDOW;
  for (let i = conn.expHead; i < ex.length; i++) {
    const e = ex[i]!;
    if (!e.filled && e.source.kind === 'publish' && e.source.time >= from) e.raced = true;
  }
}

/** Release expectations up to the first still-open one (keeps the array from growing). */
export function compactExpectations(conn: ConnState): void {
  const ex = conn.expects;
  while (conn.expHead < ex.length && ex[conn.expHead]!.filled) conn.expHead++;
  if (conn.expHead > 1024 && conn.expHead * 2 > ex.length) {
    conn.expects = ex.slice(conn.expHead);
    conn.expHead = 0;
  } else if (conn.expHead === ex.length && ex.length > 0) {
    ex.length = 0;
    conn.expHead = 0;
  }
}
