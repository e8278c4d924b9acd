// QoS handshakes in both directions (MQTT 3.1.1 §4.3, 5.0 §4.3): QoS 1 PUBLISH → PUBACK,
// QoS 2 PUBLISH → PUBREC → PUBREL → PUBCOMP. Packet id rules (§2.3.1), PUBREL flags (§3.6.1),
// DUP on QoS 0 (§3.3.1.1), delivered QoS = min(published, granted) (MQTT-3.8.4-6), and the
// resend of what was left unacknowledged when a persistent session resumes, with DUP=1 on a
// resent PUBLISH (§4.4, MQTT-4.4.0-1, MQTT-3.3.1-1).

import type { Direction, MqttMessage } from '../../pipeline/events.js';
import { isForbidden, type Source } from '../correlation.js';
import type { Ctx, Pass } from '../pass.js';
import type { AnalysisResult, HandshakeSummary } from '../schema.js';
import { sessionPersistent, type ClientRecord, type ConnState } from '../session.js';
import { dirName, round6 } from '../util.js';

/** 0: PUBLISH sent, awaiting PUBACK/PUBREC. 1: PUBREC seen, awaiting PUBREL. 2: PUBREL seen,
 *  awaiting PUBCOMP. */
type Stage = 0 | 1 | 2;

interface Handshake {
  /** key(c2s, packetId) */
  key: number;
  packetId: number;
  qos: number;
  /** Direction of the PUBLISH. */
  c2s: boolean;
  stage: Stage;
  frame: number;
  time: number;
  /** Time and frame of its latest packet so far: where the next step's latency starts. */
  at: number;
  atFrame: number;
  /** Order among this direction's handshakes, to tell an ack that overtook this one. */
  seq: number;
  source: Source | null;
  /** The message, to tell its resend from a new message under the same id after the session
   *  resumes: topic, payload length, and payload hash (0 unless the session is persistent). */
  topic: string;
  len: number;
  hash: number;
}

/**
 * Handshake counts and latencies of a connection, one run of STRIDE numbers per publisher
 * direction and QoS (index (c2s ? 0 : 3) + qos), in one typed array: updated on every
 * acknowledgement, so kept flat. Per step (0: PUBACK or PUBREC, 1: PUBREL, 2: PUBCOMP): how
 * many reached it, the latency sum and max.
 */
const STARTED = 0;
const COMPLETED = 1;
const LAT_SUM = 2;
const LAT_MAX = 3;
const STEP_COUNT = 4;
const STEP_SUM = 7;
const STEP_MAX = 10;
const STRIDE = 13;

/** The acknowledgements of a QoS 1 and a QoS 2 handshake, in order (the steps of the stats). */
const STEPS: readonly (readonly ('PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP')[])[] = [[], ['PUBACK'], ['PUBREC', 'PUBREL', 'PUBCOMP']];

/** A handshake left open when a persistent session's connection ended: its sender must resend
 *  the PUBLISH (stage 0, with DUP=1) or the PUBREL (stages 1 and 2) when the session resumes. */
interface Owed {
  packetId: number;
  qos: number;
  c2s: boolean;
  stage: Stage;
  /** Frame of the PUBLISH, and of the handshake's last packet (the PUBLISH, PUBREC or PUBREL). */
  frame: number;
  lastFrame: number;
  resent: boolean;
  topic: string;
  len: number;
  hash: number;
}

/** Handshakes owed per resumed connection, at most this many (the rest are not followed). */
const MAX_OWED = 64;

