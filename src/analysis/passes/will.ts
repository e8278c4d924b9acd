// Will Message (MQTT 3.1.1 §3.1.2.5, 5.0 §3.1.2.5 and §3.1.3.2): published if and only if the
// connection ended without DISCONNECT (FIN, RST, keepalive expiry, server DISCONNECT) or with
// v5 reason 0x04; after the v5 Will Delay Interval, and not when the session is resumed within
// it (MQTT-3.1.3-9). Checked through the will topic's visible subscribers: a delayed will is
// owed from its due time, and forbidden until then (or for good once the session resumes).

import type { MqttMessage } from '../../pipeline/events.js';
import { newSource, type Expectation, type Source } from '../correlation.js';
import type { Ctx, Pass } from '../pass.js';
import type { Broker, ConnState } from '../session.js';
import { store } from './retain.js';
import { round3 } from '../util.js';

/** A v5 will waiting out its Will Delay Interval (it must not be published before `due`). */
interface PendingWill {
  broker: Broker;
  clientId: string;
  conn: ConnState;
  due: number;
  delay: number;
  /** The will as a forbidden delivery until it is due (WillPass.delayed maps it back here). */
  early: Source;
  /** Still in WillPass.pending: neither due, published nor cancelled by a new connection. */
  waiting: boolean;
  /** CONNECT frame of the Clean Start 0 connection that resumed the session in time, else 0. */
  resumedFrame: number;
  /** A new connection with Clean Start 1 ended the session before the delay passed. */
  sessionEnded: boolean;
}

/** A delayed will delivered at most this much before its due time counts as on time (brokers
 *  run their will timers with some granularity). */
const DUE_SLACK = 0.5;

export class WillPass implements Pass {
  readonly name = 'will';
  readonly types = ['CONNECT', 'PUBLISH'] as const;
  /** Delayed wills still waiting, in order of their connections' ends. */
  private pending: PendingWill[] = [];
  private nextDue = Infinity;
  private readonly reported = new WeakSet<Source>();
  private readonly delayed = new WeakMap<Source, PendingWill>();

  advance(ctx: Ctx, now: number): void {
    if (now >= this.nextDue) this.fireDue(ctx, now);
  }

  message(ctx: Ctx, c: ConnState, msg: MqttMessage): void {
    const p = msg.result.status === 'ok' ? msg.result.packet : null;
    if (p === null) return;
    if (p.type === 'CONNECT' && msg.dir === 'c2s' && this.pending.length > 0) {
      // A new connection of the client before the delay passed. Clean Start 0 resumes the
      // session: no will (MQTT-3.1.3-9). Clean Start 1 ends the session, which 5.0 §3.1.3.2.2
      // may read as the will being due now; mosquitto 2.0 then sends none: not judged.
      this.pending = this.pending.filter((w) => {
        if (w.broker !== c.broker || w.clientId !== p.clientId) return true;
        w.waiting = false;
        if (p.cleanSession) w.sessionEnded = true;
        else w.resumedFrame = msg.frame;
        return false;
      });
      this.recomputeDue();
      return;
    }
    if (p.type !== 'PUBLISH' || msg.dir !== 's2c') return;
    const e = ctx.delivery;
    // only wills matter here: no allocation for the ordinary deliveries
    if (e === null || (e.kind !== 'will' && e.kind !== 'will-forbidden') || this.reported.has(e.source)) return;
    this.reported.add(e.source);
    const who = { clientId: e.source.clientId ?? '', topic: e.source.topic };
    const d = this.delayed.get(e.source);
    if (d !== undefined) {
      this.delayedDelivery(ctx, c, msg.frame, d, who);
      return;
    }
    if (e.kind === 'will') {
      ctx.report('will-published', [e.source.frame, msg.frame], c, { ...who, how: endName(e.source) });
    } else {
      ctx.report('will-published-after-disconnect', [e.source.frame, msg.frame], c, who);
    }
  }

