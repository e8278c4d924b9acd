// The shared session model the passes read: brokers (one per server endpoint), clients by client
// id across reconnects, their sessions and subscriptions, and per-connection state (what was
// negotiated, what the capture can see, how it ended). The Analyzer keeps it up to date before
// the passes look at each message.

import type { ConnectionInfo } from '../pipeline/events.js';
import type { ConnackPacket, ConnectPacket, MqttVersion, Property } from '../mqtt/types.js';
import type { EndKind } from './schema.js';
import type { Expectation, Source } from './correlation.js';
import type { ClientSummary, TopicSummary } from './schema.js';
import { FilterTrie, TopicTrie, topicLevels, type CachedMatch } from './filter-trie.js';
import { sharedSubscriptionFilter, topicFilterProblem, topicMatches } from './topic.js';

export interface WillInfo {
  topic: string;
  hash: number;
  len: number;
  qos: number;
  retain: boolean;
  /** v5 Will Delay Interval (seconds), 0 in 3.1.1. */
  delay: number;
  /** The message as text, for people (willText). */
  text: string;
}

/** Characters of a will message shown in the summary. */
const WILL_TEXT_MAX = 200;

/** A will message as UTF-8 text (U+FFFD where it is not), cut after WILL_TEXT_MAX characters. */
export function willText(payload: Uint8Array): string {
  const s = Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.length, 4 * WILL_TEXT_MAX)).toString('utf8');
  return s.length > WILL_TEXT_MAX ? s.slice(0, WILL_TEXT_MAX) + '…' : s;
}

/** One subscription of a session. */
export interface Sub {
  /** As sent in SUBSCRIBE (may be "$share/g/..."). */
  filter: string;
  /** The filter matched against topic names (the part after "$share/g/"). */
  match: string;
  shared: boolean;
  valid: boolean;
  requestedQos: number;
  /** Granted QoS (0-2) or failure code (>= 0x80); null until the SUBACK is seen. */
  granted: number | null;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
  subscribeFrame: number;
  subscribeTime: number;
  /** SUBACK frame, 0 until seen. */
  ackFrame: number;
  ackTime: number;
  /** The SUBSCRIBE replaced an existing subscription with the same filter. */
  replaced: boolean;
  /** Frame of the UNSUBSCRIBE that removed it, 0 while active. */
  removedFrame: number;
  session: Session;
  /** Position among the broker's active subscriptions (activation order), 0 while inactive. */
  activeSeq: number;
}

export interface Session {
  clientId: string;
  subs: Map<string, Sub>;
  /** Every subscription of the session was seen (fresh session seen from its CONNECT). */
  subsKnown: boolean;
  /** Survives the network connection (3.1.1 CleanSession=0, 5.0 Session Expiry > 0). */
  persistent: boolean;
  /** v5 Session Expiry Interval in seconds (0xFFFFFFFF = never); 3.1.1: never when persistent. */
  expiry: number;
  /** The connection currently using the session, null while offline. */
  conn: ConnState | null;
  /** When the broker started it (a broker restart after this may have ended it). */
  since: number;
  /** When the broker last closed its connection, its only one open, for no reason the capture
   *  shows (no takeover, no silence past the Keep Alive): a restart of a broker with one client
   *  looks so, and it may have discarded the session. -Infinity: never. */
  droppedAt: number;
  /** The last topic found to match one of `subs` (sessionMatches): subscriptions are never
   *  dropped from `subs` nor changed, so a topic that matched once matches for good. */
  matchedTopic: string;
}

export interface QueuedMessage {
  topic: string;
  hash: number;
  len: number;
  qos: number;
  frame: number;
  time: number;
}

/** A message queued for an offline session, as the broker owes it: at `qos` (the highest its
 *  matching subscriptions give), and in `copies` copies in all, one per matching subscription,
 *  the others at a QoS in `qosOk` (bit q: QoS q); until `expires` (v5 Message Expiry
 *  Interval, MQTT-3.3.2-5; Infinity without one). */
export interface QueuedCopies extends QueuedMessage {
  qosOk: number;
  copies: number;
  expires: number;
}

/** Numbers per queued message: hash, len, qos, frame, time, qosOk, copies, expires. */
const QUEUED_NUMS = 8;

