// Routing (MQTT 3.1.1 §3.3.5 and §4.7, 5.0 §3.3.4, §4.7 and §4.8): every PUBLISH a client
// receives matches one of its subscriptions; every publish matching a subscription of a visible,
// connected subscriber reaches it; SUBACK failure codes; topic filter and topic name syntax.

import type { MqttMessage } from '../../pipeline/events.js';
import type { Expectation } from '../correlation.js';
import type { Ctx, Pass } from '../pass.js';
import { sessionMatches, type ConnState } from '../session.js';
import { topicFilterProblem, topicHasWildcard } from '../topic.js';

export class RoutingPass implements Pass {
  readonly name = 'routing';
  readonly types = ['PUBLISH', 'SUBSCRIBE', 'UNSUBSCRIBE', 'SUBACK'] as const;

  message(ctx: Ctx, c: ConnState, msg: MqttMessage): void {
    const p = msg.result.status === 'ok' ? msg.result.packet : null;
    if (p === null) return;
    switch (p.type) {
      case 'PUBLISH':
        if (msg.dir === 'c2s') {
          if (topicHasWildcard(p.topic)) ctx.report('wildcard-in-publish-topic', [msg.frame], c, { topic: p.topic });
          return;
        }
        this.received(ctx, c, msg);
        return;
      case 'SUBSCRIBE':
        if (msg.dir !== 'c2s') return;
        for (const s of p.subscriptions) this.filter(ctx, c, msg.frame, s.filter);
        return;
      case 'UNSUBSCRIBE':
        if (msg.dir !== 'c2s') return;
        for (const f of p.filters) this.filter(ctx, c, msg.frame, f);
        return;
      case 'SUBACK':
        if (msg.dir !== 's2c' || c.session === null) return;
        for (const sub of c.session.subs.values()) {
          if (sub.ackFrame === msg.frame && sub.granted !== null && sub.granted >= 0x80) {
            ctx.report('suback-failure', [sub.subscribeFrame, msg.frame], c, { filter: sub.filter, code: '0x' + sub.granted.toString(16) });
          }
        }
        return;
      default:
        return;
    }
  }

  private filter(ctx: Ctx, c: ConnState, frame: number, filter: string): void {
    const shared = filter.startsWith('$share/');
    let f = filter;
    if (shared && c.version === 5) {
      const slash = filter.indexOf('/', 7);
      if (slash < 0 || slash === 7) {
        ctx.report('invalid-topic-filter', [frame], c, { filter, why: 'a shared subscription needs "$share/{ShareName}/{filter}" (MQTT-4.8.2-1)' });
        return;
      }
      f = filter.slice(slash + 1);
    }
    const why = topicFilterProblem(f);
    if (why !== null) ctx.report('invalid-topic-filter', [frame], c, { filter, why });
  }

  /** A broker → client PUBLISH must match one of the client's subscriptions (MQTT-3.3.5-1).
   *  Judged only when every subscription of the session was seen. */
  private received(ctx: Ctx, c: ConnState, msg: MqttMessage): void {
    const e = ctx.delivery;
    if (e !== null && e.kind === 'no-local') {
      if (e.raced) return; // a new SUBSCRIBE without No Local may have come first
      ctx.report('no-local-violated', [e.source.frame, msg.frame], c, {
        topic: e.source.topic, clientId: c.clientId ?? '', filter: e.sub?.filter ?? '?', pubFrame: e.source.frame,
      });
      return;
    }
    const s = c.session;
    if (s === null || !s.subsKnown || !c.fromConnect || c.gapC2S !== Infinity) return;
    const topic = ctx.topic;
    if (topic.length === 0) return;
    // A delivery owed to a valid subscription of this session matched that filter already
    // (the tries agree with topicMatches on valid filters): no need to try every filter. A
    // subscription of `s` is in `s.subs` (entries are only ever added, under the sub's filter).
    if (e !== null && e.sub !== null && e.sub.valid && e.sub.session === s) return;
    if (sessionMatches(s, topic)) return;
    const filters: string[] = [];
    for (const sub of s.subs.values()) if (filters.length < 8) filters.push(sub.filter);
    ctx.report('publish-unsubscribed', [msg.frame], c, {
      topic, clientId: c.clientId ?? '', filters: filters.length === 0 ? 'no subscriptions' : filters.join(', '),
    });
  }

  missed(ctx: Ctx, e: Expectation, observable: boolean): void {
    if (e.kind !== 'route' || !observable || e.sub === null) return;
    // QoS 0 is "at most once": a broker may drop it under load (§4.3.1), so it is a warning.
    ctx.report('publish-not-routed', [e.source.frame, e.sub.ackFrame], e.conn, {
      qos: e.source.qos, topic: e.source.topic, pubFrame: e.source.frame, clientId: e.conn.clientId ?? '',
      filter: e.sub.filter, granted: e.sub.granted ?? '?',
    }, e.qos >= 1 ? 'violation' : 'warning');
  }
}