interface QosState {
  /** Open handshakes but the newest, in the order they started. */
  inflight: Map<number, Handshake>;
  /** The newest open handshake, kept out of `inflight`: a PUBLISH is mostly answered before the
   *  next one starts, so most handshakes never touch the Map (see find/add/remove). */
  last: Handshake | null;
  seq: number;
  /** Highest seq acknowledged per [publisher dir (0 c2s, 1 s2c)][stage it completed]. */
  acked: number[];
  /** Counts and latencies: STRIDE numbers per (c2s ? 0 : 3) + qos (see STARTED and after). */
  stats: Float64Array;
  overflow: boolean;
  /** Keys whose id was reused: the peer may still answer the replaced PUBLISH once. */
  absorb: Map<number, number> | null;
  /** What the previous connection of this resumed session left to resend (MQTT-4.4.0-1). */
  owed: Owed[] | null;
  /** The CONNACK that resumed the session, and the packets each way up to and including it. */
  resumeFrame: number;
  resumeC2S: number;
  resumeS2C: number;
}

const ACK_NAME = ['PUBACK/PUBREC', 'PUBREL', 'PUBCOMP'];

function key(c2s: boolean, id: number): number {
  return (c2s ? 0 : 0x10000) | id;
}

function other(d: Direction): Direction {
  return d === 'c2s' ? 's2c' : 'c2s';
}

/** The open handshake with this key, if any. */
function find(s: QosState, k: number): Handshake | undefined {
  const l = s.last;
  return l !== null && l.key === k ? l : s.inflight.get(k);
}

/** Open `h` (null: just move the newest into the Map); its key is not open. */
function add(s: QosState, h: Handshake | null): void {
  if (s.last !== null) s.inflight.set(s.last.key, s.last);
  s.last = h;
}

function remove(s: QosState, h: Handshake): void {
  if (s.last === h) s.last = null;
  else s.inflight.delete(h.key);
}

/** The owed resend this PUBLISH (`rel` false) or PUBREL (`rel` true) answers, if any. */
function owedFor(owed: Owed[], c2s: boolean, id: number, rel: boolean): Owed | undefined {
  for (const o of owed) if (!o.resent && o.c2s === c2s && o.packetId === id && (o.stage !== 0) === rel) return o;
  return undefined;
}

function count(s: QosState): number {
  return s.inflight.size + (s.last !== null ? 1 : 0);
}