/** Messages queued for an offline persistent session, oldest first, stored flat (a topic
 *  reference and eight numbers each, no object or boxed number per message): a session keeps up
 *  to maxQueuedPerSession of them for as long as sessionWindow, so on a capture shorter than that
 *  they add up over every persistent client that went away. */
export class MessageQueue {
  private topics: string[] = [];
  private nums: Float64Array = NO_NUMS;

  get length(): number {
    return this.topics.length;
  }

  push(topic: string, hash: number, len: number, qos: number, frame: number, time: number, qosOk: number, copies: number, expires: number): void {
    const i = this.topics.length * QUEUED_NUMS;
    if (i + QUEUED_NUMS > this.nums.length) {
      const grown = new Float64Array(Math.max(8 * QUEUED_NUMS, this.nums.length * 2));
      grown.set(this.nums);
      this.nums = grown;
    }
    const n = this.nums;
    n[i] = hash;
    n[i + 1] = len;
    n[i + 2] = qos;
    n[i + 3] = frame;
    n[i + 4] = time;
    n[i + 5] = qosOk;
    n[i + 6] = copies;
    n[i + 7] = expires;
    this.topics.push(topic);
  }

  /** Message `i` (0 = oldest). */
  at(i: number): QueuedCopies {
    const n = this.nums;
    const k = i * QUEUED_NUMS;
    return {
      topic: this.topics[i]!, hash: n[k]!, len: n[k + 1]!, qos: n[k + 2]!, frame: n[k + 3]!, time: n[k + 4]!,
      qosOk: n[k + 5]!, copies: n[k + 6]!, expires: n[k + 7]!,
    };
  }

  /** Empty it and let its storage go. */
  clear(): void {
    if (this.topics.length === 0 && this.nums === NO_NUMS) return;
    this.topics = [];
    this.nums = NO_NUMS;
  }
}

const NO_NUMS = new Float64Array(0);

/** A retained message: what a queued one has, plus where it came from and its order. */
export interface RetainedEntry extends QueuedMessage {
  /** The publish that set it (null for a will): a QoS 2 one counts once released. */
  source: Source | null;
  /** Order of insertion into Broker.retained (Map order), to list matches in that order. */
  seq: number;
}

/** A subscription of an offline session, as held in the broker's offline index. */
export interface OfflineSub {
  client: ClientRecord;
  sub: Sub;
}

export interface ClientRecord {
  clientId: string;
  broker: Broker;
  /** Its row in the clients summary table, null when the table was full (folded). */
  row: ClientSummary | null;
  online: ConnState | null;
  /** Open connections that carry this client id (the record is never dropped while > 0). */
  conns: number;
  /** While offline: when the record may be forgotten (session expired and the away window
   *  passed); Infinity while online. */
  keepUntil: number;
  /** While offline: its subscriptions in the broker's offline index. */
  offlineSubs: OfflineSub[] | null;
  /** The session as last known (kept while offline when persistent). */
  session: Session | null;
  offlineSince: number;
  lastEnd: EndKind | null;
  /** Matching messages published while offline (persistent sessions keep QoS 1/2 ones). */
  queued: MessageQueue;
  queuedOverflow: boolean;
  /** Matching messages published while offline, counted for non-persistent sessions. */
  awayMatches: number;
  /** Scratch for grouping a publish's matching offline subscriptions per client. */
  tmpSeq: number;
  tmpGranted: number;
  /** (bit q: a matching subscription gives QoS q; and how many match) */
  tmpQosOk: number;
  tmpCount: number;
}

