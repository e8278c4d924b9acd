// Will Message (MQTT 3.1.1 §3.1.2.5, 5.0 §3.1.2.5 and §3.1.3.2): published if and only if the
// connection ended without DISCONNECT (FIN, RST, keepalive expiry, server DISCONNECT) or with
// v5 reason 0x04; after the v5 Will Delay Interval, and not when the session is resumed within
// it (MQTT-3.1.3-9). Checked through the will topic's visible subscribers.

import type { MqttMessage } from '../../pipeline/events.js';
import { newSource, type Expectation, type Source } from '../correlation.js';
import type { Ctx, Pass } from '../pass.js';
import type { Broker, ConnState } from '../session.js';
import { store } from './retain.js';

interface PendingWill {
  broker: Broker;
  clientId: string;
  conn: ConnState;
  due: number;
}

export class WillPass implements Pass {
  readonly name = 'will';
  readonly types = ['CONNECT', 'PUBLISH'] as const;
  private pending: PendingWill[] = [];
  private nextDue = Infinity;
  private readonly reported = new WeakSet<Source>();

  advance(ctx: Ctx, now: number): void {
    if (now >= this.nextDue) this.fireDue(ctx, now);
  }

  message(ctx: Ctx, c: ConnState, msg: MqttMessage): void {
    const p = msg.result.status === 'ok' ? msg.result.packet : null;
    if (p === null) return;
    if (p.type === 'CONNECT' && msg.dir === 'c2s' && this.pending.length > 0) {
      // MQTT-3.1.3-9: a new connection for the session before the delay: no will
      this.pending = this.pending.filter((w) => !(w.broker === c.broker && w.clientId === p.clientId));
      this.recomputeDue();
      return;
    }
    if (p.type !== 'PUBLISH' || msg.dir !== 's2c') return;
    const e = ctx.delivery;
    // only wills matter here: no allocation for the ordinary deliveries
    if (e === null || (e.kind !== 'will' && e.kind !== 'will-forbidden') || this.reported.has(e.source)) return;
    this.reported.add(e.source);
    const who = { clientId: e.source.clientId ?? '', topic: e.source.topic };
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
      this.pending.push({ broker: c.broker, clientId: c.clientId ?? '', conn: c, due: c.endTime + delay });
      this.recomputeDue();
      return;
    }
    this.publishWill(ctx, c, c.endTime, !graceful);
  }

  private publishWill(ctx: Ctx, c: ConnState, at: number, expected: boolean): void {
    const w = c.will!;
    const src = newSource('will', w.topic, w.hash, w.len, w.qos, w.retain, c.endFrame, at, c.id, c.clientId);
    src.note = c.end ?? '?';
    ctx.routeToSubscribers(c.broker, null, src, expected ? 'will' : 'will-forbidden');
    if (expected && w.retain) store(ctx, c.broker, w.topic, w.len, w.hash, w.qos, c.endFrame, at, null);
  }

  private fireDue(ctx: Ctx, now: number): void {
    const keep: PendingWill[] = [];
    for (const w of this.pending) {
      if (w.due <= now) this.publishWill(ctx, w.conn, w.due, true);
      else keep.push(w);
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
