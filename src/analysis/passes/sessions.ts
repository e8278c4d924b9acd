// Sessions (MQTT 3.1.1 §3.1.2.4 and §3.2.2.2, 5.0 §3.1.2.4, §3.1.2.11.2 and §3.2.2.1.1): the
// Session Present flag against what the capture saw of the client's earlier connections, QoS 1/2
// messages kept for an offline persistent subscriber and delivered on reconnect (MQTT-3.1.2-5),
// QoS 0 ones optionally, and clean sessions that lose what was published while away.

import type { MqttMessage } from '../../pipeline/events.js';
import { newSource, type Expectation } from '../correlation.js';
import type { Ctx, Pass } from '../pass.js';
import { ENDED_CLEAN_SESSION, propNumber, PROP_MESSAGE_EXPIRY, unindexOffline, type ClientRecord, type ConnState, type Session } from '../session.js';

/** How the broker may have discarded session `s` by `now` (a restart, perhaps: MQTT 3.1.1
 *  section 4.1 lets it), as words for a message; null when the capture shows no such moment. */
function mayHaveDiscarded(c: ConnState, s: Session, now: number): string | null {
  const r = c.broker.resetTime;
  if (r >= s.since && r <= now) return `closed every connection at frame ${c.broker.resetFrame} (a restart?)`;
  if (s.droppedAt >= s.since) return 'closed its connection for no reason the capture shows (a restart?)';
  return null;
}

/** Seconds either side of a message's expiry within which a broker may or may not have deleted it. */
const EXPIRY_SLACK = 1;

export class SessionsPass implements Pass {
  readonly name = 'sessions';
  readonly types = ['CONNACK', 'PUBLISH'] as const;
  /** Per-publish stamp for grouping matches by client. */
  private seq = 0;

  message(ctx: Ctx, c: ConnState, msg: MqttMessage): void {
    const p = msg.result.status === 'ok' ? msg.result.packet : null;
    if (p === null) return;
    if (p.type === 'CONNACK' && msg.dir === 's2c' && c.connackFrame === msg.frame) {
      this.connack(ctx, c, msg.frame, msg.time);
    } else if (p.type === 'PUBLISH') {
      if (msg.dir === 'c2s' && ctx.source !== null) {
        // v5 Message Expiry: the broker deletes a copy it has not started to send by then (MQTT-3.3.2-5)
        const expiry = msg.version === 5 ? propNumber(p.properties, PROP_MESSAGE_EXPIRY) : null;
        this.whileAway(ctx, c, expiry === null ? Infinity : msg.time + expiry);
      }
      else if (msg.dir === 's2c' && ctx.delivery?.kind === 'queued0') {
        ctx.report('queued-qos0-delivered', [ctx.delivery.source.frame, msg.frame], c, {
          topic: ctx.topic, clientId: c.clientId ?? '',
        });
      }
    }
  }

  private connack(ctx: Ctx, c: ConnState, frame: number, time: number): void {
    if (!c.fromConnect || c.cleanSession === null) return;
    const sp = c.sessionPresent === true;
    const code = c.connackCode ?? 0;
    const v5 = c.version === 5;
    // MQTT 3.1 has no Session Present flag to be wrong (the model infers what it would say).
    const flag = c.version !== 3;
    const frames = [c.connectFrame, frame];
    if (code !== 0) {
      if (sp && flag) ctx.report('session-present-wrong', frames, c, { sp: 1, why: `the connection was refused (return code ${code}); it MUST be 0 (${v5 ? 'MQTT-3.2.2-6' : 'MQTT-3.2.2-4'})` });
      return;
    }
    const cl = c.client;
    if (!flag) {
      // nothing to check of the CONNACK
    } else if (c.cleanSession) {
      if (sp) ctx.report('session-present-wrong', frames, c, { sp: 1, why: `${v5 ? 'Clean Start' : 'CleanSession'}=1 (${v5 ? 'MQTT-3.2.2-2' : 'MQTT-3.2.2-1'})` });
    } else if (!sp && cl !== null && c.prevSession !== null && this.sessionAlive(c.prevSession, c.prevOnline, c.prevOfflineSince, time)) {
      const discarded = mayHaveDiscarded(c, c.prevSession, time);
      if (discarded !== null) {
        ctx.report('session-present-wrong', frames, c, {
          sp: 0, why: `the broker held a session for "${cl.clientId}", then ${discarded} and may have discarded it (MQTT 3.1.1 section 4.1)`,
        }, 'not-observable');
      } else {
        ctx.report('session-present-wrong', frames, c, {
          sp: 0, why: `the broker holds a session for "${cl.clientId}" from connection ${c.prevOnline?.id ?? 'earlier in the capture'} (${v5 ? 'MQTT-3.2.2-3' : 'MQTT-3.2.2-2'})${c.broker.local ? '' : '; clients outside the capture could have ended it'}`,
        }, c.broker.local ? 'violation' : 'warning');
      }
    }
    if (cl === null) return;
    if (c.prevOnline === null && (cl.queued.length > 0 || cl.awayMatches > 0)) {
      const prev = c.prevSession;
      if (sp && prev !== null && prev.persistent) {
        for (let i = 0; i < cl.queued.length; i++) {
          const q = cl.queued.at(i);
          // Expired while away (or within a second of it: brokers keep time in whole seconds):
          // deleted, not owed.
          if (q.expires - EXPIRY_SLACK <= time) continue;
          const src = newSource('queued', q.topic, q.hash, q.len, q.qos, false, q.frame, q.time, -1, null);
          ctx.expectOn(c, q.qos > 0 ? 'queued' : 'queued0', src, null, q.qos);
          for (let k = 1; k < q.copies; k++) ctx.expectOn(c, 'copy', src, null, q.qos, q.qosOk);
        }
        // What the analysis did not keep, the broker still sends: a delivery that fits no
        // expectation may be one of those, not evidence against another.
        if (cl.queuedOverflow) c.untrackedQueued = true;
      } else if (c.sessionPresent === false) {
        const lost = `${cl.queued.length + cl.awayMatches}${cl.queuedOverflow ? ' or more' : ''}`;
        const discarded = prev !== null && prev.persistent && c.cleanSession === false ? mayHaveDiscarded(c, prev, time) : null;
        const why = prev !== null && !prev.persistent ? (v5 ? 'left with Session Expiry Interval 0 (its session ended with its connection)' : 'used a clean session before going away')
          : discarded !== null ? `came back after the broker ${discarded}, which may have ended its session`
            : c.cleanSession === false && prev !== null ? `came back after its session expired (Session Expiry Interval ${prev.expiry} s)`
              : `reconnected with ${v5 ? 'Clean Start' : 'CleanSession'}=1`;
        ctx.report('session-not-persistent', [c.connectFrame], c, { clientId: cl.clientId, why, count: lost });
      }
    }
    cl.queued.clear();
    cl.awayMatches = 0;
    cl.queuedOverflow = false;
  }