export interface Broker {
  key: string;
  /** On a loopback address: the capture is on the broker host. Elsewhere (a public broker,
   *  a capture on one client's host) clients outside the capture may change shared state
   *  (retained messages, sessions), so absence-based findings are weaker there. */
  local: boolean;
  retained: Map<string, RetainedEntry>;
  /** The same entries by topic level, for the filters of new subscriptions. */
  retainedIndex: TopicTrie<RetainedEntry>;
  retainedSeq: number;
  retainedOverflow: boolean;
  clients: Map<string, ClientRecord>;
  clientsOverflow: boolean;
  /** Subscriptions acknowledged (SUBACK seen, success) on open connections, by filter. */
  active: FilterTrie<Sub>;
  activeSeq: number;
  /** Established subscriptions of offline clients still remembered: candidates for
   *  messages queued (persistent sessions) or missed (clean ones) while away. */
  offline: FilterTrie<OfflineSub>;
  /** The current client publish's matches in `offline`, filled by the Analyzer before the
   *  passes see the publish (reused: no allocation per publish). */
  offlineBuf: OfflineSub[];
  /** Its MQTT connections open now (not TLS ones: the analysis sees nothing of those). */
  open: number;
  /** When it last closed every open connection at once, or told a v5 client it is shutting
   *  down (-Infinity: never): a restart, perhaps, after which it may hold no session and no
   *  retained message (MQTT 3.1.1 §4.1: stored state may be discarded). */
  resetTime: number;
  resetFrame: number;
  /** Its closes of connections within RESET_WINDOW of the first (brokerClosed). */
  closesFrom: number;
  closes: number;
  /** Connections open when that run of closes began. */
  closesOf: number;
}

/** Forget the broker's retained messages: after a possible restart it may hold none of them. */
export function forgetRetained(b: Broker): void {
  b.retained.clear();
  b.retainedIndex = new TopicTrie<RetainedEntry>();
}

/** Seconds within which a broker's closes of all its connections count as one restart. */
export const RESET_WINDOW = 1;

/** The broker closed connection `c` (FIN, RST or a DISCONNECT of its own, no client DISCONNECT
 *  before): at the end of a run in which it closed every connection open at its start, two at
 *  least, or on a v5 DISCONNECT 0x8B "Server shutting down", it may have restarted. */
export function brokerClosed(b: Broker, c: ConnState): void {
  const t = c.endTime;
  if (t - b.closesFrom > RESET_WINDOW) {
    b.closesFrom = t;
    b.closes = 0;
    b.closesOf = b.open;
  }
  b.closes++;
  if ((b.closesOf >= 2 && b.closes >= b.closesOf) || c.disconnectReason === 0x8b) {
    b.resetTime = t;
    b.resetFrame = c.endFrame;
  }
}

export interface ConnState {
  info: ConnectionInfo;
  id: number;
  broker: Broker;
  client: ClientRecord | null;
  session: Session | null;
  clientId: string | null;
  version: MqttVersion | null;
  connects: number;
  connectFrame: number;
  connectTime: number;
  /** Type of the first client→broker packet, '' until one is seen. */
  firstC2SType: string;
  /** The capture saw this connection from its CONNECT (the first client packet). */
  fromConnect: boolean;
  protocolName: string;
  protocolLevel: number;
  keepAlive: number | null;
  serverKeepAlive: number | null;
  cleanSession: boolean | null;
  sessionExpiry: number | null;
  will: WillInfo | null;
  connackFrame: number;
  connackTime: number;
  connackCode: number | null;
  sessionPresent: boolean | null;
  c2s: number;
  s2c: number;
  firstFrame: number;
  lastFrame: number;
  firstTime: number;
  lastTime: number;
  lastC2STime: number;
  lastS2CTime: number;
  maxSilence: number;
  /** Time of the first capture gap in each direction, Infinity when none. */
  gapC2S: number;
  gapS2C: number;
  end: EndKind | null;
  endFrame: number;
  endTime: number;
  disconnectReason: number | null;
  /** A later CONNECT with the same client id took the session over (MQTT-3.1.4-2). */
  takenOver: boolean;
  finalized: boolean;
  aliasC2S: Map<number, string> | null;
  aliasS2C: Map<number, string> | null;
  pendingSub: Map<number, Sub[]>;
  /** v5 Maximum Packet Size each side accepts: the client's from its CONNECT (the broker must
   *  not send it more, MQTT-3.1.2-25), the broker's from its CONNACK (MQTT-3.2.2-15); Infinity
   *  without one. */
  clientMaxPacket: number;
  serverMaxPacket: number;
  /** SUBSCRIBE/UNSUBSCRIBE packets sent and not yet acknowledged, and when the first was sent
   *  (Infinity when none): the span in which the broker may take a change before a publish. */
  subChanges: number;
  subChangeSince: number;
  /** Deliveries the broker owes this connection, oldest first from expHead. */
  expects: Expectation[];
  expHead: number;
  expectOverflow: boolean;
  /** The resumed session was owed more queued messages than the analysis kept
   *  (maxQueuedPerSession): a delivery that fits no expectation may be one of them. */
  untrackedQueued: boolean;
  /** Per-pass state, indexed by the pass' position in the registry. */
  slots: unknown[];
  pings: number;
  pingLatencyMax: number | null;
  pingLatencySum: number;
  /** Broker → client QoS 1/2 handshakes the client has not completed: while any is open the
   *  broker may hold further QoS 1/2 messages back (flow control, 5.0 §4.9 Receive Maximum;
   *  3.1.1 brokers' in-flight windows). Kept by the qos pass. */
  s2cInflight: number;
  /** At CONNACK: the client's session as it was before this connection (null if none seen). */
  prevSession: Session | null;
  prevOfflineSince: number;
  /** At CONNACK: the client's other connection was still open (a takeover). */
  prevOnline: ConnState | null;
  /** Scratch for grouping a publish's matching subscriptions per connection, no allocation. */
  tmpSeq: number;
  tmpMaxGranted: number;
  tmpQosOk: number;
  /** Its subscriptions the message matches (one copy each is allowed, MQTT-3.3.5-1). */
  tmpCount: number;
  tmpSub: Sub | null;
  /** The TopicInfo of this connection's last PUBLISH in each direction: a client mostly
   *  publishes (and a subscriber mostly receives) one topic again and again, so comparing the
   *  topic with the last one spares hashing it for the Analyzer's topic cache. */
  pubInfoC2S: TopicInfo | null;
  pubInfoS2C: TopicInfo | null;
}

