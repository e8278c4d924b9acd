// The analysis' own data structures: the topic-filter trie must agree with topicMatches (the
// spec's matching rules, tested in routing.test.ts), and the state must follow the open
// connections (offline clients forgotten after their window, summary rows folded).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FilterTrie, TopicTrie, topicLevels, type CachedMatch } from '../../src/analysis/filter-trie.js';
import { topicFilterProblem, topicMatches } from '../../src/analysis/topic.js';
import { scenario, findings, violations } from './support.js';

const LEVEL = fc.constantFrom('a', 'b', '', '+', '#', '$SYS', 'a+', 'x#', 'sensor');
const filterArb = fc.array(LEVEL, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));
const topicArb = fc.array(fc.constantFrom('a', 'b', '', '$SYS', 'sensor', '+', '#'), { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));

test('trie: matches exactly the filters topicMatches accepts, valid or not, after adds and removes', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ filter: filterArb, remove: fc.boolean() }), { maxLength: 30 }), fc.array(topicArb, { minLength: 1, maxLength: 10 }),
    (ops, topics) => {
      const trie = new FilterTrie<{ filter: string }>();
      const live: { filter: string }[] = [];
      for (const op of ops) {
        const item = { filter: op.filter };
        const valid = topicFilterProblem(op.filter) === null;
        trie.add(op.filter, valid, item);
        live.push(item);
        if (op.remove) {
          // remove an earlier item (possibly one with the same filter)
          const victim = live.splice(live.length >> 1, 1)[0]!;
          assert.equal(trie.remove(victim.filter, topicFilterProblem(victim.filter) === null, victim), true);
        }
      }
      assert.equal(trie.size, live.length);
      for (const t of topics) {
        const out: { filter: string }[] = [];
        trie.match(t, topicLevels(t), out);
        const want = live.filter((i) => topicMatches(i.filter, t));
        assert.deepEqual(new Set(out), new Set(want), `topic ${JSON.stringify(t)}`);
        assert.equal(out.length, want.length);
      }
    }), { numRuns: 500 });
});

test('trie: cached matches equal a fresh walk (then order) after every add and remove', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ filter: filterArb, remove: fc.boolean(), look: fc.array(topicArb, { maxLength: 3 }) }), { maxLength: 30 }),
    (ops) => {
      // ordered by id like activation order; the cache must not keep an order made stale
      const byId = (a: { id: number }[]): void => void a.sort((x, y) => x.id - y.id);
      const trie = new FilterTrie<{ filter: string; id: number }>(byId);
      const live: { filter: string; id: number }[] = [];
      const seen = new Set<string>();
      const held = new Map<string, CachedMatch<{ filter: string; id: number }>>();
      const check = (t: string): void => {
        const fresh: { filter: string; id: number }[] = [];
        trie.match(t, topicLevels(t), fresh);
        byId(fresh);
        assert.deepEqual(trie.matchCached(t, topicLevels(t)), fresh, `topic ${JSON.stringify(t)}`);
        // an entry kept by the caller and handed back is kept up to date as well
        const e = trie.matchEntry(t, topicLevels(t), held.get(t) ?? null);
        held.set(t, e);
        assert.deepEqual(e.items, fresh, `held entry of topic ${JSON.stringify(t)}`);
      };
      ops.forEach((op, id) => {
        const item = { filter: op.filter, id };
        trie.add(op.filter, topicFilterProblem(op.filter) === null, item);
        live.push(item);
        if (op.remove) {
          const victim = live.splice(live.length >> 1, 1)[0]!;
          trie.remove(victim.filter, topicFilterProblem(victim.filter) === null, victim);
        }
        // topics looked up earlier stay cached across the changes: every one is checked again
        for (const t of op.look) seen.add(t);
        for (const t of seen) check(t);
      });
    }), { numRuns: 500 });
});

