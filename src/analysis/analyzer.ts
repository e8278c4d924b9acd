// The streaming analyzer: a DissectionSink that keeps the session model up to date, correlates
// deliveries with their publishes, and runs the registered passes. State lives per open
// connection (released when it ends) and per broker (bounded by the options' caps).

import type { CloseKind, ConnectionInfo, Direction, DissectionSink, MqttMessage } from '../pipeline/events.js';
import type { MqttPacket, PublishPacket } from '../mqtt/types.js';
import { CATALOGUE, formatMessage, type FindingId, type Severity } from './catalogue.js';
import {
  compactExpectations, expect, fillDelivery, isForbidden, markRaced, missObservable, newSource, type Expectation, type ExpectationKind,
  type Source,
} from './correlation.js';
import { resolveOptions, type AnalysisOptions, type ResolvedOptions } from './options.js';
import type { Ctx, Params, Pass } from './pass.js';
import { createPasses } from './passes/index.js';
import { topicLevels } from './filter-trie.js';
import { dirName, MinHeap, round3, round6 } from './util.js';
import type {
  AnalysisResult, ClientSummary, ConnectionSummary, Finding, FoldedRows, TopicSummary,
} from './schema.js';
import {
  activateSub, applyConnack, brokerClosed, MessageQueue, applyConnect, bindSession, deactivateSub, effectiveKeepAlive, endpoint, forgetRetained, indexOffline, matchingActiveSubs,
  newBroker, newConnState, newSub, payloadHash, propNumber, PROP_SESSION_EXPIRY, PROP_TOPIC_ALIAS, unindexOffline,
  type Broker, type ClientRecord, type ConnState, type Session, type Sub, type TopicInfo,
} from './session.js';

export type { AnalysisOptions } from './options.js';

const OWNER: Record<ExpectationKind, string> = {
  route: 'routing', retained: 'retain', 'retained-forbidden': 'retain', will: 'will', 'will-forbidden': 'will', 'no-local': 'routing', queued: 'sessions', queued0: 'sessions',
  copy: '', // never owed: nobody judges a missing one
};

const EMPTY = new Uint8Array(0);

type MessageFn = (ctx: Ctx, c: ConnState, msg: MqttMessage) => void;

export class Analyzer implements DissectionSink, Ctx {
  readonly opts: ResolvedOptions;
  readonly passes: Pass[];
  private readonly passByName = new Map<string, Pass>();
  private readonly timed: Pass[];
  /** Bound `message` of the passes without `types`: what a malformed or undecoded message gets. */
  private readonly onAny: MessageFn[];
  /** Per packet type, the bound `message` of the passes that act on it, in registry order. */
  private readonly onType = new Map<string, MessageFn[]>();
  private readonly conns = new Map<number, ConnState>();
  /** The open connections by id (ids are dense, from 0): no Map lookup per message. */
  private readonly connById: (ConnState | undefined)[] = [];
  private readonly finalizedIds = new Set<number>();
  private readonly brokers = new Map<string, Broker>();
  private readonly findings: Finding[] = [];
  private readonly perId = new Map<string, number>();
  private suppressed = 0;
  private readonly limits = new Set<string>();
  private readonly connRows: ConnectionSummary[] = [];
  private readonly topics = new Map<string, TopicSummary>();
  /** Client rows in order of first appearance (bounded by maxSummaryRows over all brokers). */
  private readonly clientRows: ClientSummary[] = [];
  private readonly folded: FoldedRows = { connections: 0, connectionPackets: 0, clients: 0, topicPackets: 0, handshakes: 0 };
  /** Offline client records by the time they may be forgotten. */
  private readonly forget = new MinHeap<ClientRecord>();
  private connections = 0;
  private mqttConnections = 0;
  private messages = 0;
  private lastFrame = 0;
  private firstTime = Infinity;
  private lastTime = 0;
  private publishSeq = 0;
  private ended = false;
  private cached: AnalysisResult | null = null;

  // Ctx: per-message fields, reused (no per-message allocation)
  topic = '';
  len = 0;
  delivery: Expectation | null = null;
  source: Source | null = null;
  now = 0;
  frame = 0;
  /** The current PUBLISH's payload until hashed (a view: valid during the message only). */
  private payload: Uint8Array = EMPTY;
  private hashed = true;
  private payloadHash = 0;
  private readonly topicCache = new Map<string, TopicInfo>();

  /** The current PUBLISH's payload hash, computed on first use: most publishes are owed to no
   *  one and most deliveries are recognised by length and topic alone. */
  get hash(): number {
    if (!this.hashed) {
      this.payloadHash = payloadHash(this.payload);
      this.hashed = true;
      this.payload = EMPTY;
    }
    return this.payloadHash;
  }

