// A topic-filter trie (MQTT 3.1.1 §4.7, 5.0 §4.7): filters stored level by level, so a topic
// name finds the filters it matches in time proportional to its levels and to the matches,
// not to the number of filters held. '+' and '#' are children apart from the literal levels;
// the '$' rule (MQTT-4.7.2-1) is applied at the root. Emptied branches are pruned at once, so
// the trie holds only what is stored now (filters like "tmp/<client id>/#" come and go).

import { topicMatches } from './topic.js';

interface Node<T> {
  parent: Node<T> | null;
  /** The literal level under which the parent holds this node ('' for '+' and '#' nodes). */
  key: string;
  /** 0 literal, 1 '+', 2 '#'. */
  kind: 0 | 1 | 2;
  children: Map<string, Node<T>> | null;
  plus: Node<T> | null;
  hash: Node<T> | null;
  /** Items whose filter ends at this node. */
  items: T[];
}

function newNode<T>(parent: Node<T> | null, key: string, kind: 0 | 1 | 2): Node<T> {
  return { parent, key, kind, children: null, plus: null, hash: null, items: [] };
}

/** A topic's matches as last computed; `gen` is stale (0, or behind the trie's) once a filter
 *  that matches the topic was added or removed. A caller may keep the entry for its topic and
 *  hand it back to matchEntry (no lookup by topic); `dropped` says the cache let it go. */
export interface CachedMatch<T> {
  readonly items: T[];
  gen: number;
  dropped: boolean;
}

/** Topics whose matches a trie remembers (bounded: the cache is emptied when full). */
const MAX_CACHED_TOPICS = 4096;

export class FilterTrie<T> {
  private readonly root: Node<T> = newNode<T>(null, '', 0);
  /** Items with an invalid filter: matched one by one with topicMatches, exactly as before the
   *  trie (an invalid filter can still be active, e.g. resumed from an earlier session). */
  private readonly loose: { filter: string; item: T }[] = [];
  private count = 0;
  /** matchCached's memory: a capture publishes on few topics many times while its filters
   *  change seldom, so one trie walk per topic and filter change does instead of one per
   *  publish. Entries are indexed by topic level, so a filter change finds exactly the topics
   *  it matches and marks them stale (a change of an invalid filter marks all: `gen` moves). */
  private readonly cache = new Map<string, CachedMatch<T>>();
  private cacheIndex = new TopicTrie<CachedMatch<T>>();
  private gen = 1;
  private readonly staleBuf: CachedMatch<T>[] = [];

  /** `order`, when given, sorts a topic's matches on the way into the cache (e.g. activation
   *  order); without it they are in trie order, as `match` gives them. */
  constructor(private readonly order?: (items: T[]) => void) {}

  get size(): number {
    return this.count;
  }

  /** The items whose filter matches `topic` (as `match`, then `order`), from the cache while no
   *  matching filter changed. The array is the cache's: read it before the next add or remove. */
  matchCached(topic: string, levels: readonly string[]): readonly T[] {
    return this.matchEntry(topic, levels, null).items;
  }

  /** matchCached's entry for `topic`; `known`, the entry this returned for the same topic
   *  before (or null), spares the lookup by topic. */
  matchEntry(topic: string, levels: readonly string[], known: CachedMatch<T> | null): CachedMatch<T> {
    let e = known;
    if (e === null || e.dropped) {
      e = this.cache.get(topic) ?? null;
      if (e === null) {
        if (this.cache.size >= MAX_CACHED_TOPICS) this.clearCache();
        e = { items: [], gen: 0, dropped: false };
        this.cache.set(topic, e);
        this.cacheIndex.set(topic, e);
      }
    }
    if (e.gen !== this.gen) {
      e.items.length = 0;
      this.match(topic, levels, e.items);
      if (this.order !== undefined && e.items.length > 1) this.order(e.items);
      e.gen = this.gen;
    }
    return e;
  }

  /** A filter was added or removed: the cached topics it matches must be matched again.
   *  `levels`: the valid filter's levels (null for an invalid one). */
  private invalidate(levels: readonly string[] | null): void {
    if (this.cache.size === 0) return;
    if (levels === null) {
      this.gen++; // topicMatches semantics for invalid filters: not worth indexing
      return;
    }
    const buf = this.staleBuf;
    this.cacheIndex.matchLevels(levels, buf);
    for (let i = 0; i < buf.length; i++) buf[i]!.gen = 0;
    buf.length = 0;
  }