test('trie: an entry held across a full cache (emptied) is looked up again, not left stale', () => {
  const trie = new FilterTrie<string>();
  trie.add('a/+', true, 'a/+');
  const held = trie.matchEntry('a/b', topicLevels('a/b'), null);
  assert.deepEqual(held.items, ['a/+']);
  for (let i = 0; i < 5000; i++) trie.matchCached(`t/${i}`, topicLevels(`t/${i}`)); // more than the cache keeps
  trie.add('a/#', true, 'a/#');
  assert.deepEqual(trie.matchEntry('a/b', topicLevels('a/b'), held).items, ['a/#', 'a/+']);
});

test('trie: removing everything prunes it empty, a missing item is not removed', () => {
  const trie = new FilterTrie<number>();
  const fs = ['a/b/c', 'a/+/c', 'a/#', '#', '+/+', 'tmp/x/#', 'bad#'];
  fs.forEach((f, i) => trie.add(f, topicFilterProblem(f) === null, i));
  assert.equal(trie.remove('a/b/c', true, 99), false);
  fs.forEach((f, i) => assert.equal(trie.remove(f, topicFilterProblem(f) === null, i), true));
  assert.equal(trie.size, 0);
  const out: number[] = [];
  trie.match('a/b/c', topicLevels('a/b/c'), out);
  assert.deepEqual(out, []);
  // the root holds nothing any more (pruned branches leave no empty maps behind)
  assert.deepEqual(trie['root'], { parent: null, key: '', kind: 0, children: null, plus: null, hash: null, items: [] });
});

test('topic trie: a valid filter finds exactly the stored topics topicMatches accepts, after sets and deletes', () => {
  const validFilter = filterArb.filter((f) => topicFilterProblem(f) === null);
  fc.assert(fc.property(
    fc.array(fc.record({ topic: topicArb, del: fc.boolean() }), { maxLength: 30 }), fc.array(validFilter, { minLength: 1, maxLength: 10 }),
    (ops, filters) => {
      const trie = new TopicTrie<string>();
      const live = new Set<string>();
      for (const op of ops) {
        if (op.del) {
          trie.delete(op.topic);
          live.delete(op.topic);
        } else {
          trie.set(op.topic, op.topic);
          live.add(op.topic);
        }
      }
      for (const f of filters) {
        const out: string[] = [];
        trie.match(f, out);
        const want = [...live].filter((t) => topicMatches(f, t));
        assert.deepEqual(out.slice().sort(), want.sort(), `filter ${JSON.stringify(f)}`);
      }
    }), { numRuns: 500 });
});

test('topic trie: deleting every topic prunes it empty', () => {
  const trie = new TopicTrie<number>();
  const ts = ['a/b/c', 'a/b', 'a', '', '/', '$SYS/x', 'a//b'];
  ts.forEach((t, i) => trie.set(t, i));
  trie.delete('a/b/c/d'); // absent: nothing changes
  const out: number[] = [];
  trie.match('#', out);
  assert.deepEqual(out.sort(), [0, 1, 2, 3, 4, 6]); // '#' does not match "$SYS/x" (MQTT-4.7.2-1)
  ts.forEach((t) => trie.delete(t));
  assert.deepEqual(trie['root'], { parent: null, key: '', item: null, children: null });
});

test('routing: overlapping subscriptions with the same QoS: the earlier one is owed the message', () => {
  for (const order of [['a/+', 'a/#'], ['a/#', 'a/+']]) {
    const s = scenario();
    const sub = s.connect('sub');
    sub.subscribe(order[0]!, 1);
    sub.subscribe(order[1]!, 1);
    s.connect('pub').publish('a/b', 'x', { qos: 1 });
    s.wait(15);
    sub.ping();
    sub.disconnect();
    const m = findings(s.result(), 'publish-not-routed');
    assert.equal(m.length, 1);
    assert.match(m[0]!.message, new RegExp(`subscribed with "${order[0]!.replace('+', '\\+')}"`));
  }
});