  constructor(opts?: AnalysisOptions, passes?: Pass[]) {
    this.opts = resolveOptions(opts);
    this.passes = passes ?? createPasses();
    for (const p of this.passes) this.passByName.set(p.name, p);
    this.timed = this.passes.filter((p) => p.advance !== undefined);
    // bound once: one call per pass and message without a (megamorphic) method lookup
    this.onAny = this.passes.filter((p) => p.message !== undefined && p.types === undefined).map((p) => p.message!.bind(p));
  }

  /** The passes to call for a decoded packet of `type` (worked out on first sight of the type). */
  private onTypeOf(type: string): MessageFn[] {
    let on = this.onType.get(type);
    if (on === undefined) {
      on = this.passes.filter((p) => p.message !== undefined && (p.types === undefined || p.types.includes(type as MqttPacket['type'])))
        .map((p) => p.message!.bind(p));
      this.onType.set(type, on);
    }
    return on;
  }

  // ---- Ctx ----

  report(id: FindingId, frames: number[], conn: ConnState | null, params: Params, severity?: Severity): void {
    const n = (this.perId.get(id) ?? 0) + 1;
    this.perId.set(id, n);
    const entry = CATALOGUE[id];
    const sev = severity ?? entry.severity;
    if (n > this.opts.maxFindingsPerId) {
      this.suppressed++;
      this.countOnly[sev]++;
      return;
    }
    this.findings.push({
      id, severity: sev, clause: entry.clause, frames: evidenceFrames(frames),
      message: formatMessage(entry.template, params), title: entry.title,
      connection: conn?.id ?? null, clientId: conn?.clientId ?? null, time: this.now || null,
    });
  }

  private readonly countOnly = { violation: 0, warning: 0, info: 0, 'not-observable': 0 };

  limit(name: string, value: number, what: string, frame: number): void {
    if (this.limits.has(name)) return;
    this.limits.add(name);
    this.report('limit-reached', [frame], null, { limit: name, value, what });
  }

  // ---- DissectionSink ----

  connection(info: ConnectionInfo): void {
    this.connections++;
    if (info.transport === 'mqtt') this.mqttConnections++;
    this.stateOf(info);
  }

  message(msg: MqttMessage): void {
    this.messages++;
    const c = this.stateOf(msg.conn);
    const t = msg.time;
    this.tick(msg.frame, t);
    if (c.finalized) return; // late bytes of a connection already closed out
    const c2s = msg.dir === 'c2s';
    if (c2s) {
      c.c2s++;
      if (c.lastC2STime >= 0 && t - c.lastC2STime > c.maxSilence) c.maxSilence = t - c.lastC2STime;
      c.lastC2STime = t;
    } else {
      c.s2c++;
      c.lastS2CTime = t;
    }
    c.lastFrame = msg.frame;
    c.lastTime = t;
    this.delivery = null;
    this.source = null;
    for (let i = 0; i < this.timed.length; i++) this.timed[i]!.advance!(this, t);
    const r = msg.result;
    const p = r.status === 'ok' ? r.packet : r.packet;
    const type = p === null ? '' : p.type; // read once: packets of many shapes pass here
    if (c2s && c.firstC2SType === '') c.firstC2SType = p === null ? 'MALFORMED' : type;
    const ok = p !== null && r.status === 'ok';
    if (ok) this.model(c, msg, p);
    const on = ok ? this.onTypeOf(type) : this.onAny;
    for (let i = 0; i < on.length; i++) on[i]!(this, c, msg);
    // After DISCONNECT the sender closes the network connection (MQTT-3.14.4-1, 5.0 §3.14.4):
    // the connection ends here even if the capture misses the FIN.
    if (type === 'DISCONNECT' && c.endFrame === msg.frame) {
      this.finalize(c, t);
      return;
    }
    if (!c2s && c.expects.length > 0) this.judge(c, t, false);
  }

  gap(conn: ConnectionInfo, dir: Direction, frame: number, time: number, bytes: number): void {
    const c = this.stateOf(conn);
    this.tick(frame, time);
    if (c.finalized) return;
    if (dir === 'c2s') c.gapC2S = Math.min(c.gapC2S, time);
    else c.gapS2C = Math.min(c.gapS2C, time);
    this.report('capture-gap', [frame], c, { dir: dirName(dir), bytes: bytes < 0 ? 'unknown' : bytes, frame });
    for (const p of this.passes) p.gap?.(this, c, dir, frame, bytes);
  }

  close(conn: ConnectionInfo, kind: CloseKind, dir: Direction, frame: number, time: number): void {
    this.tick(frame, time);
    if (this.finalizedIds.has(conn.id)) return;
    const c = this.stateOf(conn);
    if (c.end === null) {
      c.end = dir === 'c2s' ? (kind === 'fin' ? 'client-fin' : 'client-rst') : (kind === 'fin' ? 'broker-fin' : 'broker-rst');
      c.endFrame = frame;
      c.endTime = time;
    }
    this.finalize(c, time);
  }