/** What the Analyzer knows about a topic name, looked up once per PUBLISH. */
export interface TopicInfo {
  /** The topic name as first seen: one string for every record that keeps the topic (sources,
   *  queued and retained messages) instead of each packet's own copy, and equal topics then
   *  compare by reference. */
  topic: string;
  /** Its row in the topics summary (null once the table is full: rows are never removed). */
  row: TopicSummary | null;
  levels: readonly string[];
  /** The topic's cached matches in the tries of `broker` (the last one published to): no
   *  lookup by topic in the tries while it stays the same. */
  broker: Broker | null;
  active: CachedMatch<Sub> | null;
  offline: CachedMatch<OfflineSub> | null;
}

export function newBroker(key: string, addr = ''): Broker {
  return {
    key, local: addr === '::1' || addr.startsWith('127.'), retained: new Map(), retainedIndex: new TopicTrie(), retainedSeq: 0, retainedOverflow: false, clients: new Map(), clientsOverflow: false,
    active: new FilterTrie<Sub>(byActivation), activeSeq: 0, offline: new FilterTrie<OfflineSub>(), offlineBuf: [],
    open: 0, resetTime: -Infinity, resetFrame: 0, closesFrom: -Infinity, closes: 0, closesOf: 0,
  };
}

export function newConnState(info: ConnectionInfo, broker: Broker, passes: number): ConnState {
  return {
    info, id: info.id, broker, client: null, session: null, clientId: null, version: null,
    connects: 0, connectFrame: 0, connectTime: 0, firstC2SType: '', fromConnect: false,
    protocolName: '', protocolLevel: 0, keepAlive: null, serverKeepAlive: null, cleanSession: null,
    sessionExpiry: null, will: null, connackFrame: 0, connackTime: 0, connackCode: null,
    sessionPresent: null, c2s: 0, s2c: 0, firstFrame: info.firstFrame, lastFrame: info.firstFrame,
    firstTime: info.firstTime, lastTime: info.firstTime, lastC2STime: -1, lastS2CTime: -1, maxSilence: 0,
    gapC2S: Infinity, gapS2C: Infinity, end: null, endFrame: 0, endTime: 0, disconnectReason: null,
    takenOver: false, finalized: false, aliasC2S: null, aliasS2C: null, pendingSub: new Map(), clientMaxPacket: Infinity, serverMaxPacket: Infinity, subChanges: 0, subChangeSince: Infinity,
    expects: [], expHead: 0, expectOverflow: false, untrackedQueued: false, slots: new Array<unknown>(passes).fill(null),
    pings: 0, pingLatencyMax: null, pingLatencySum: 0, s2cInflight: 0, prevSession: null, prevOfflineSince: 0, prevOnline: null, tmpSeq: 0, tmpMaxGranted: 0, tmpQosOk: 0, tmpCount: 0, tmpSub: null,
    pubInfoC2S: null, pubInfoS2C: null,
  };
}