  connectionEnd(ctx: Ctx, c: ConnState): void {
    const w = c.will;
    if (w === null || !c.fromConnect || c.connackCode !== 0 || c.end === null || c.end === 'open') return;
    if (c.takenOver || c.prevOnline !== null) return; // takeover: brokers differ, not judged
    const graceful = c.end === 'disconnect';
    let delay = 0;
    if (c.version === 5 && !graceful) {
      // the will is sent when the delay passes or the session ends, whichever is first
      delay = Math.min(w.delay, c.sessionExpiry ?? 0);
    }
    if (delay > 0) {
      if (this.pending.length >= 4096) {
        ctx.limit('pendingWills', 4096, 'delayed wills', c.endFrame);
        return;
      }
      // Until it is due the will must not reach anyone: a delivery then is early (or, once the
      // session resumed, one that should never have been).
      const early = this.routeWill(ctx, c, c.endTime, 'will-forbidden');
      const pend: PendingWill = {
        broker: c.broker, clientId: c.clientId ?? '', conn: c, due: c.endTime + delay, delay, early, waiting: true,
        resumedFrame: 0, sessionEnded: false,
      };
      this.delayed.set(early, pend);
      this.pending.push(pend);
      this.recomputeDue();
      return;
    }
    this.publishWill(ctx, c, c.endTime, !graceful);
  }

  private publishWill(ctx: Ctx, c: ConnState, at: number, expected: boolean): void {
    this.routeWill(ctx, c, at, expected ? 'will' : 'will-forbidden');
    const w = c.will!;
    if (expected && w.retain) store(ctx, c.broker, w.topic, w.len, w.hash, w.qos, c.endFrame, at, null);
  }

  private routeWill(ctx: Ctx, c: ConnState, at: number, kind: 'will' | 'will-forbidden'): Source {
    const w = c.will!;
    const src = newSource('will', w.topic, w.hash, w.len, w.qos, w.retain, c.endFrame, at, c.id, c.clientId);
    src.note = c.end ?? '?';
    ctx.routeToSubscribers(c.broker, null, src, kind);
    return src;
  }

  /** A delayed will delivered before it was owed: too early, after the session resumed, or
   *  (within DUE_SLACK of its due time, or once a clean start ended the session) not wrong. */
  private delayedDelivery(ctx: Ctx, c: ConnState, frame: number, d: PendingWill, who: { clientId: string; topic: string }): void {
    const src = d.early;
    const frames = [src.frame, frame];
    if (d.resumedFrame > 0) {
      ctx.report('will-published-after-resume', frames, c, { ...who, resumed: d.resumedFrame, delay: d.delay });
      return;
    }
    // Published now: it is not owed again at its due time.
    if (d.waiting) {
      this.pending = this.pending.filter((w) => w !== d);
      this.recomputeDue();
      d.waiting = false;
    }
    if (ctx.now < d.due - DUE_SLACK && !d.sessionEnded) {
      ctx.report('will-published-early', frames, c, { ...who, after: round3(ctx.now - src.time), delay: d.delay });
    } else {
      ctx.report('will-published', frames, c, { ...who, how: endName(src) });
    }
  }

  private fireDue(ctx: Ctx, now: number): void {
    const keep: PendingWill[] = [];
    for (const w of this.pending) {
      if (w.due <= now) {
        w.waiting = false;
        this.publishWill(ctx, w.conn, w.due, true);
      } else keep.push(w);
    }
    this.pending = keep;
    this.recomputeDue();
  }

  private recomputeDue(): void {
    let d = Infinity;
    for (const w of this.pending) if (w.due < d) d = w.due;
    this.nextDue = d;
  }

  missed(ctx: Ctx, e: Expectation, observable: boolean): void {
    if (e.kind !== 'will' || !observable || e.source.deliveries > 0 || this.reported.has(e.source)) return;
    this.reported.add(e.source);
    ctx.report('will-not-published', [e.source.frame], e.conn, {
      clientId: e.source.clientId ?? '', topic: e.source.topic, how: endName(e.source),
    });
  }

  end(): void {
    this.pending = []; // wills still delayed at capture end: not observable
  }
}

function endName(s: Source): string {
  return s.note;
}