  private clearCache(): void {
    for (const e of this.cache.values()) e.dropped = true; // no longer invalidated: callers let go
    this.cache.clear();
    this.cacheIndex = new TopicTrie<CachedMatch<T>>();
  }

  /** Store `item` under `filter`; `valid` says the filter passed topicFilterProblem. */
  add(filter: string, valid: boolean, item: T): void {
    this.count++;
    if (!valid) {
      this.invalidate(null);
      this.loose.push({ filter, item });
      return;
    }
    const levels = filter.split('/'); // not cached: filters are many and outlive few lookups
    this.invalidate(levels);
    let n = this.root;
    for (let i = 0; i < levels.length; i++) {
      const key = levels[i]!;
      if (key === '+') {
        n = n.plus ??= newNode(n, '', 1);
      } else if (key === '#') {
        n = n.hash ??= newNode(n, '', 2); // valid filters end here
      } else {
        const ch = (n.children ??= new Map());
        let next = ch.get(key);
        if (next === undefined) {
          next = newNode(n, key, 0);
          ch.set(key, next);
        }
        n = next;
      }
    }
    n.items.push(item);
  }

  /** Remove `item` stored under `filter`; false when it was not there. */
  remove(filter: string, valid: boolean, item: T): boolean {
    if (!valid) {
      for (let i = 0; i < this.loose.length; i++) {
        if (this.loose[i]!.item === item) {
          this.loose.splice(i, 1);
          this.count--;
          this.invalidate(null);
          return true;
        }
      }
      return false;
    }
    const levels = filter.split('/'); // once, for the node and for the cached topics it matches
    const n = this.find(levels);
    if (n === null) return false;
    const i = n.items.indexOf(item);
    if (i < 0) return false;
    n.items.splice(i, 1);
    this.count--;
    this.invalidate(levels);
    this.prune(n);
    return true;
  }

  /** Append to `out` every item whose filter matches `topic` (order: trie order, not insertion).
   *  `levels` is topicLevels(topic). */
  match(topic: string, levels: readonly string[], out: T[]): void {
    if (this.count === 0) return;
    if (this.count > this.loose.length) this.collect(this.root, levels, 0, out, topic.charCodeAt(0) === 0x24 /* $ */);
    for (let i = 0; i < this.loose.length; i++) {
      const l = this.loose[i]!;
      if (topicMatches(l.filter, topic)) out.push(l.item);
    }
  }

  /** `n` has consumed levels[0..i-1]; levels[i] exists. */
  private collect(n: Node<T>, levels: readonly string[], i: number, out: T[], dollarRoot: boolean): void {
    // MQTT-4.7.2-1: a filter starting with a wildcard does not match a topic starting with '$'
    if (!dollarRoot) {
      if (n.hash !== null) push(n.hash.items, out); // "x/#" matches everything below x
      if (n.plus !== null) this.descend(n.plus, levels, i + 1, out);
    }
    if (n.children !== null) {
      const next = n.children.get(levels[i]!);
      if (next !== undefined) this.descend(next, levels, i + 1, out);
    }
  }

  /** `n` matched levels[0..i-1]. */
  private descend(n: Node<T>, levels: readonly string[], i: number, out: T[]): void {
    if (i >= levels.length) {
      push(n.items, out);
      if (n.hash !== null) push(n.hash.items, out); // "x/#" also matches x itself (§4.7.1.2)
      return;
    }
    this.collect(n, levels, i, out, false);
  }

  private find(levels: readonly string[]): Node<T> | null {
    let n: Node<T> | null = this.root;
    for (let i = 0; i < levels.length; i++) {
      const key = levels[i]!;
      if (key === '+') n = n.plus;
      else if (key === '#') n = n.hash;
      else n = n.children?.get(key) ?? null;
      if (n === null) return null;
    }
    return n;
  }