export function propNumber(props: Property[] | undefined, id: number): number | null {
  if (props === undefined) return null;
  for (let i = 0; i < props.length; i++) {
    const p = props[i]!;
    if (p.id === id && typeof p.value === 'number') return p.value;
  }
  return null;
}

export const PROP_SESSION_EXPIRY = 0x11;
export const PROP_MAX_PACKET_SIZE = 0x27;
export const PROP_SERVER_KEEP_ALIVE = 0x13;
export const PROP_WILL_DELAY = 0x18;
export const PROP_TOPIC_ALIAS = 0x23;
export const PROP_MESSAGE_EXPIRY = 0x02;

/**
 * A 32-bit hash of the payload: deliveries are matched to publishes by topic + hash + length.
 * MurmurHash3's block step on little-endian 32-bit words, in two interleaved lanes (even and
 * odd words: two independent chains), the 0-7 bytes left packed into words of the first lane,
 * then each lane finalised (fmix32) and the two combined. Each step is a bijection of its lane,
 * so payloads of one length that differ in one lane's words only never collide, and the block
 * mix spreads every input bit over the whole word. (FNV's multiply-only step used before moves
 * bits upward only: payloads differing in the top byte of several words, such as "m850" and
 * "m857" repeated, collided one time in 256 and their deliveries were mixed up.) Never shown,
 * only compared. (Bytes assembled by hand: a DataView or Int32Array per payload measured slower.)
 */
