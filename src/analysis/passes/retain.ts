// Retained messages (MQTT 3.1.1 §3.3.1.3, 5.0 §3.3.1.3 and §3.8.3.1): the last retained message
// per topic (an empty payload clears it, MQTT-3.3.1-10/11), sent with RETAIN=1 to a new matching
// subscription (MQTT-3.3.1-6, -8); live forwarding with RETAIN=0 in 3.1.1 (MQTT-3.3.1-9) and as
// published or 0 in 5.0 (Retain As Published, MQTT-3.3.1-12/13); v5 Retain Handling.

import type { MqttMessage } from '../../pipeline/events.js';
import { expectedRetain, newSource, type Expectation, type Source } from '../correlation.js';
import type { Ctx, Pass } from '../pass.js';
import { propNumber, PROP_MESSAGE_EXPIRY, type Broker, type ConnState, type RetainedEntry } from '../session.js';

export class RetainPass implements Pass {
  readonly name = 'retain';
  readonly types = ['PUBLISH', 'SUBSCRIBE', 'CONNACK'] as const;
  /** SUBSCRIBE frames sent before the CONNACK of a connection that asked to resume a session:
   *  whether their subscriptions are new (v5 Retain Handling 1) is known only once the CONNACK
   *  says whether the broker resumed it, and the broker takes them after resuming it. */
  private readonly early = new Map<ConnState, number[]>();

  message(ctx: Ctx, c: ConnState, msg: MqttMessage): void {
    const r = msg.result;
    if (r.status !== 'ok') return;
    const p = r.packet;
    if (p.type === 'PUBLISH') {
      if (msg.dir === 'c2s') {
        if (p.retain && p.qos <= 2 && ctx.topic.length > 0) {
          // 5.0: a retained message with Message Expiry may vanish on its own: stop tracking it
          const expires = msg.version === 5 && propNumber(p.properties, PROP_MESSAGE_EXPIRY) !== null;
          store(ctx, c.broker, ctx.topic, expires ? 0 : ctx.len, ctx.hash, p.qos, msg.frame, msg.time, ctx.source);
        }
        return;
      }
      this.delivery(ctx, c, msg, p.retain);
      return;
    }
    if (p.type === 'SUBSCRIBE' && msg.dir === 'c2s') {
      if (c.connackFrame === 0 && c.fromConnect && c.cleanSession === false) {
        const pending = this.early.get(c);
        if (pending === undefined) this.early.set(c, [msg.frame]);
        else if (pending.length < 64) pending.push(msg.frame);
        return;
      }
      this.owe(ctx, c, msg.frame);
      return;
    }
    if (p.type === 'CONNACK' && msg.dir === 's2c' && c.connackFrame === msg.frame) {
      const pending = this.early.get(c);
      if (pending === undefined) return;
      this.early.delete(c);
      if (p.returnCode !== 0) return; // refused: the broker takes nothing after it
      for (const frame of pending) this.owe(ctx, c, frame);
    }
  }

  connectionEnd(_ctx: Ctx, c: ConnState): void {
    this.early.delete(c);
  }

  /** The retained messages owed (or, v5 Retain Handling, forbidden) to the subscriptions of the
   *  SUBSCRIBE in `frame`: those stored before it. */
  private owe(ctx: Ctx, c: ConnState, frame: number): void {
    if (c.session === null || c.broker.retained.size === 0) return;
    const b = c.broker;
    for (const sub of c.session.subs.values()) {
      if (sub.subscribeFrame !== frame || !sub.valid || sub.shared) continue; // MQTT-3.8.4 shared: no retained
      // 5.0 Retain Handling: 1 = only for a new subscription, 2 = never (MQTT-3.3.1-10, -11):
      // then sending them is what must not happen. Whether it is new is unknown when the
      // capture missed the session's earlier subscriptions: then nothing is owed or forbidden.
      const v5 = c.version === 5;
      if (v5 && sub.retainHandling === 1 && !sub.replaced && c.cleanSession !== true && !c.session.subsKnown) continue;
      const forbidden = v5 && (sub.retainHandling === 2 || (sub.retainHandling === 1 && sub.replaced));
      const found = this.found;
      found.length = 0;
      b.retainedIndex.match(sub.match, found);
      sortBySeq(found); // the order of the retained store, as the broker would keep it
      for (let i = 0; i < found.length; i++) {
        const e = found[i]!;
        if (e.frame >= frame || e.source?.unreleased === true || e.source?.refused === true) continue;
        const q = e.qos < sub.requestedQos ? e.qos : sub.requestedQos;
        const src = newSource('retained', e.topic, e.hash, e.len, e.qos, true, e.frame, e.time, -1, null);
        ctx.expectOn(c, forbidden ? 'retained-forbidden' : 'retained', src, sub, q);
      }
      found.length = 0;
    }
  }