export class QosPass implements Pass {
  readonly name = 'qos';
  readonly types = ['PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'UNSUBSCRIBE', 'CONNECT', 'CONNACK'] as const;
  private readonly rows: HandshakeSummary[] = [];
  /** Handshakes an ended connection left open, by client, until the client connects again. */
  private readonly owedByClient = new WeakMap<ClientRecord, Owed[]>();
  /** Rows beyond maxSummaryRows, counted only. */
  private folded = 0;

  constructor(private readonly slot: number) {}

  private st(c: ConnState): QosState {
    let s = c.slots[this.slot] as QosState | null;
    if (s === null) {
      s = {
        inflight: new Map(), last: null, seq: 0, acked: [0, 0, 0, 0, 0, 0], stats: new Float64Array(6 * STRIDE), overflow: false,
        absorb: null, owed: null, resumeFrame: 0, resumeC2S: 0, resumeS2C: 0,
      };
      c.slots[this.slot] = s;
    }
    return s;
  }

  message(ctx: Ctx, c: ConnState, msg: MqttMessage): void {
    const r = msg.result;
    if (r.status !== 'ok') return;
    const p = r.packet;
    switch (p.type) {
      case 'PUBLISH':
        this.publish(ctx, c, msg, p.qos, p.dup, p.packetId ?? 0, p.topic);
        return;
      case 'PUBACK':
      case 'PUBREC':
      case 'PUBCOMP':
        this.ack(ctx, c, msg, p.type, p.packetId, p.reasonCode ?? 0);
        return;
      case 'PUBREL':
        // MQTT-3.6.1-1: bits 3,2,1,0 of the fixed header MUST be 0,0,1,0
        if ((p.headerFlags & 0x0f) !== 0x02) {
          ctx.report('pubrel-bad-flags', [msg.frame], c, { packetId: p.packetId, flags: (p.headerFlags & 0x0f).toString(2).padStart(4, '0') });
        }
        this.ack(ctx, c, msg, 'PUBREL', p.packetId, p.reasonCode ?? 0);
        return;
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        if (p.packetId === 0) ctx.report('packet-id-zero', [msg.frame], c, { type: p.type, dir: dirName(msg.dir) });
        return;
      case 'CONNECT':
        // The client's next connection takes over what its last one owes (resumed or not).
        if (msg.dir === 'c2s' && c.connects === 1 && c.client !== null) {
          const owed = this.owedByClient.get(c.client);
          if (owed !== undefined) {
            this.owedByClient.delete(c.client);
            this.st(c).owed = owed;
          }
        }
        return;
      case 'CONNACK':
        if (msg.dir === 's2c' && c.connackFrame === msg.frame) this.resumed(c, msg.frame, p.returnCode === 0 && c.sessionPresent === true);
        return;
      default:
        return;
    }
  }

  private publish(ctx: Ctx, c: ConnState, msg: MqttMessage, qos: number, dup: boolean, id: number, topic: string): void {
    if (qos === 0) {
      if (dup) ctx.report('dup-set-on-qos0', [msg.frame], c, { topic, dir: dirName(msg.dir) });
      this.checkDelivered(ctx, c, msg, qos);
      return;
    }
    if (qos > 2) return; // QoS 3 is malformed (MQTT-3.3.1-4): the conformance pass reports it
    this.checkDelivered(ctx, c, msg, qos);
    if (id === 0) {
      ctx.report('packet-id-zero', [msg.frame], c, { type: 'PUBLISH', dir: dirName(msg.dir) });
      return;
    }
    const s = this.st(c);
    const c2s = msg.dir === 'c2s';
    if (s.owed !== null) {
      const o = owedFor(s.owed, c2s, id, false);
      // The same message again is its resend; another one under that id is not (that one is
      // still owed: a client that restarted without its session state does this).
      if (o !== undefined && o.topic === ctx.topic && o.len === ctx.len && o.hash === ctx.hash) {
        o.resent = true;
        if (!dup) ctx.report('redelivery-without-dup', [o.frame, msg.frame], c, { packetId: id, dir: dirName(msg.dir), since: o.frame });
      }
    }
    const k = key(c2s, id);
    const old = find(s, k);
    if (old !== undefined) {
      // A DUP resend of a PUBLISH still awaiting its first acknowledgement is allowed (§4.3).
      if (dup && old.stage === 0 && old.qos === qos) return;
      if (!dup || old.stage !== 0) {
        ctx.report('packet-id-reused', [old.frame, msg.frame], c, { qos, packetId: id, dir: dirName(msg.dir), since: old.frame });
        if (s.absorb === null) s.absorb = new Map();
        if (s.absorb.size < 1024) s.absorb.set(k, (s.absorb.get(k) ?? 0) + 1);
      }
      remove(s, old);
      if (!c2s) c.s2cInflight--;
    }
    if (count(s) >= ctx.opts.maxInflightPerConnection) {
      if (!s.overflow) ctx.limit('maxInflightPerConnection', ctx.opts.maxInflightPerConnection, 'in-flight handshakes', msg.frame);
      s.overflow = true;
      return;
    }
    s.stats[((c2s ? 0 : 3) + qos) * STRIDE + STARTED]!++;
    if (!c2s) c.s2cInflight++;
    add(s, {
      key: k, packetId: id, qos, c2s, stage: 0, frame: msg.frame, time: msg.time, at: msg.time, atFrame: msg.frame, seq: ++s.seq,
      source: c2s ? ctx.source : null, topic: ctx.topic, len: ctx.len, hash: sessionPersistent(c) ? ctx.hash : 0,
    });
  }

  /** delivered QoS = min(published QoS, granted QoS) (MQTT-3.8.4-6 / 5.0 MQTT-3.8.4-8). */
  private checkDelivered(ctx: Ctx, c: ConnState, msg: MqttMessage, qos: number): void {
    const e = ctx.delivery;
    if (msg.dir !== 's2c' || e === null || isForbidden(e.kind) || e.raced) return;
    if ((e.qosOk & (1 << qos)) !== 0) return;
    ctx.report('delivered-qos-mismatch', [e.source.frame, msg.frame].filter((f) => f > 0), c, {
      delivered: qos, topic: e.source.topic, published: e.source.qos, granted: e.sub?.granted ?? '?', expected: e.qos,
    });
  }

  private ack(ctx: Ctx, c: ConnState, msg: MqttMessage, type: 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP', id: number, reason: number): void {
    const s = this.st(c);
    // PUBREL travels like the PUBLISH; PUBACK, PUBREC and PUBCOMP the other way.
    const pubDir: Direction = type === 'PUBREL' ? msg.dir : other(msg.dir);
    const c2s = pubDir === 'c2s';
    if (type === 'PUBREL' && s.owed !== null) {
      const o = owedFor(s.owed, c2s, id, true);
      if (o !== undefined) o.resent = true;
    }
    const k = key(c2s, id);
    const h = find(s, k);
    const want: Stage = type === 'PUBREL' ? 1 : type === 'PUBCOMP' ? 2 : 0;
    const okQos = type === 'PUBACK' ? h?.qos === 1 : h?.qos === 2;
    if (h === undefined || h.stage !== want || !okQos) {
      if (type === 'PUBREL' && h !== undefined && h.stage === 2) return; // PUBREL resent: allowed
      const extra = s.absorb?.get(k) ?? 0;
      if (extra > 0) {
        // the answer to the PUBLISH whose id was reused (already reported as packet-id-reused)
        if (extra === 1) s.absorb!.delete(k);
        else s.absorb!.set(k, extra - 1);
        return;
      }
      this.unexpected(ctx, c, msg, type, id, pubDir, h);
      return;
    }
    s.acked[(c2s ? 0 : 3) + want] = Math.max(s.acked[(c2s ? 0 : 3) + want]!, h.seq);
    const st = s.stats;
    const at = ((c2s ? 0 : 3) + h.qos) * STRIDE;
    // This step's latency: from the handshake's previous packet to this one.
    const dt = msg.time - h.at;
    h.at = msg.time;
    h.atFrame = msg.frame;
    st[at + STEP_COUNT + want]!++;
    st[at + STEP_SUM + want]! += dt;
    if (dt > st[at + STEP_MAX + want]!) st[at + STEP_MAX + want] = dt;
    // v5: a reason code >= 0x80 on PUBACK/PUBREC refuses the message and ends the flow (§4.3.3).
    const refused = reason >= 0x80 && (type === 'PUBACK' || type === 'PUBREC');
    if (refused && h.source !== null) h.source.refused = true;
    if (type === 'PUBREC' && !refused) {
      h.stage = 1;
      return;
    }
    if (type === 'PUBREL') {
      h.stage = 2;
      if (h.source !== null) h.source.unreleased = false;
      return;
    }
    st[at + COMPLETED]!++;
    const lat = msg.time - h.time;
    st[at + LAT_SUM]! += lat;
    if (lat > st[at + LAT_MAX]!) st[at + LAT_MAX] = lat;
    remove(s, h);
    if (!c2s) c.s2cInflight--;
  }

  private unexpected(ctx: Ctx, c: ConnState, msg: MqttMessage, type: string, id: number, pubDir: Direction, h: Handshake | undefined): void {
    // The publish may predate the capture, sit in a capture gap, or belong to the previous
    // connection of a resumed session (MQTT-4.4.0-1 resends PUBREL and unacknowledged PUBLISH).
    if (!c.fromConnect || c.sessionPresent !== false) return; // (null: MQTT 3.1, not known)
    const gap = pubDir === 'c2s' ? c.gapC2S : c.gapS2C;
    if (gap !== Infinity) return;
    const expected = type === 'PUBACK' ? 'QoS 1 PUBLISH' : type === 'PUBREC' ? 'QoS 2 PUBLISH' : type === 'PUBREL' ? 'PUBREC' : 'PUBREL';
    const frames = h === undefined ? [msg.frame] : [h.frame, msg.frame];
    ctx.report('qos-ack-unexpected', frames, c, { ack: type, packetId: id, dir: dirName(msg.dir), expected });
  }

  /** The CONNACK of `c` (its first): a resumed session owes what its previous connection left
   *  to resend; a new session owes nothing (the old state is gone with it). */
  private resumed(c: ConnState, frame: number, present: boolean): void {
    const s = c.slots[this.slot] as QosState | null;
    if (s === null || s.owed === null || s.resumeFrame !== 0) return;
    if (!present || !c.fromConnect) {
      s.owed = null;
      return;
    }
    s.resumeFrame = frame;
    s.resumeC2S = c.c2s;
    s.resumeS2C = c.s2c;
  }

  /** Resends owed when this resumed connection began that never came (MQTT-4.4.0-1). */
  private judgeOwed(ctx: Ctx, c: ConnState, s: QosState): void {
    for (const o of s.owed!) {
      if (o.resent) continue;
      // The sender of the resend: the client for its own PUBLISH (and PUBREL), else the broker.
      const gap = o.c2s ? c.gapC2S : c.gapS2C;
      if (gap !== Infinity) continue;
      // Seen sending since the session resumed (or hung up with DISCONNECT): it had its chance.
      const spoke = o.c2s ? c.c2s > s.resumeC2S : c.s2c > s.resumeS2C;
      ctx.report('redelivery-missing', [o.frame, o.lastFrame, s.resumeFrame], c, {
        what: o.stage === 0 ? 'PUBLISH' : 'PUBREL', packetId: o.packetId, qos: o.qos, dir: dirName(o.c2s ? 'c2s' : 's2c'),
        since: o.frame, clientId: c.clientId ?? '', resumed: s.resumeFrame,
      }, spoke ? undefined : 'not-observable');
    }
    s.owed = null;
  }

  /** A persistent session's connection ended with handshakes open: what its next connection owes. */
  private keepOwed(c: ConnState, s: QosState): void {
    const cl = c.client;
    if (cl === null || !c.fromConnect || c.connackCode !== 0 || !sessionPersistent(c)) return;
    // Taken over: the connection that took the session is already online and owes the resends.
    if (cl.online !== null && cl.online !== c) return;
    // The state of a handshake is known only if neither direction lost bytes.
    if (c.gapC2S !== Infinity || c.gapS2C !== Infinity) return;
    const owed: Owed[] = [];
    for (const h of s.inflight.values()) {
      if (owed.length >= MAX_OWED) break;
      owed.push({
        packetId: h.packetId, qos: h.qos, c2s: h.c2s, stage: h.stage, frame: h.frame, lastFrame: h.atFrame, resent: false,
        topic: h.topic, len: h.len, hash: h.hash,
      });
    }
    if (owed.length > 0) this.owedByClient.set(cl, owed);
  }

  connectionEnd(ctx: Ctx, c: ConnState): void {
    const s = c.slots[this.slot] as QosState | null;
    if (s === null) return;
    if (s.owed !== null && s.resumeFrame !== 0) this.judgeOwed(ctx, c, s);
    s.owed = null;
    const reset: [number[], number[]] = [[], []];
    const atEnd: [number[], number[]] = [[], []];
    if (s.last !== null) add(s, null); // into the Map, last in start order
    for (const h of s.inflight.values()) {
      const d = h.c2s ? 0 : 1;
      // The missing packet: PUBACK/PUBREC/PUBCOMP travel against the PUBLISH, PUBREL with it.
      const owedC2S = h.stage === 1 ? h.c2s : !h.c2s;
      const gap = owedC2S ? c.gapC2S : c.gapS2C;
      if (gap !== Infinity) continue; // the capture lost bytes that may hold it
      const id = h.qos === 1 ? 'qos1-puback-missing' : h.stage === 0 ? 'qos2-pubrec-missing' : h.stage === 1 ? 'qos2-pubrel-missing' : 'qos2-pubcomp-missing';
      const overtaken = s.acked[d * 3 + h.stage]! > h.seq;
      const dir = dirName(h.c2s ? 'c2s' : 's2c');
      if (overtaken) {
        ctx.report(id, [h.frame], c, { packetId: h.packetId, dir, why: `a later ${ACK_NAME[h.stage]} was sent, so the peer skipped this one` });
      } else if (c.end === 'disconnect' || c.end === 'disconnect-with-will') {
        // The broker reads packets in order: it had the PUBLISH/PUBREL before the DISCONNECT.
        const brokerOwes = !owedC2S;
        ctx.report(id, [h.frame, c.endFrame], c, {
          packetId: h.packetId, dir,
          why: brokerOwes ? 'the broker read it before the client\'s DISCONNECT and never answered' : 'the client disconnected with the handshake open (the session, if kept, resumes it)',
        }, brokerOwes ? 'violation' : 'warning');
      } else if (c.end === 'open') {
        atEnd[d].push(h.frame);
      } else {
        reset[d].push(h.frame);
      }
    }
    for (let d = 0; d < 2; d++) {
      const dir = dirName(d === 0 ? 'c2s' : 's2c');
      if (reset[d]!.length > 0) {
        ctx.report('handshake-reset', [...reset[d]!.slice(0, 8), c.endFrame], c, { count: reset[d]!.length, dir, how: c.end ?? '?' });
      }
      if (atEnd[d]!.length > 0) ctx.report('handshake-incomplete-at-end', atEnd[d]!.slice(0, 8), c, { count: atEnd[d]!.length, dir });
    }
    if (c.end !== 'open') this.keepOwed(c, s);
    for (let i = 0; i < 6; i++) {
      const st = s.stats;
      const at = i * STRIDE;
      const started = st[at + STARTED]!;
      const completed = st[at + COMPLETED]!;
      if (started === 0) continue;
      if (this.rows.length >= ctx.opts.maxSummaryRows) {
        this.folded++;
        continue;
      }
      this.rows.push({
        connection: c.id, clientId: c.clientId, direction: i < 3 ? 'c2s' : 's2c', qos: i % 3, started,
        completed, incomplete: started - completed,
        latencyAvg: completed > 0 ? round6(st[at + LAT_SUM]! / completed) : null,
        latencyMax: completed > 0 ? round6(st[at + LAT_MAX]!) : null,
        steps: STEPS[i % 3]!.map((packet, k) => ({
          packet,
          // PUBREL travels with the PUBLISH; the other acknowledgements answer it.
          sentBy: (packet === 'PUBREL') === (i < 3) ? 'client' as const : 'broker' as const,
          count: st[at + STEP_COUNT + k]!,
          latencyAvg: st[at + STEP_COUNT + k]! > 0 ? round6(st[at + STEP_SUM + k]! / st[at + STEP_COUNT + k]!) : null,
          latencyMax: st[at + STEP_COUNT + k]! > 0 ? round6(st[at + STEP_MAX + k]!) : null,
        })),
      });
    }
    s.inflight.clear();
    s.last = null;
    c.slots[this.slot] = null;
  }

  summarize(result: AnalysisResult): void {
    result.summary.folded.handshakes = this.folded;
    result.handshakes = this.rows.slice().sort((a, b) => a.connection - b.connection || (a.direction < b.direction ? -1 : 1) || a.qos - b.qos);
  }
}