export function payloadHash(b: Uint8Array): number {
  const n = b.length;
  let h1 = 0x9747b28c ^ n;
  let h2 = 0x5bd1e995;
  let i = 0;
  for (const end = n - 7; i < end; i += 8) {
    h1 = murmurStep(h1, b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    h2 = murmurStep(h2, b[i + 4]! | (b[i + 5]! << 8) | (b[i + 6]! << 16) | (b[i + 7]! << 24));
  }
  // 0-7 bytes left: whole words as blocks, the last 1-3 bytes as one more (zero-padded).
  let k = 0;
  let shift = 0;
  for (; i < n; i++) {
    k |= b[i]! << shift;
    shift += 8;
    if (shift === 32) {
      h1 = murmurStep(h1, k);
      k = 0;
      shift = 0;
    }
  }
  if (shift > 0) h1 = murmurStep(h1, k);
  return (fmix32(h1) ^ Math.imul(fmix32(h2), 0x9e3779b1)) >>> 0;
}

function murmurStep(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The effective Keep Alive: v5 Server Keep Alive overrides the client's (5.0 §3.2.2.3.14). */
export function effectiveKeepAlive(c: ConnState): number | null {
  return c.serverKeepAlive ?? c.keepAlive;
}

/** The capture saw every client packet since CONNECT and every broker packet. */
export function sawWholeConnection(c: ConnState): boolean {
  return c.fromConnect && c.gapC2S === Infinity && c.gapS2C === Infinity;
}

export function applyConnect(c: ConnState, p: ConnectPacket, frame: number, time: number, version: MqttVersion): void {
  c.connects++;
  if (c.connects > 1) return; // a second CONNECT is a protocol violation; it changes nothing
  c.connectFrame = frame;
  c.connectTime = time;
  if (c.c2s === 1 && c.gapC2S === Infinity) c.fromConnect = true;
  c.clientId = p.clientId;
  c.version = version;
  c.protocolName = p.protocolName;
  c.protocolLevel = p.protocolLevel;
  c.keepAlive = p.keepAlive;
  c.cleanSession = p.cleanSession;
  c.sessionExpiry = version === 5 ? (propNumber(p.properties, PROP_SESSION_EXPIRY) ?? 0) : null;
  if (version === 5) c.clientMaxPacket = propNumber(p.properties, PROP_MAX_PACKET_SIZE) ?? Infinity;
  if (p.willFlag && p.willTopic !== undefined) {
    const payload = p.willPayload ?? new Uint8Array(0);
    c.will = {
      topic: p.willTopic, hash: payloadHash(payload), len: payload.length, text: willText(payload), qos: p.willQos, retain: p.willRetain,
      delay: version === 5 ? (propNumber(p.willProperties, PROP_WILL_DELAY) ?? 0) : 0,
    };
  }
}

/** Does the session outlive the connection? 3.1.1: CleanSession=0. 5.0: Session Expiry > 0. */
export function sessionPersistent(c: ConnState): boolean {
  if (c.version === 5) return (c.sessionExpiry ?? 0) > 0;
  return c.cleanSession === false;
}

export function applyConnack(c: ConnState, p: ConnackPacket, frame: number, time: number): void {
  if (c.connackFrame !== 0) return;
  c.connackFrame = frame;
  c.connackTime = time;
  c.connackCode = p.returnCode;
  c.sessionPresent = c.version === 3 ? resumesV31(c, p.returnCode) : p.sessionPresent;
  if (c.version === 5) {
    c.serverKeepAlive = propNumber(p.properties, PROP_SERVER_KEEP_ALIVE);
    c.serverMaxPacket = propNumber(p.properties, PROP_MAX_PACKET_SIZE) ?? Infinity;
    const se = propNumber(p.properties, PROP_SESSION_EXPIRY);
    if (se !== null) c.sessionExpiry = se;
  }
}

/**
 * MQTT 3.1's CONNACK has no Session Present flag (3.1.1 added it): a broker resumes the session
 * of a CleanSession=0 CONNECT when it holds one, and says nothing. Inferred from what the capture
 * showed of the client: true when it left a persistent session (3.1 sessions do not expire),
 * false for CleanSession=1 or a refusal, null (unknown) otherwise.
 */
function resumesV31(c: ConnState, returnCode: number): boolean | null {
  if (returnCode !== 0 || c.cleanSession === true) return false;
  if (c.cleanSession !== false) return null;
  const prev = c.client?.session ?? null;
  return prev !== null && prev.persistent ? true : null;
}

/** Attach the connection's session once CONNACK accepted it: a resumed session keeps its
 *  subscriptions, a new one starts empty (and then every subscription is seen). */
/** Stands for the clean session of an offline client that is no longer tracked (its filters
 *  left the offline index): a returning client reads only `persistent` of it (Session Present
 *  and what was lost while away), so the subscriptions need not be kept. Never bound to a
 *  connection (bindSession resumes persistent sessions only). */
export const ENDED_CLEAN_SESSION: Readonly<Session> = Object.freeze({
  clientId: '', subs: new Map<string, Sub>(), subsKnown: false, persistent: false, expiry: 0, conn: null, since: 0, droppedAt: -Infinity, matchedTopic: '',
});

export function bindSession(c: ConnState, client: ClientRecord): void {
  const persistent = sessionPersistent(c);
  const resumed = c.sessionPresent === true && client.session !== null && client.session.persistent;
  const early = c.session; // subscriptions pipelined before the CONNACK (allowed, §3.1.4)
  if (resumed) {
    const s = client.session!;
    if (early !== null && early !== s) {
      for (const [f, sub] of early.subs) {
        // Sent before the CONNACK, taken by the broker after the session it resumed: a
        // subscription that session held is replaced, not new (v5 Retain Handling 1).
        if (subscribed(s, f)) sub.replaced = true;
        sub.session = s;
        s.subs.set(f, sub);
      }
    }
    c.session = s;
  } else if (early !== null) {
    early.since = c.connackTime;
    early.subsKnown = c.fromConnect && c.sessionPresent === false;
    early.clientId = c.clientId ?? '';
  } else {
    c.session = {
      clientId: c.clientId ?? '', subs: new Map(),
      // With Session Present=1 but no earlier session in the capture, its subscriptions predate us.
      subsKnown: c.fromConnect && c.sessionPresent === false,
      persistent: false, expiry: 0, conn: c, since: c.connackTime, droppedAt: -Infinity, matchedTopic: '',
    };
  }
  const bound = c.session!;
  bound.conn = c;
  bound.persistent = persistent;
  bound.expiry = c.version === 5 ? (c.sessionExpiry ?? 0) : (persistent ? 0xffffffff : 0);
  client.session = bound;
}

export function newSub(session: Session, filter: string, qos: number, options: number, frame: number, time: number): Sub {
  const shared = sharedSubscriptionFilter(filter);
  const match = shared ?? filter;
  return {
    filter, match, shared: shared !== null, valid: topicFilterProblem(match) === null,
    requestedQos: qos, granted: null, noLocal: (options & 0x04) !== 0, retainAsPublished: (options & 0x08) !== 0,
    retainHandling: (options >> 4) & 0x03, subscribeFrame: frame, subscribeTime: time, ackFrame: 0, ackTime: 0,
    replaced: subscribed(session, filter), removedFrame: 0, session, activeSeq: 0,
  };
}

/** Does `session` hold a subscription to `filter` now (not unsubscribed, not refused)? */
export function subscribed(session: Session, filter: string): boolean {
  const s = session.subs.get(filter);
  return s !== undefined && s.removedFrame === 0 && (s.granted === null || s.granted < 0x80);
}

/** Acknowledged, successful subscriptions on open connections matching a topic, in the order
 *  they were activated. The array is the trie's cache: read it before the next (de)activation. */
export function matchingActiveSubs(b: Broker, topic: string, levels: readonly string[] = topicLevels(topic)): readonly Sub[] {
  return b.active.matchCached(topic, levels);
}

/** Activation order (the trie returns by filter): a publish matching several subscriptions of
 *  one connection is owed to the first with the highest QoS (see Analyzer.routeTo). */
function byActivation(out: Sub[]): void {
  for (let i = 1; i < out.length; i++) {
    const s = out[i]!;
    let j = i - 1;
    while (j >= 0 && out[j]!.activeSeq > s.activeSeq) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = s;
  }
}

export function activateSub(b: Broker, s: Sub): void {
  if (s.activeSeq !== 0) return; // already active: keeps its place
  s.activeSeq = ++b.activeSeq;
  b.active.add(s.match, s.valid, s);
}

export function deactivateSub(b: Broker, s: Sub): void {
  if (s.activeSeq === 0) return;
  s.activeSeq = 0;
  b.active.remove(s.match, s.valid, s);
}

/** Subscriptions an offline session would still be sent messages on (SUBACK success, valid). */
function established(sub: Sub): boolean {
  return sub.removedFrame === 0 && sub.granted !== null && sub.granted < 0x80 && sub.valid;
}

/** The client went offline: index its established subscriptions by filter. */
export function indexOffline(b: Broker, cl: ClientRecord): void {
  unindexOffline(b, cl);
  const s = cl.session;
  if (s === null) return;
  let list: OfflineSub[] | null = null;
  for (const sub of s.subs.values()) {
    if (!established(sub)) continue;
    const e: OfflineSub = { client: cl, sub };
    (list ??= []).push(e);
    b.offline.add(sub.match, true, e);
  }
  cl.offlineSubs = list;
}

/** The client is back (or forgotten): drop it from the offline index. */
export function unindexOffline(b: Broker, cl: ClientRecord): void {
  const list = cl.offlineSubs;
  if (list === null) return;
  for (let i = 0; i < list.length; i++) b.offline.remove(list[i]!.sub.match, true, list[i]!);
  cl.offlineSubs = null;
}

/** Does any subscription of the session (active, pending or recently removed) match? */
export function sessionMatches(s: Session, topic: string): boolean {
  // a subscriber mostly receives one topic again and again (and topics are shared strings)
  if (s.matchedTopic === topic && topic.length > 0) return true;
  for (const sub of s.subs.values()) {
    if (sub.valid && topicMatches(sub.match, topic)) {
      s.matchedTopic = topic;
      return true;
    }
  }
  return false;
}

export function endpoint(e: { addr: string; port: number }): string {
  return e.addr.includes(':') ? `[${e.addr}]:${e.port}` : `${e.addr}:${e.port}`;
}