  private prune(n: Node<T>): void {
    let cur: Node<T> | null = n;
    while (cur !== null && cur.parent !== null && cur.items.length === 0 && cur.plus === null && cur.hash === null
      && (cur.children === null || cur.children.size === 0)) {
      const p: Node<T> = cur.parent;
      if (cur.kind === 1) p.plus = null;
      else if (cur.kind === 2) p.hash = null;
      else {
        p.children!.delete(cur.key);
        if (p.children!.size === 0) p.children = null;
      }
      cur = p;
    }
  }
}

function push<T>(items: T[], out: T[]): void {
  for (let i = 0; i < items.length; i++) out.push(items[i]!);
}

const levelCache = new Map<string, readonly string[]>();

/** A topic name's levels ("a//b" has three, "" one). Cached (bounded): a capture publishes on
 *  few topics many times, and the level strings then keep their hashes for the trie's maps. */
export function topicLevels(topic: string): readonly string[] {
  let l = levelCache.get(topic);
  if (l === undefined) {
    if (levelCache.size >= 8192) levelCache.clear();
    l = topic.split('/');
    levelCache.set(topic, l);
  }
  return l;
}

interface TopicNode<T> {
  parent: TopicNode<T> | null;
  key: string;
  item: T | null;
  children: Map<string, TopicNode<T>> | null;
}

/** The other way round: topic names stored level by level, so a filter finds the topics it
 *  matches (the retained messages owed to a new subscription) in time proportional to its
 *  levels and to the topics under its wildcards, not to every topic held. Same rules as
 *  topicMatches for valid filters: '+' one level, '#' the parent level and all below, and no
 *  wildcard at the root for topics starting with '$' (MQTT-4.7.2-1). */
export class TopicTrie<T> {
  private readonly root: TopicNode<T> = { parent: null, key: '', item: null, children: null };

  set(topic: string, item: T): void {
    let n = this.root;
    for (const level of topicLevels(topic)) {
      const ch = (n.children ??= new Map());
      let next = ch.get(level);
      if (next === undefined) {
        next = { parent: n, key: level, item: null, children: null };
        ch.set(level, next);
      }
      n = next;
    }
    n.item = item;
  }

  delete(topic: string): void {
    let n: TopicNode<T> | null = this.root;
    for (const level of topicLevels(topic)) {
      n = n.children?.get(level) ?? null;
      if (n === null) return;
    }
    n.item = null;
    // prune emptied branches at once: the trie holds only the topics stored now
    while (n.parent !== null && n.item === null && n.children === null) {
      const p: TopicNode<T> = n.parent;
      p.children!.delete(n.key);
      if (p.children!.size === 0) p.children = null;
      n = p;
    }
  }

  /** Append to `out` every item whose topic the valid filter `filter` matches (trie order). */
  match(filter: string, out: T[]): void {
    this.walk(this.root, filter.split('/'), 0, out);
  }

  /** match, for a filter already split into its levels. */
  matchLevels(levels: readonly string[], out: T[]): void {
    this.walk(this.root, levels, 0, out);
  }

  /** `n` matched filter levels [0, i). */
  private walk(n: TopicNode<T>, f: readonly string[], i: number, out: T[]): void {
    if (i === f.length) {
      if (n.item !== null) out.push(n.item);
      return;
    }
    const level = f[i]!;
    const atRoot = n === this.root;
    if (level === '#') {
      if (!atRoot && n.item !== null) out.push(n.item); // "a/#" matches "a" (§4.7.1.2)
      this.all(n, atRoot, out);
      return;
    }
    if (n.children === null) return;
    if (level === '+') {
      for (const c of n.children.values()) {
        if (atRoot && c.key.charCodeAt(0) === 0x24 /* $ */) continue;
        this.walk(c, f, i + 1, out);
      }
      return;
    }
    const c = n.children.get(level);
    if (c !== undefined) this.walk(c, f, i + 1, out);
  }

  /** Every item strictly below `n`. */
  private all(n: TopicNode<T>, atRoot: boolean, out: T[]): void {
    if (n.children === null) return;
    for (const c of n.children.values()) {
      if (atRoot && c.key.charCodeAt(0) === 0x24 /* $ */) continue;
      if (c.item !== null) out.push(c.item);
      this.all(c, false, out);
    }
  }
}