  end(lastFrame: number, lastTime: number): void {
    if (this.ended) return;
    this.tick(lastFrame, lastTime);
    for (const c of [...this.conns.values()]) {
      if (c.end === null) {
        c.end = 'open';
        c.endFrame = lastFrame;
        c.endTime = lastTime;
      }
      this.finalize(c, lastTime);
    }
    for (const p of this.passes) p.end?.(this);
    this.ended = true;
  }

  result(): AnalysisResult {
    if (!this.ended) this.end(this.lastFrame, this.lastTime);
    if (this.cached !== null) return this.cached;
    const counts = { violation: 0, warning: 0, info: 0, 'not-observable': 0 };
    for (const f of this.findings) counts[f.severity]++;
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += this.countOnly[k];
    const sevOrder: Record<Severity, number> = { violation: 0, warning: 1, info: 2, 'not-observable': 3 };
    const findings = this.findings.slice().sort((a, b) =>
      sevOrder[a.severity] - sevOrder[b.severity] || (a.frames[0] ?? 0) - (b.frames[0] ?? 0));
    for (const b of this.brokers.values()) {
      for (const r of b.retained.values()) {
        const t = this.topics.get(r.topic);
        if (t !== undefined) t.retained = true;
      }
    }
    // brokers in order of appearance, then clients in order of appearance
    const brokerOrder = new Map<string, number>();
    for (const k of this.brokers.keys()) brokerOrder.set(k, brokerOrder.size);
    const clients = this.clientRows.map((r, i) => ({ r, i, b: this.rowBroker[i]! }))
      .sort((x, y) => brokerOrder.get(x.b)! - brokerOrder.get(y.b)! || x.i - y.i)
      .map((x) => ({ ...x.r, connections: x.r.connections.slice() }));
    const res: AnalysisResult = {
      findings,
      connections: this.connRows.slice().sort((a, b) => a.id - b.id),
      handshakes: [],
      topics: [...this.topics.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0)),
      clients,
      summary: {
        lastFrame: this.lastFrame,
        duration: this.firstTime === Infinity ? 0 : this.lastTime - this.firstTime,
        connections: this.connections,
        mqttConnections: this.mqttConnections,
        messages: this.messages,
        findings: counts,
        suppressedFindings: this.suppressed,
        limitsHit: [...this.limits],
        folded: { ...this.folded },
      },
    };
    for (const p of this.passes) p.summarize?.(res);
    this.cached = res;
    return res;
  }

  /** What the analyzer holds right now (for tests and benchmarks: it must follow the open
   *  connections, not every connection ever seen). */
  stateSize(): { connections: number; clients: number; activeSubscriptions: number; offlineSubscriptions: number; queued: number } {
    let clients = 0;
    let active = 0;
    let offline = 0;
    let queued = 0;
    for (const b of this.brokers.values()) {
      clients += b.clients.size;
      active += b.active.size;
      offline += b.offline.size;
      for (const cl of b.clients.values()) queued += cl.queued.length;
    }
    return { connections: this.conns.size, clients, activeSubscriptions: active, offlineSubscriptions: offline, queued };
  }

  // ---- model ----

  private tick(frame: number, time: number): void {
    if (frame > this.lastFrame) this.lastFrame = frame;
    if (time > this.lastTime) this.lastTime = time;
    if (time < this.firstTime) this.firstTime = time;
    this.now = time;
    this.frame = frame;
    if (time >= this.forget.peekKey()) this.forgetClients(time);
  }

  /** Drop offline client records whose session expired and whose away window passed, so the
   *  state follows the open connections rather than every client ever seen. */
  private forgetClients(now: number): void {
    while (now >= this.forget.peekKey()) {
      const cl = this.forget.pop()!;
      // stale entry: back online, still in use, or rescheduled later
      if (cl.online !== null || cl.conns > 0 || now < cl.keepUntil) continue;
      const b = cl.broker;
      unindexOffline(b, cl);
      if (b.clients.get(cl.clientId) === cl) b.clients.delete(cl.clientId);
    }
  }

  /** (Re)schedule forgetting an offline record no sooner than `until`. */
  private scheduleForget(cl: ClientRecord, until: number): void {
    if (cl.keepUntil === Infinity || until > cl.keepUntil) cl.keepUntil = until;
    this.forget.push(cl.keepUntil, cl);
  }

  private stateOf(info: ConnectionInfo): ConnState {
    // consecutive packets are mostly on one connection (a PUBLISH and its acknowledgement)
    if (info === this.lastInfo) return this.lastState!;
    let c = this.connById[info.id];
    if (c !== undefined) {
      this.lastInfo = info;
      this.lastState = c;
      return c;
    }
    if (this.finalizedIds.has(info.id)) {
      // a finalized connection stays closed; hand back a throwaway that is already finalized
      const ghost = newConnState(info, this.brokerOf(info), this.passes.length);
      ghost.finalized = true;
      return ghost;
    }
    c = newConnState(info, this.brokerOf(info), this.passes.length);
    if (info.transport === 'mqtt') c.broker.open++;
    this.conns.set(info.id, c);
    this.connById[info.id] = c;
    for (const p of this.passes) p.connection?.(this, c);
    return c;
  }

  /** stateOf's last answer (an open connection; forgotten when it is finalized). */
  private lastInfo: ConnectionInfo | null = null;
  private lastState: ConnState | null = null;

  private brokerOf(info: ConnectionInfo): Broker {
    const key = endpoint(info.server);
    let b = this.brokers.get(key);
    if (b === undefined) {
      b = newBroker(key, info.server.addr);
      this.brokers.set(key, b);
    }
    return b;
  }

  private clientOf(c: ConnState): ClientRecord | null {
    if (c.clientId === null) return null;
    const b = c.broker;
    // An empty client id names nobody: the broker gives each such connection an identity of its
    // own (MQTT-3.1.3-6, 5.0 Assigned Client Identifier), so each is a client apart, never taken
    // over, resumed or grouped with another (a paho 3.1.1 client connects so by default).
    if (c.clientId === '') return this.newClient(b, '', `\0connection ${c.id}`, c.connectFrame);
    let r = b.clients.get(c.clientId);
    if (r === undefined) {
      if (b.clients.size >= this.opts.maxClients) {
        this.limit('maxClients', this.opts.maxClients, 'client ids', this.frame);
        return null;
      }
      r = this.newClient(b, c.clientId, c.clientId, c.connectFrame);
      b.clients.set(c.clientId, r);
    }
    return r;
  }

  private newClient(b: Broker, clientId: string, rowKey: string, frame: number): ClientRecord {
    return {
      clientId, broker: b, row: this.clientRow(b, clientId, rowKey, frame), online: null, conns: 0,
      keepUntil: 0, offlineSubs: null, session: null, offlineSince: 0, lastEnd: null, queued: new MessageQueue(), queuedOverflow: false,
      awayMatches: 0, tmpSeq: 0, tmpGranted: 0, tmpQosOk: 0, tmpCount: 0,
    };
  }

  /** Parallel to clientRows: the broker of each row. */
  private readonly rowBroker: string[] = [];
  /** Rows by broker key + NUL + client id, for a client seen again after its record was forgotten. */
  private readonly rowIndex = new Map<string, ClientSummary>();

  private clientRow(b: Broker, clientId: string, rowKey: string, frame: number): ClientSummary | null {
    const key = b.key + '\0' + rowKey;
    const old = this.rowIndex.get(key);
    if (old !== undefined) return old;
    if (this.clientRows.length >= this.opts.maxSummaryRows) {
      this.folded.clients++;
      return null;
    }
    const row: ClientSummary = { clientId, connections: [], firstFrame: frame, lastFrame: frame };
    this.clientRows.push(row);
    this.rowBroker.push(b.key);
    this.rowIndex.set(key, row);
    return row;
  }

  private ensureSession(c: ConnState): Session {
    if (c.session === null) {
      c.session = { clientId: c.clientId ?? '', subs: new Map(), subsKnown: false, persistent: false, expiry: 0, conn: c, since: c.firstTime, droppedAt: -Infinity, matchedTopic: '' };
    }
    return c.session;
  }

  private model(c: ConnState, msg: MqttMessage, p: MqttPacket): void {
    switch (p.type) {
      case 'CONNECT':
        if (msg.dir !== 'c2s') return;
        applyConnect(c, p, msg.frame, msg.time, msg.version);
        if (c.connects === 1) {
          const cl = this.clientOf(c);
          if (cl !== null) {
            // MQTT-3.1.4-2: a second connection with the same client id takes the session over
            if (cl.online !== null && cl.online !== c && cl.online.end === null) cl.online.takenOver = true;
            c.client = cl;
            cl.conns++;
            const row = cl.row;
            if (row !== null) {
              if (row.connections.length < 64) row.connections.push(c.id);
              row.lastFrame = msg.frame;
            }
          }
        }
        return;
      case 'CONNACK':
        if (msg.dir !== 's2c') return;
        applyConnack(c, p, msg.frame, msg.time);
        if (p.returnCode === 0 && c.client !== null && c.connackFrame === msg.frame) {
          const cl = c.client;
          const prev = cl.session;
          c.prevSession = prev;
          c.prevOfflineSince = cl.offlineSince;
          c.prevOnline = cl.online !== c && cl.online !== null && !cl.online.finalized ? cl.online : null;
          bindSession(c, cl);
          cl.online = c;
          cl.keepUntil = Infinity;
          unindexOffline(c.broker, cl);
          if (c.session === prev && prev !== null) {
            for (const s of prev.subs.values()) if (s.removedFrame === 0 && s.granted !== null && s.granted < 0x80) activateSub(c.broker, s);
          }
        }
        return;
      case 'PUBLISH':
        this.publish(c, msg, p);
        return;
      case 'SUBSCRIBE': {
        if (msg.dir !== 'c2s') return;
        subscriptionsChanging(c, msg.time);
        const s = this.ensureSession(c);
        const subs: Sub[] = [];
        for (const r of p.subscriptions) {
          const sub = newSub(s, r.filter, r.qos, r.options, msg.frame, msg.time);
          const old = s.subs.get(r.filter);
          if (old !== undefined) deactivateSub(c.broker, old);
          s.subs.set(r.filter, sub);
          subs.push(sub);
        }
        if (c.pendingSub.size < 1024) c.pendingSub.set(p.packetId, subs);
        return;
      }
      case 'SUBACK': {
        if (msg.dir !== 's2c') return;
        subscriptionsChanged(c);
        const subs = c.pendingSub.get(p.packetId);
        if (subs === undefined) return;
        c.pendingSub.delete(p.packetId);
        for (let i = 0; i < subs.length; i++) {
          const sub = subs[i]!;
          sub.granted = p.returnCodes[i] ?? 0x80;
          sub.ackFrame = msg.frame;
          sub.ackTime = msg.time;
          if (sub.granted < 0x80 && sub.valid && sub.session.subs.get(sub.filter) === sub) activateSub(c.broker, sub);
        }
        return;
      }
      case 'UNSUBSCRIBE': {
        if (msg.dir !== 'c2s') return;
        subscriptionsChanging(c, msg.time);
        if (c.session === null) return;
        for (const f of p.filters) {
          const sub = c.session.subs.get(f);
          if (sub !== undefined && sub.removedFrame === 0) {
            sub.removedFrame = msg.frame;
            deactivateSub(c.broker, sub);
          }
        }
        return;
      }
      case 'UNSUBACK':
        if (msg.dir === 's2c') subscriptionsChanged(c);
        return;
      case 'DISCONNECT':
        if (c.end !== null) return;
        c.disconnectReason = p.reasonCode ?? (c.version === 5 ? 0 : null);
        if (msg.dir === 'c2s') {
          c.end = p.reasonCode === 0x04 ? 'disconnect-with-will' : 'disconnect';
          if (c.version === 5) {
            const se = propNumber(p.properties, PROP_SESSION_EXPIRY);
            if (se !== null) {
              c.sessionExpiry = se;
              // The client's last word on its session (5.0 §3.14.2.2.2): 0 ends it with the
              // connection, and a broker then resumes nothing.
              const s = c.session;
              if (s !== null && s.conn === c && c.connackFrame !== 0) {
                s.expiry = se;
                s.persistent = se > 0;
              }
            }
          }
        } else {
          c.end = 'broker-disconnect';
        }
        c.endFrame = msg.frame;
        c.endTime = msg.time;
        return;
      default:
        return;
    }
  }

  private resolveTopic(c: ConnState, msg: MqttMessage, p: PublishPacket): string {
    if (msg.version !== 5 || p.properties === undefined) return p.topic;
    const alias = propNumber(p.properties, PROP_TOPIC_ALIAS);
    if (alias === null) return p.topic;
    const c2s = msg.dir === 'c2s';
    let m = c2s ? c.aliasC2S : c.aliasS2C;
    if (m === null) {
      m = new Map();
      if (c2s) c.aliasC2S = m;
      else c.aliasS2C = m;
    }
    if (p.topic.length > 0) {
      if (m.size < 65536) m.set(alias, p.topic);
      return p.topic;
    }
    return m.get(alias) ?? '';
  }

  private publish(c: ConnState, msg: MqttMessage, p: PublishPacket): void {
    const name = this.resolveTopic(c, msg, p);
    const payload = p.payload ?? EMPTY;
    this.payload = payload;
    this.hashed = false;
    this.len = payload.length;
    const c2s = msg.dir === 'c2s';
    let info: TopicInfo;
    if (c2s) {
      if (c.pubInfoC2S === null || c.pubInfoC2S.topic !== name) c.pubInfoC2S = this.topicInfo(name);
      info = c.pubInfoC2S;
    } else {
      if (c.pubInfoS2C === null || c.pubInfoS2C.topic !== name) c.pubInfoS2C = this.topicInfo(name);
      info = c.pubInfoS2C;
    }
    const topic = info.topic;
    this.topic = topic;
    const ts = info.row;
    if (ts === null) this.folded.topicPackets++;
    if (!c2s) {
      if (ts !== null) ts.deliveries++;
      if (c.expects.length > c.expHead) {
        this.delivery = fillDelivery(c, this, msg.frame, p.qos, p.retain);
        if (this.delivery !== null) compactExpectations(c);
      }
      return;
    }
    if (ts !== null) {
      if (p.qos >= 0 && p.qos <= 2) ts.publishes[p.qos]!++;
      if (p.retain) ts.retainedPublishes++;
    }
    // A DUP resend of a QoS 1/2 message is the same application message: nothing new to route.
    if (p.dup && p.qos > 0) return;
    if (topic.length === 0 || p.qos > 2) return;
    const b = c.broker;
    if (info.broker !== b) {
      info.broker = b;
      info.active = info.offline = null;
    }
    const active = (info.active = b.active.matchEntry(topic, info.levels, info.active));
    const subs = active.items;
    // the offline subscriptions it matches, for the sessions pass (Broker.offlineBuf)
    const away = b.offlineBuf;
    away.length = 0;
    if (b.offline.size > 0) {
      // copied: the sessions pass may drop clients from the offline index while reading it
      const m = (info.offline = b.offline.matchEntry(topic, info.levels, info.offline)).items;
      for (let i = 0; i < m.length; i++) away.push(m[i]!);
    }
    // The payload hash only serves to recognise deliveries: hashed only when a live subscriber
    // is owed it (the retain and sessions passes read ctx.hash, computed on demand: a clean
    // session away only counts what it misses).
    const hash = subs.length > 0 ? this.hash : 0;
    // The source record only serves who is owed the message and the retained store: none is
    // made for the many publishes nobody subscribes to (ctx.source stays null).
    if (subs.length === 0 && away.length === 0 && !p.retain) return;
    const src = newSource('publish', topic, hash, this.len, p.qos, p.retain, msg.frame, msg.time, c.id, c.clientId);
    // the publisher's packet, with the topic a v5 Topic Alias left out (the broker sends it)
    src.size = p.length + (p.topic.length === 0 ? topic.length : 0);
    this.source = src;
    if (subs.length > 0) this.routeTo(subs, c, src, 'route');
  }

  /** Record an expectation on every visible subscriber whose subscription matches. */
  routeToSubscribers(broker: Broker, from: ConnState | null, src: Source, kind: ExpectationKind): void {
    const subs = matchingActiveSubs(broker, src.topic);
    if (subs.length > 0) this.routeTo(subs, from, src, kind);
  }

  /** Route `src` to `subs` (matching active subscriptions in activation order). */
  private routeTo(subs: readonly Sub[], from: ConnState | null, src: Source, kind: ExpectationKind): void {
    const seq = ++this.publishSeq;
    const pubClient = from?.clientId ?? src.clientId;
    let noLocal = false;
    // first pass: group per subscriber connection (overlapping subscriptions, MQTT-3.3.5-1)
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i]!;
      const sc = s.session.conn;
      if (sc === null || sc.finalized || s.shared) continue;
      if (s.noLocal && pubClient !== null && pubClient !== '' && sc.clientId === pubClient) { // v5 No Local: not owed
        noLocal = true;
        continue;
      }
      const g = s.granted ?? 0;
      const q = src.qos < g ? src.qos : g;
      if (sc.tmpSeq !== seq) {
        sc.tmpSeq = seq;
        sc.tmpMaxGranted = g;
        sc.tmpQosOk = 1 << q;
        sc.tmpCount = 1;
        sc.tmpSub = s;
      } else {
        if (g > sc.tmpMaxGranted) {
          sc.tmpMaxGranted = g;
          sc.tmpSub = s;
        }
        sc.tmpQosOk |= 1 << q;
        sc.tmpCount++;
      }
    }
    // A forbidden delivery gets no further copies: one would explain away the delivery it forbids.
    const copies = !isForbidden(kind);
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i]!;
      const sc = s.session.conn;
      if (sc === null || sc.tmpSeq !== seq || sc.tmpSub !== s) continue;
      sc.tmpSub = null;
      const q = src.qos < sc.tmpMaxGranted ? src.qos : sc.tmpMaxGranted;
      let ok = expect(sc, kind, src, s, q, sc.tmpQosOk, src.time, this.opts.maxExpectationsPerConnection);
      // The broker MAY send a further copy for each other overlapping subscription (MQTT-3.3.5-1,
      // 5.0 §3.3.4), at that subscription's QoS: room for them, so they are not taken for
      // something else (a retained or queued copy of the same message).
      for (let k = 1; copies && ok && k < sc.tmpCount; k++) ok = expect(sc, 'copy', src, s, q, sc.tmpQosOk, src.time, this.opts.maxExpectationsPerConnection);
      if (!ok) {
        this.limit('maxExpectationsPerConnection', this.opts.maxExpectationsPerConnection, 'expected deliveries per connection', this.frame);
      }
    }
    // A publisher whose only matching subscriptions are No Local must not get its message back
    // (MQTT-3.8.3-3): a delivery of it is then explained by nothing else.
    if (noLocal && kind === 'route') {
      for (let i = 0; i < subs.length; i++) {
        const s = subs[i]!;
        const sc = s.session.conn;
        if (sc === null || sc.finalized || s.shared || !s.noLocal || sc.clientId !== pubClient || sc.tmpSeq === seq) continue;
        sc.tmpSeq = seq;
        expect(sc, 'no-local', src, s, 0, 7, src.time, this.opts.maxExpectationsPerConnection);
      }
    }
  }

  /** Expectation helper for passes: one subscriber connection, one subscription. */
  expectOn(conn: ConnState, kind: ExpectationKind, src: Source, sub: Sub | null, qos: number, qosOk = 1 << qos): void {
    if (!expect(conn, kind, src, sub, qos, qosOk, this.now, this.opts.maxExpectationsPerConnection)) {
      this.limit('maxExpectationsPerConnection', this.opts.maxExpectationsPerConnection, 'expected deliveries per connection', this.frame);
    }
  }

  /** One lookup per PUBLISH for its topic: the summary row (null once the table is full: rows
   *  are never removed, so that stays true) and the levels the tries match on. Bounded cache. */
  private topicInfo(topic: string): TopicInfo {
    let e = this.topicCache.get(topic);
    if (e === undefined) {
      if (this.topicCache.size >= 8192) this.topicCache.clear();
      e = { topic, row: this.topicRow(topic), levels: topicLevels(topic), broker: null, active: null, offline: null };
      this.topicCache.set(topic, e);
    }
    return e;
  }

  private topicRow(topic: string): TopicSummary | null {
    let t = this.topics.get(topic);
    if (t === undefined) {
      if (this.topics.size >= this.opts.maxSummaryRows) return null;
      t = { topic, publishes: [0, 0, 0], retainedPublishes: 0, retained: false, deliveries: 0 };
      this.topics.set(topic, t);
    }
    return t;
  }

  /** Close out expectations on `c`: all of them when `final`, else only those past the window
   *  (the connection is evidently still open, so the broker had its chance). */
  private judge(c: ConnState, at: number, final: boolean): void {
    const ex = c.expects;
    const w = this.opts.deliveryWindow;
    for (let i = c.expHead; i < ex.length; i++) {
      const e = ex[i]!;
      if (e.filled) continue;
      if (!final && at - e.time <= w) break;
      e.filled = true;
      const stalled = e.qos > 0 && c.s2cInflight > 0; // flow control may hold it back
      const observable = c.s2c > 0 && !stalled && !e.raced && missObservable(c, e.time, at, w) && !e.source.refused && !e.source.unreleased;
      this.passByName.get(OWNER[e.kind])?.missed?.(this, e, observable);
    }
    compactExpectations(c);
  }

  private finalize(c: ConnState, at: number): void {
    if (c.finalized) return;
    if (c.end !== null && c.end !== 'open') at = Math.max(at, c.endTime);
    this.now = at;
    if ((c.end === 'broker-fin' || c.end === 'broker-rst' || c.end === 'broker-disconnect') && c.info.transport === 'mqtt') {
      const b = c.broker;
      const before = b.resetTime;
      brokerClosed(b, c);
      // What it may have lost, the analysis no longer counts on: its retained messages.
      if (b.resetTime !== before) forgetRetained(b);
      // A lone connection: with others kept open the broker evidently did not restart.
      if (b.open === 1 && c.end !== 'broker-disconnect' && c.session !== null && c.session.conn === c && !c.takenOver && !silentTooLong(c)) {
        c.session.droppedAt = c.endTime;
      }
    }
    for (const p of this.passes) p.connectionEnd?.(this, c);
    this.judge(c, at, true);
    c.finalized = true;
    const s = c.session;
    if (s !== null) {
      for (const sub of s.subs.values()) deactivateSub(c.broker, sub);
      if (s.conn === c) s.conn = null;
    }
    const cl = c.client;
    if (cl !== null) {
      cl.conns--;
      if (cl.online === c) {
        cl.online = null;
        cl.offlineSince = c.endTime;
        cl.lastEnd = c.end;
        cl.queued.clear();
        cl.queuedOverflow = false;
        cl.awayMatches = 0;
        cl.keepUntil = 0;
        if (s !== null && s.subs.size > 0) indexOffline(c.broker, cl);
        // a persistent session is kept until it expires (MQTT-3.1.2-5, 5.0 §3.1.2.11.2), at
        // most sessionWindow; any record at least offlineWindow (what it misses is counted)
        const cs = cl.session;
        let life = this.opts.offlineWindow;
        if (cs !== null && cs.persistent) life = Math.max(life, Math.min(cs.expiry, this.opts.sessionWindow));
        this.scheduleForget(cl, c.endTime + life);
      } else if (cl.online === null) {
        // never came online (refused, no CONNACK): nothing to keep beyond the window
        this.scheduleForget(cl, c.endTime + this.opts.offlineWindow);
      }
    }
    if (!c.fromConnect && c.info.transport === 'mqtt' && c.c2s + c.s2c > 0) {
      this.report('capture-midstream', [c.firstFrame], c, {});
    }
    if ((c.c2s === 0) !== (c.s2c === 0)) {
      this.report('one-direction-only', [c.firstFrame], c, { dir: c.c2s > 0 ? 'client→broker' : 'broker→client' });
    }
    this.summaryRow(c);
    if (c.info.transport === 'mqtt') c.broker.open--;
    this.conns.delete(c.id);
    if (this.connById[c.id] === c) this.connById[c.id] = undefined;
    if (this.lastState === c) this.lastInfo = this.lastState = null;
    if (this.finalizedIds.size >= 100000) this.finalizedIds.clear();
    this.finalizedIds.add(c.id);
    c.expects = [];
    c.expHead = 0;
    c.pendingSub.clear();
    c.aliasC2S = null;
    c.aliasS2C = null;
  }

  private summaryRow(c: ConnState): void {
    if (this.connRows.length >= this.opts.maxSummaryRows) {
      this.folded.connections++;
      this.folded.connectionPackets += c.c2s + c.s2c;
      return;
    }
    const subs: { filter: string; qos: number | null }[] = [];
    if (c.session !== null) {
      for (const s of c.session.subs.values()) {
        if (subs.length >= 32) break;
        if (s.removedFrame === 0) subs.push({ filter: s.filter, qos: s.granted });
      }
    }
    this.connRows.push({
      id: c.id, client: endpoint(c.info.client), server: endpoint(c.info.server), transport: c.info.transport,
      clientId: c.clientId, version: c.version, keepAlive: c.keepAlive, serverKeepAlive: c.serverKeepAlive,
      cleanSession: c.cleanSession, sessionExpiry: c.sessionExpiry,
      will: c.will === null ? null : {
        topic: c.will.topic, payload: c.will.text, payloadLength: c.will.len, qos: c.will.qos, retain: c.will.retain,
        delayInterval: c.version === 5 ? c.will.delay : null,
      },
      connackCode: c.connackCode, sessionPresent: c.version === 3 ? null : c.sessionPresent, subscriptions: subs, ended: c.end ?? 'open',
      disconnectReason: c.disconnectReason, firstFrame: c.firstFrame, lastFrame: c.lastFrame, firstTime: c.firstTime,
      lastTime: c.lastTime, fromConnect: c.fromConnect,
      directions: c.c2s > 0 ? (c.s2c > 0 ? 'both' : 'c2s') : c.s2c > 0 ? 's2c' : 'none',
      packets: c.c2s + c.s2c, maxClientSilence: c.c2s > 1 ? round3(c.maxSilence) : null,
      pings: c.pings, pingLatencyAvg: c.pings > 0 ? round6(c.pingLatencySum / c.pings) : null,
      pingLatencyMax: c.pingLatencyMax === null ? null : round6(c.pingLatencyMax),
    });
  }
}