test('state: 500 clean clients come and go: only the open ones and the away window are kept', () => {
  const s = scenario({ offlineWindow: 30 });
  for (let i = 0; i < 500; i++) {
    const c = s.connect(`c${i}`);
    c.subscribe(`tmp/c${i}/#`, 1);
    c.subscribe('news/#', 0);
    c.publish('news/x', 'hello');
    c.disconnect();
    c.close();
    s.wait(1);
  }
  const st = s.analyzer.stateSize();
  assert.equal(st.connections, 0);
  assert.equal(st.activeSubscriptions, 0);
  // clients that went away in the last 30 s (one per second), each with its 2 subscriptions
  assert.ok(st.clients >= 29 && st.clients <= 32, `clients ${st.clients}`);
  assert.equal(st.offlineSubscriptions, st.clients * 2);
});

test('state: a clean client back within the away window is told what it missed; after it, not', () => {
  for (const [away, want] of [[20, 1], [40, 0]] as const) {
    const s = scenario({ offlineWindow: 30 });
    const sub = s.connect('sub');
    sub.subscribe('q/#', 1);
    sub.disconnect();
    sub.close();
    s.connect('pub').publish('q/1', 'gone', { qos: 1 });
    s.wait(away);
    s.connect('other'); // time passes in the capture
    s.connect('sub');
    assert.equal(findings(s.result(), 'session-not-persistent').length, want, `away ${away}s`);
  }
});

test('state: a v5 session is kept until its expiry, then forgotten with what was queued', () => {
  const s = scenario({ offlineWindow: 5 });
  const sub = s.connect('sub', { version: 5, clean: false, sessionExpiry: 60 });
  sub.subscribe('q/#', 1);
  sub.disconnect();
  sub.close();
  s.connect('pub', { version: 5 }).publish('q/1', 'keep', { qos: 1 });
  s.wait(30);
  s.connect('x', { version: 5 });
  assert.equal(s.analyzer.stateSize().queued, 1); // within the expiry: still held
  s.wait(40);
  s.connect('y', { version: 5 });
  const st = s.analyzer.stateSize();
  assert.equal(st.queued, 0);
  assert.equal(st.offlineSubscriptions, 0);
  // back after the expiry with Session Present=0: correct, nothing owed
  s.connect('sub', { version: 5, clean: false, sessionExpiry: 60 });
  assert.deepEqual(violations(s.result()), []);
});

test('state: a 3.1.1 persistent session is held for sessionWindow: Session Present=0 within it is a violation', () => {
  for (const [away, want] of [[100, 1], [400, 0]] as const) {
    const s = scenario({ sessionWindow: 300, offlineWindow: 10 });
    const sub = s.connect('sub', { clean: false });
    sub.subscribe('q/#', 1);
    sub.disconnect();
    sub.close();
    s.wait(away);
    s.connect('other');
    s.connect('sub', { clean: false, sessionPresent: false });
    assert.equal(findings(s.result(), 'session-present-wrong').length, want, `away ${away}s`);
  }
});

test('summary: rows beyond maxSummaryRows are folded into counters, not reported as a limit', () => {
  const s = scenario({ maxSummaryRows: 3 });
  for (let i = 0; i < 5; i++) {
    const c = s.connect(`c${i}`); // CONNECT + CONNACK
    c.subscribe(`t/${i}`, 1); // SUBSCRIBE + SUBACK
    c.publish(`t/${i}`, 'x', { qos: 1 }); // PUBLISH + PUBACK
    c.receive(`t/${i}`, 'x', { qos: 1 }); // PUBLISH + PUBACK
    c.disconnect(); // DISCONNECT
  }
  const r = s.result();
  assert.equal(r.connections.length, 3);
  assert.equal(r.clients.length, 3);
  assert.equal(r.topics.length, 3);
  assert.equal(r.handshakes.length, 3);
  assert.deepEqual(r.summary.folded, {
    connections: 2, connectionPackets: 2 * 9, clients: 2,
    topicPackets: 2 * 2, // the publish and the delivery on t/3 and t/4
    handshakes: 2 * 2 + 3, // c2s and s2c QoS 1 rows of c3, c4; the 3-row cap is met inside c1 already
  });
  assert.deepEqual(findings(r, 'limit-reached'), []);
});