  /** Reused buffer of the retained entries a new subscription matches. */
  private readonly found: RetainedEntry[] = [];

  private delivery(ctx: Ctx, c: ConnState, msg: MqttMessage, retain: boolean): void {
    const e = ctx.delivery;
    if (e === null) return;
    if (e.kind === 'retained') {
      if (!retain) ctx.report('retain-flag-missing', [e.source.frame, msg.frame], c, { topic: e.source.topic });
      return;
    }
    if (e.kind === 'retained-forbidden') {
      const sub = e.sub!;
      ctx.report('retained-despite-handling', [e.source.frame, sub.subscribeFrame, msg.frame], c, {
        topic: e.source.topic, retainedFrame: e.source.frame, filter: sub.filter, handling: sub.retainHandling,
        why: sub.retainHandling === 2 ? 'never send retained messages' : 'send them only if the subscription did not exist, and it did',
      });
      return;
    }
    // Live forwarding to a subscription established (SUBACK) before the publish arrived.
    const expected = expectedRetain(e);
    if (e.kind !== 'route' || expected === null || e.raced) return;
    if (retain !== expected) {
      ctx.report('retain-flag-on-live', [e.source.frame, msg.frame], c, {
        topic: e.source.topic, retain: retain ? 1 : 0, expected: expected ? '1 (Retain As Published)' : '0',
      });
    }
  }

  missed(ctx: Ctx, e: Expectation, observable: boolean): void {
    if (e.kind !== 'retained') return; // (a forbidden one not sent: as it should be)
    const sub = e.sub;
    // Judge only subscriptions the broker accepted (SUBACK seen, success).
    if (!observable || sub === null || sub.granted === null || sub.granted >= 0x80) return;
    ctx.report('retained-not-delivered', [e.source.frame, sub.subscribeFrame], e.conn, {
      filter: sub.filter, topic: e.source.topic, retainedFrame: e.source.frame,
    }, e.conn.broker.local ? 'violation' : 'warning');
  }
}

/** Update the broker's retained store; len 0 clears the topic (MQTT-3.3.1-10). */
export function store(ctx: Ctx, b: Broker, topic: string, len: number, hash: number, qos: number, frame: number, time: number,
  source: Source | null): void {
  if (len === 0) {
    if (b.retained.delete(topic)) b.retainedIndex.delete(topic);
    return;
  }
  const old = b.retained.get(topic);
  if (old === undefined && b.retained.size >= ctx.opts.maxRetainedTopics) {
    if (!b.retainedOverflow) ctx.limit('maxRetainedTopics', ctx.opts.maxRetainedTopics, 'retained topics', frame);
    b.retainedOverflow = true;
    return;
  }
  if (old !== undefined) {
    old.hash = hash;
    old.len = len;
    old.qos = qos;
    old.frame = frame;
    old.time = time;
    old.source = source;
  } else {
    const e: RetainedEntry = { source, topic, hash, len, qos, frame, time, seq: ++b.retainedSeq };
    b.retained.set(topic, e);
    b.retainedIndex.set(topic, e);
  }
}

/** Sort by seq: insertion sort for the usual few matches, mostly in order already. */
function sortBySeq(a: RetainedEntry[]): void {
  if (a.length > 16) {
    a.sort((x, y) => x.seq - y.seq);
    return;
  }
  for (let i = 1; i < a.length; i++) {
    const e = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]!.seq > e.seq) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = e;
  }
}