/** Was the client silent past 1.5x its Keep Alive when the broker closed the connection (a
 *  reason the capture shows)? */
function silentTooLong(c: ConnState): boolean {
  const ka = effectiveKeepAlive(c);
  if (ka === null || ka === 0) return false;
  const last = c.lastC2STime >= 0 ? c.lastC2STime : c.firstTime;
  return c.endTime - last >= ka * 1.5 - 0.5;
}

/** A SUBSCRIBE or UNSUBSCRIBE sent at `time`: publishes shortly before it may have been routed
 *  by the broker after it. */
function subscriptionsChanging(c: ConnState, time: number): void {
  if (c.subChanges === 0) c.subChangeSince = time;
  c.subChanges++;
  if (c.expects.length > c.expHead) markRaced(c, time);
}

/** Its SUBACK or UNSUBACK: publishes since the change was sent may have been routed before it. */
function subscriptionsChanged(c: ConnState): void {
  if (c.subChanges === 0) return;
  if (c.expects.length > c.expHead) markRaced(c, c.subChangeSince);
  if (--c.subChanges === 0) c.subChangeSince = Infinity;
}

/** Evidence frames in capture order, each once (two packets of one frame are one frame). */
function evidenceFrames(frames: number[]): number[] {
  const sorted = frames.slice().sort((a, b) => a - b);
  return sorted.filter((f, i) => i === 0 || f !== sorted[i - 1]);
}