  /** Did the session outlive its last connection up to `now`? */
  private sessionAlive(s: Session, online: ConnState | null, offlineSince: number, now: number): boolean {
    if (!s.persistent) return false;
    if (online !== null) return true;
    return s.expiry === 0xffffffff || now - offlineSince < s.expiry;
  }

  /** A client publish: remember it for each offline client whose session matches. The broker's
   *  offline index holds only established subscriptions of remembered offline clients, so the
   *  cost follows the matches, not the clients ever seen. The Analyzer matched the publish
   *  against it already (Broker.offlineBuf, one trie walk per publish). */
  private whileAway(ctx: Ctx, c: ConnState, expires: number): void {
    const out = c.broker.offlineBuf;
    if (out.length === 0) return;
    const src = ctx.source!;
    // one message per client: the highest QoS granted among its matching subscriptions (and a
    // further copy allowed for each other one, MQTT-3.3.5-1)
    const seq = ++this.seq;
    for (let i = 0; i < out.length; i++) {
      const e = out[i]!;
      const cl = e.client;
      const g = e.sub.granted!;
      const bit = 1 << (src.qos < g ? src.qos : g);
      if (cl.tmpSeq !== seq) {
        cl.tmpSeq = seq;
        cl.tmpGranted = g;
        cl.tmpQosOk = bit;
        cl.tmpCount = 1;
      } else {
        if (g > cl.tmpGranted) cl.tmpGranted = g;
        cl.tmpQosOk |= bit;
        cl.tmpCount++;
      }
    }
    for (let i = 0; i < out.length; i++) {
      const cl = out[i]!.client;
      if (cl.tmpSeq !== seq) continue; // done already
      cl.tmpSeq = 0;
      const s = cl.session!;
      const g = cl.tmpGranted;
      const q = src.qos < g ? src.qos : g;
      if (s.persistent && (s.expiry === 0xffffffff || src.time - cl.offlineSince < s.expiry)) {
        this.queue(ctx, cl, src.topic, ctx.hash, src.len, q, src.frame, src.time, cl.tmpQosOk, cl.tmpCount, expires);
      } else if (++cl.awayMatches >= ctx.opts.maxQueuedPerSession) {
        // Counted far enough for the report ("N or more"): stop matching this client's filters,
        // so the cost of a publish follows the sessions still being tracked, not every client
        // that went away within the window.
        cl.queuedOverflow = true;
        unindexOffline(c.broker, cl);
        // A clean session ended with its connection (MQTT-3.1.2-6): once its filters are no
        // longer matched, all its return can read of it is that it was not persistent.
        if (!s.persistent) cl.session = ENDED_CLEAN_SESSION;
      }
    }
    out.length = 0;
  }

  private queue(ctx: Ctx, cl: ClientRecord, topic: string, hash: number, len: number, qos: number, frame: number, time: number,
    qosOk: number, copies: number, expires: number): void {
    if (cl.queued.length >= ctx.opts.maxQueuedPerSession) {
      if (!cl.queuedOverflow) ctx.limit('maxQueuedPerSession', ctx.opts.maxQueuedPerSession, 'messages per offline session', frame);
      cl.queuedOverflow = true;
      // Nothing more can be queued for it: matching its filters again would only cost time.
      unindexOffline(cl.broker, cl);
      return;
    }
    cl.queued.push(topic, hash, len, qos, frame, time, qosOk, copies, expires);
  }

  missed(ctx: Ctx, e: Expectation, observable: boolean): void {
    if (e.kind !== 'queued' || !observable) return;
    ctx.report('queued-message-lost', [e.source.frame, e.conn.connackFrame], e.conn, {
      qos: e.qos, topic: e.source.topic, pubFrame: e.source.frame, clientId: e.conn.clientId ?? '',
    }, e.conn.broker.local ? 'violation' : 'warning');
  }
}

