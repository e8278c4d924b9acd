// One evaluator per check kind: a pure function (trace, params) → outcome with evidence frames
// and, on failure, what the capture shows instead. Everything is read from the collected packets
// so a check never claims what the capture cannot show; `findings` reads the analysis passes.

import type { Check, PacketFilter } from './schema.js';
import type { TConnection, TPacket, Trace } from './trace.js';
import { hasWildcard, inRange, parseCount, topicMatches } from './topic.js';

export interface Outcome {
  pass: boolean;
  /** Evidence: the frames that show it (on success), or the closest thing seen (on failure). */
  frames: number[];
  /** On success what holds; on failure what was seen instead. */
  message: string;
}

const ok = (message: string, frames: number[]): Outcome => ({ pass: true, frames: uniqueSorted(frames), message });
const fail = (message: string, frames: number[] = []): Outcome => ({ pass: false, frames: uniqueSorted(frames), message });

function uniqueSorted(frames: number[]): number[] {
  return [...new Set(frames)].sort((a, b) => a - b);
}

/** Lookups shared by the checks of one trace, built once. */
export class TraceIndex {
  readonly conns = new Map<number, TConnection>();
  /** c2s PUBLISHes by topic + payload, to link deliveries to what was published. */
  private readonly publishedBy = new Map<string, TPacket[]>();

  constructor(readonly trace: Trace) {
    for (const c of trace.conns) this.conns.set(c.id, c);
    for (const p of trace.packets) {
      if (p.type === 'PUBLISH' && p.dir === 'c2s') {
        const k = key(p.topic, p.payload);
        let list = this.publishedBy.get(k);
        if (!list) this.publishedBy.set(k, (list = []));
        list.push(p);
      }
    }
  }

  /** The client publish a broker → client delivery came from: same topic and payload, another
   *  connection, earlier (or in the same frame: capture order). */
  sourceOf(d: TPacket): TPacket | null {
    const list = this.publishedBy.get(key(d.topic, d.payload));
    if (!list) return null;
    let best: TPacket | null = null;
    for (const p of list) if (p.i < d.i && p.conn !== d.conn) best = p;
    return best;
  }

  label(connId: number): string {
    const c = this.conns.get(connId);
    if (!c) return `connection ${connId}`;
    return c.clientId !== null && c.clientId !== '' ? `'${c.clientId}'` : c.client;
  }

  clientId(connId: number): string | null {
    return this.conns.get(connId)?.clientId ?? null;
  }
}

const key = (topic: string, payload: string): string => `${topic}\u0000${payload}`;

const s = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const secs = (x: number): string => `${x.toFixed(1)} s`;
const framesText = (ps: TPacket[], max = 5): string =>
  ps.slice(0, max).map((p) => p.frame).join(', ') + (ps.length > max ? `, … (${ps.length})` : '');
const isPublish = (p: TPacket, dir: 'c2s' | 's2c'): boolean => p.type === 'PUBLISH' && p.dir === dir;
const dirName = (d: 'c2s' | 's2c'): string => (d === 'c2s' ? 'to-broker' : 'from-broker');
const toDir = (d: 'to-broker' | 'from-broker' | undefined): 'c2s' | 's2c' | undefined =>
  d === undefined ? undefined : d === 'to-broker' ? 'c2s' : 's2c';
const utf8AsLatin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
const show = (payload: string): string => {
  const t = Buffer.from(payload, 'latin1').toString('utf8');
  return JSON.stringify(t.length > 40 ? t.slice(0, 40) + '…' : t);
};

// ---------------------------------------------------------------------------------------------
// Packet filters

type FieldTest = { field: string; test: (p: TPacket) => boolean; describe: (p: TPacket) => string };

function versionOf(v: PacketFilter['version']): 3 | 4 | 5 | undefined {
  if (v === undefined) return undefined;
  if (v === 3 || v === '3.1') return 3;
  if (v === 4 || v === '3.1.1') return 4;
  return 5;
}

/** One test per field of the filter, so a near miss can say which field differed. */
function fieldTests(f: PacketFilter, ix: TraceIndex): FieldTest[] {
  const t: FieldTest[] = [];
  if (f.type !== undefined) {
    const types = Array.isArray(f.type) ? f.type : [f.type];
    t.push({ field: 'type', test: (p) => (types as string[]).includes(p.type), describe: (p) => `is ${p.type}` });
  }
  if (f.topic !== undefined) {
    const topic = f.topic;
    t.push({
      field: 'topic',
      test: (p) => (p.type === 'PUBLISH' ? p.topic === topic : p.filters.some((x) => x.filter === topic)),
      describe: (p) => (p.type === 'PUBLISH' ? `has topic ${p.topic}` : `has ${p.filters.map((x) => x.filter).join(', ') || 'no topic'}`),
    });
  }
  if (f.matches !== undefined) {
    const filter = f.matches;
    t.push({ field: 'matches', test: (p) => p.type === 'PUBLISH' && topicMatches(filter, p.topic), describe: (p) => `has topic ${p.topic || '(none)'}` });
  }
  if (f.qos !== undefined) {
    const q = f.qos;
    t.push({ field: 'qos', test: (p) => p.qos === q && (p.type === 'PUBLISH' || q === 0), describe: (p) => `has QoS ${p.qos}` });
  }
  if (f.retain !== undefined) {
    const r = f.retain;
    t.push({ field: 'retain', test: (p) => p.retain === r, describe: (p) => `has RETAIN=${p.retain ? 1 : 0}` });
  }
  if (f.dup !== undefined) {
    const d = f.dup;
    t.push({ field: 'dup', test: (p) => p.dup === d, describe: (p) => `has DUP=${p.dup ? 1 : 0}` });
  }
  if (f.direction !== undefined) {
    const d = toDir(f.direction);
    t.push({ field: 'direction', test: (p) => p.dir === d, describe: (p) => `goes ${dirName(p.dir)}` });
  }
  if (f.client !== undefined) {
    const id = f.client;
    t.push({ field: 'client', test: (p) => ix.clientId(p.conn) === id, describe: (p) => `is on client ${ix.label(p.conn)}` });
  }
  if (f.version !== undefined) {
    const v = versionOf(f.version);
    t.push({ field: 'version', test: (p) => p.version === v, describe: (p) => `is MQTT ${p.version === 5 ? '5.0' : p.version === 4 ? '3.1.1' : '3.1'}` });
  }
  if (f.payload !== undefined) {
    const pl = utf8AsLatin1(f.payload);
    t.push({ field: 'payload', test: (p) => p.payload === pl, describe: (p) => `has payload ${show(p.payload)}` });
  }
  if (f.wildcard !== undefined) {
    const w = f.wildcard;
    t.push({ field: 'wildcard', test: (p) => p.filters.some((x) => hasWildcard(x.filter)) === w, describe: (p) => `has filters ${p.filters.map((x) => x.filter).join(', ')}` });
  }
  if (f.sessionPresent !== undefined) {
    const sp = f.sessionPresent;
    t.push({ field: 'sessionPresent', test: (p) => p.type === 'CONNACK' && p.sessionPresent === sp, describe: (p) => `has session present=${p.sessionPresent ? 1 : 0}` });
  }
  return t;
}

export function describeFilter(f: PacketFilter): string {
  const parts: string[] = [];
  if (f.type !== undefined) parts.push(Array.isArray(f.type) ? f.type.join('|') : f.type);
  if (f.topic !== undefined) parts.push(f.topic);
  if (f.matches !== undefined) parts.push(`matching ${f.matches}`);
  if (f.qos !== undefined) parts.push(`QoS ${f.qos}`);
  if (f.retain !== undefined) parts.push(`RETAIN=${f.retain ? 1 : 0}`);
  if (f.dup !== undefined) parts.push(`DUP=${f.dup ? 1 : 0}`);
  if (f.direction !== undefined) parts.push(f.direction);
  if (f.client !== undefined) parts.push(`client '${f.client}'`);
  if (f.version !== undefined) parts.push(`MQTT ${f.version}`);
  if (f.payload !== undefined) parts.push(`payload ${JSON.stringify(f.payload)}`);
  if (f.wildcard !== undefined) parts.push(f.wildcard ? 'with wildcard' : 'without wildcard');
  if (f.sessionPresent !== undefined) parts.push(`session present=${f.sessionPresent ? 1 : 0}`);
  return parts.join(' ') || 'any';
}

function matcher(f: PacketFilter, ix: TraceIndex): (p: TPacket) => boolean {
  const tests = fieldTests(f, ix);
  return (p) => {
    for (const t of tests) if (!t.test(p)) return false;
    return true;
  };
}

const BLAME_ORDER = ['retain', 'dup', 'qos', 'sessionPresent', 'payload', 'topic', 'matches', 'wildcard', 'version', 'client', 'direction'];

/** Packets that match every field but one: "frame 44 has RETAIN=0". */
function nearMiss(f: PacketFilter, ix: TraceIndex): string | null {
  const tests = fieldTests(f, ix);
  if (tests.length < 2) return null;
  // Blame a value field (RETAIN, QoS, payload, topic) before who sent it, never the packet type.
  const order = BLAME_ORDER.map((f) => tests.findIndex((t) => t.field === f)).filter((k) => k >= 0);
  for (const skip of order) {
    const hits: TPacket[] = [];
    for (const p of ix.trace.packets) {
      let good = true;
      for (let k = 0; k < tests.length && good; k++) if (k !== skip && !tests[k]!.test(p)) good = false;
      if (good) hits.push(p);
      if (hits.length >= 3) break;
    }
    if (hits.length) return hits.map((p) => `frame ${p.frame} ${tests[skip]!.describe(p)}`).join('; ');
  }
  return null;
}

function checkPackets(ix: TraceIndex, f: PacketFilter, countSpec: number | string | undefined): Outcome {
  const range = parseCount(countSpec);
  const m = matcher(f, ix);
  const hits = ix.trace.packets.filter(m);
  const what = describeFilter(f);
  if (inRange(hits.length, range)) {
    return ok(hits.length ? `${s(hits.length, what + ' packet')} (frames ${framesText(hits)})` : `no ${what}, as expected`, hits.slice(0, 20).map((p) => p.frame));
  }
  if (hits.length === 0) {
    const near = nearMiss(f, ix);
    return fail(`expected ${range.text} ${what}, saw none${near ? `; ${near}` : ''}`);
  }
  return fail(`expected ${range.text} ${what}, saw ${hits.length} (frames ${framesText(hits)})`, hits.slice(0, 20).map((p) => p.frame));
}

// ---------------------------------------------------------------------------------------------
// Order

function checkOrder(ix: TraceIndex, steps: PacketFilter[], mode: 'first' | 'sequence', sameConnection: boolean): Outcome {
  const ms = steps.map((f) => matcher(f, ix));
  const pk = ix.trace.packets;
  if (mode === 'first') {
    const firsts = ms.map((m) => pk.find(m) ?? null);
    for (let k = 0; k < steps.length; k++) {
      if (!firsts[k]) return fail(`no ${describeFilter(steps[k]!)} seen`, firsts.filter((x): x is TPacket => x !== null).map((p) => p.frame));
    }
    for (let k = 1; k < steps.length; k++) {
      const a = firsts[k - 1]!;
      const b = firsts[k]!;
      if (b.i <= a.i) {
        return fail(`the first ${describeFilter(steps[k]!)} (frame ${b.frame}) comes before the first ${describeFilter(steps[k - 1]!)} (frame ${a.frame})`, [a.frame, b.frame]);
      }
    }
    return ok(`in order: frames ${firsts.map((p) => p!.frame).join(' → ')}`, firsts.map((p) => p!.frame));
  }
  // sequence: the steps occur in this order (on one connection when asked).
  const conns = sameConnection ? [...ix.conns.keys()] : [-1];
  let best: TPacket[] = [];
  for (const c of conns) {
    const got: TPacket[] = [];
    let k = 0;
    for (const p of pk) {
      if (c >= 0 && p.conn !== c) continue;
      if (ms[k]!(p)) {
        got.push(p);
        if (++k === ms.length) return ok(`in order: frames ${got.map((x) => x.frame).join(' → ')}`, got.map((x) => x.frame));
      }
    }
    if (got.length > best.length) best = got;
  }
  const next = steps[best.length]!;
  return fail(
    best.length ? `saw ${best.map((p) => `frame ${p.frame}`).join(' → ')}, then no ${describeFilter(next)}${sameConnection ? ' on the same connection' : ''}` : `no ${describeFilter(next)} seen`,
    best.map((p) => p.frame),
  );
}

// ---------------------------------------------------------------------------------------------
// QoS handshakes

interface HandshakeTrack {
  publish: TPacket;
  steps: TPacket[];
  needed: string[];
}

/** Follow each QoS q PUBLISH through its acknowledgements on the same connection and id. */
function handshakes(ix: TraceIndex, qos: 1 | 2, dir: 'c2s' | 's2c' | undefined, topic: string | undefined): HandshakeTrack[] {
  const acks = new Map<number, TPacket[]>();
  for (const p of ix.trace.packets) {
    if (p.type === 'PUBACK' || p.type === 'PUBREC' || p.type === 'PUBREL' || p.type === 'PUBCOMP') {
      const k = p.conn * 65536 + p.packetId;
      let list = acks.get(k);
      if (!list) acks.set(k, (list = []));
      list.push(p);
    }
  }
  const out: HandshakeTrack[] = [];
  for (const p of ix.trace.packets) {
    if (p.type !== 'PUBLISH' || p.qos !== qos || p.malformed) continue;
    if (dir && p.dir !== dir) continue;
    if (topic !== undefined && !topicMatches(topic, p.topic)) continue;
    const other = p.dir === 'c2s' ? 's2c' : 'c2s';
    const needed = qos === 1 ? ['PUBACK'] : ['PUBREC', 'PUBREL', 'PUBCOMP'];
    const dirs = qos === 1 ? [other] : [other, p.dir, other];
    const list = acks.get(p.conn * 65536 + p.packetId) ?? [];
    const steps: TPacket[] = [];
    let after = p.i;
    for (let k = 0; k < needed.length; k++) {
      const a = list.find((x) => x.i > after && x.type === needed[k] && x.dir === dirs[k]);
      if (!a) break;
      steps.push(a);
      after = a.i;
    }
    out.push({ publish: p, steps, needed });
  }
  return out;
}

function checkHandshake(ix: TraceIndex, qos: 1 | 2, direction: 'to-broker' | 'from-broker' | undefined, topic: string | undefined, countSpec: number | string | undefined): Outcome {
  const range = parseCount(countSpec);
  const all = handshakes(ix, qos, toDir(direction), topic);
  const done = all.filter((h) => h.steps.length === h.needed.length);
  const where = `${direction ? ` ${direction}` : ''}${topic !== undefined ? ` on ${topic}` : ''}`;
  if (inRange(done.length, range)) {
    const ev = done.slice(0, 4).flatMap((h) => [h.publish.frame, ...h.steps.map((x) => x.frame)]);
    const first = done[0];
    return ok(
      first
        ? `${s(done.length, `complete QoS ${qos} handshake`)}${where}, e.g. PUBLISH frame ${first.publish.frame} → ${first.steps.map((x) => `${x.type} ${x.frame}`).join(' → ')}`
        : `no complete QoS ${qos} handshake${where}, as expected`,
      ev,
    );
  }
  if (all.length === 0) {
    const seen = new Map<number, number>();
    for (const p of ix.trace.packets) if (p.type === 'PUBLISH' && (!direction || p.dir === toDir(direction))) seen.set(p.qos, (seen.get(p.qos) ?? 0) + 1);
    const txt = [...seen].sort((a, b) => a[0] - b[0]).map(([q, n]) => `QoS ${q} ×${n}`).join(', ');
    return fail(`expected ${range.text} complete QoS ${qos} handshake${where}; no QoS ${qos} PUBLISH${where} seen${txt ? ` (PUBLISH seen: ${txt})` : ''}`);
  }
  const broken = all.filter((h) => h.steps.length < h.needed.length);
  if (done.length < range.min && broken.length) {
    const h = broken.reduce((a, b) => (b.steps.length > a.steps.length ? b : a));
    const got = h.steps.map((x) => `${x.type} frame ${x.frame}`).join(', ');
    return fail(
      `expected ${range.text} complete QoS ${qos} handshake${where}, saw ${done.length}; PUBLISH frame ${h.publish.frame} (id ${h.publish.packetId}, ${dirName(h.publish.dir)})${got ? `: ${got}` : ''}, no ${h.needed[h.steps.length]}`,
      [h.publish.frame, ...h.steps.map((x) => x.frame)],
    );
  }
  return fail(`expected ${range.text} complete QoS ${qos} handshake${where}, saw ${done.length}`, done.slice(0, 4).map((h) => h.publish.frame));
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

interface Sub {
  conn: number;
  filter: string;
  qos: number;
  packet: TPacket;
  /** Granted QoS from the SUBACK, -1 when no SUBACK was seen, >= 0x80 on failure. */
  granted: number;
}

function subscriptions(ix: TraceIndex): Sub[] {
  const out: Sub[] = [];
  const pending = new Map<number, Sub[]>();
  for (const p of ix.trace.packets) {
    if (p.type === 'SUBSCRIBE' && p.dir === 'c2s') {
      const subs = p.filters.map((f) => ({ conn: p.conn, filter: f.filter, qos: f.qos, packet: p, granted: -1 }));
      out.push(...subs);
      pending.set(p.conn * 65536 + p.packetId, subs);
    } else if (p.type === 'SUBACK' && p.dir === 's2c') {
      const subs = pending.get(p.conn * 65536 + p.packetId);
      if (subs) subs.forEach((x, k) => (x.granted = p.codes[k] ?? -1));
    }
  }
  return out;
}

const granted = (x: Sub): boolean => x.granted < 0x80;

// ---------------------------------------------------------------------------------------------
// Retained messages (MQTT-3.3.1-5/6/8/9)

function checkRetained(ix: TraceIndex, topic: string | undefined, liveRetain0: boolean): Outcome {
  const f = topic ?? '#';
  const pk = ix.trace.packets;
  const retainedPubs = pk.filter((p) => isPublish(p, 'c2s') && p.retain && p.payload.length > 0 && topicMatches(f, p.topic));
  if (!retainedPubs.length) {
    const plain = pk.filter((p) => isPublish(p, 'c2s') && topicMatches(f, p.topic));
    return fail(
      plain.length
        ? `no PUBLISH with RETAIN=1 from a client${topic ? ` on ${topic}` : ''}; frame ${plain[0]!.frame} publishes ${plain[0]!.topic} with RETAIN=0`
        : `no PUBLISH from a client${topic ? ` on ${topic}` : ''} seen`,
      plain.slice(0, 3).map((p) => p.frame),
    );
  }
  const subs = subscriptions(ix);
  let wrongFlag: { pub: TPacket; sub: Sub; d: TPacket } | null = null;
  let noDelivery: { pub: TPacket; sub: Sub } | null = null;
  let pass: Outcome | null = null;
  for (const pub of retainedPubs) {
    for (const sub of subs) {
      if (sub.packet.i <= pub.i || !topicMatches(sub.filter, pub.topic)) continue;
      // The first copy with RETAIN=1, else the first copy: a subscriber that also gets the message
      // queued or live (one copy per overlapping subscription) may get those first.
      let d: TPacket | undefined;
      for (const x of pk) {
        if (x.i <= sub.packet.i || x.conn !== sub.conn || !isPublish(x, 's2c') || x.topic !== pub.topic || x.payload !== pub.payload) continue;
        d ??= x;
        if (x.retain) {
          d = x;
          break;
        }
      }
      if (!d) {
        noDelivery ??= { pub, sub };
        continue;
      }
      if (!d.retain) {
        wrongFlag ??= { pub, sub, d };
        continue;
      }
      pass ??= ok(
        `retained PUBLISH ${pub.topic} (frame ${pub.frame}) delivered to ${ix.label(sub.conn)} on its SUBSCRIBE (frame ${sub.packet.frame}) with RETAIN=1 (frame ${d.frame})`,
        [pub.frame, sub.packet.frame, d.frame],
      );
    }
  }
  if (pass && liveRetain0) {
    const live = liveForwards(ix, subs, f);
    if (!live.length) return fail('the retained message was delivered on subscribe, but no live (already-subscribed) forward was seen to compare RETAIN=0', pass.frames);
    const bad = live.find((d) => d.retain && d.version !== 5);
    if (bad) return fail(`expected RETAIN=0 on a live forward (MQTT-3.3.1-9); frame ${bad.frame} has RETAIN=1`, [bad.frame]);
    return ok(`${pass.message}; live forward frame ${live[0]!.frame} has RETAIN=0`, [...pass.frames, live[0]!.frame]);
  }
  if (pass) return pass;
  if (wrongFlag) {
    const { pub, sub, d } = wrongFlag;
    return fail(`expected RETAIN=1 on the delivery to subscriber ${ix.label(sub.conn)}; frame ${d.frame} has RETAIN=0 (retained PUBLISH frame ${pub.frame}, SUBSCRIBE frame ${sub.packet.frame})`, [pub.frame, sub.packet.frame, d.frame]);
  }
  if (noDelivery) {
    const { pub, sub } = noDelivery;
    return fail(`retained PUBLISH ${pub.topic} (frame ${pub.frame}) was not delivered to ${ix.label(sub.conn)} after its SUBSCRIBE ${sub.filter} (frame ${sub.packet.frame})`, [pub.frame, sub.packet.frame]);
  }
  const p0 = retainedPubs[0]!;
  return fail(`no SUBSCRIBE after the retained PUBLISH ${p0.topic} (frame ${p0.frame}) matches it, so delivery on subscribe is not shown`, [p0.frame]);
}

/** Deliveries to connections that had subscribed before the publish they carry. */
/** Deliveries forwarded because they match an established subscription (MQTT-3.3.1-9): one made
 *  before the message was published, on the same connection or, for a persistent session that
 *  queued it, on an earlier connection of the same client. */
function liveForwards(ix: TraceIndex, subs: Sub[], f: string): TPacket[] {
  const out: TPacket[] = [];
  for (const d of ix.trace.packets) {
    if (!isPublish(d, 's2c') || !topicMatches(f, d.topic)) continue;
    const src = ix.sourceOf(d);
    if (!src) continue;
    const dc = ix.conns.get(d.conn);
    const sameSession = (x: Sub): boolean => {
      if (x.conn === d.conn) return true;
      const xc = ix.conns.get(x.conn);
      return dc !== undefined && xc !== undefined && !dc.cleanSession && dc.clientId !== null && xc.clientId === dc.clientId;
    };
    if (subs.some((x) => x.packet.i < src.i && topicMatches(x.filter, d.topic) && sameSession(x))) out.push(d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Keepalive (MQTT-3.1.2-23)

interface KeepaliveView {
  conn: TConnection;
  pings: TPacket[];
  unanswered: TPacket[];
  maxSilence: number;
  silenceFrom: number;
  silenceTo: number;
  /** Median silence before a PINGREQ: how long the client waited before pinging. */
  pingAfter: number;
}

function keepaliveView(ix: TraceIndex, c: TConnection): KeepaliveView {
  const mine = ix.trace.packets.filter((p) => p.conn === c.id);
  let last = c.connectTime;
  let lastFrame = c.connectFrame;
  let maxSilence = 0;
  let from = c.connectFrame;
  let to = c.connectFrame;
  const pings: TPacket[] = [];
  const before: number[] = [];
  const unanswered: TPacket[] = [];
  let open: TPacket | null = null;
  for (const p of mine) {
    if (p.dir === 's2c') {
      if (p.type === 'PINGRESP') open = null;
      continue;
    }
    if (p.i < 0 || p.frame < c.connectFrame) continue;
    const gap = p.time - last;
    if (gap > maxSilence) {
      maxSilence = gap;
      from = lastFrame;
      to = p.frame;
    }
    if (p.type === 'PINGREQ') {
      if (open) unanswered.push(open);
      open = p;
      pings.push(p);
      before.push(gap);
    }
    last = p.time;
    lastFrame = p.frame;
  }
  // An unanswered last ping only counts when the connection went on long enough to see a reply.
  const endTime = c.end.kind === 'open' ? ix.trace.lastTime : c.end.time;
  if (open && endTime - open.time > 1) unanswered.push(open);
  // Silence up to the end of the connection (or of the capture) counts too.
  const tail = endTime - last;
  if (tail > maxSilence) {
    maxSilence = tail;
    from = lastFrame;
    to = c.end.kind === 'open' ? ix.trace.lastFrame : c.end.frame;
  }
  before.sort((a, b) => a - b);
  const pingAfter = before.length ? before[before.length >> 1]! : 0;
  return { conn: c, pings, unanswered, maxSilence, silenceFrom: from, silenceTo: to, pingAfter };
}

function checkKeepalive(ix: TraceIndex, seconds: number | undefined, tolerance: number | undefined, minPings: number, clients: number): Outcome {
  const candidates = ix.trace.conns.filter((c) => c.clientId !== null && c.keepAlive > 0 && (seconds === undefined || c.keepAlive === seconds));
  if (!candidates.length) {
    const kas = ix.trace.conns.filter((c) => c.clientId !== null).map((c) => `${ix.label(c.id)} ${c.keepAlive} s`);
    return fail(`no client connected with keepalive ${seconds !== undefined ? `${seconds} s` : '> 0'}${kas.length ? ` (CONNECT keepalive seen: ${kas.slice(0, 5).join(', ')})` : ' (no CONNECT seen)'}`);
  }
  const good: KeepaliveView[] = [];
  const problems: { text: string; frames: number[] }[] = [];
  for (const c of candidates) {
    const v = keepaliveView(ix, c);
    const ka = c.keepAlive;
    const tol = tolerance ?? Math.max(1.5, ka * 0.25);
    const who = `${ix.label(c.id)} (keepalive ${ka} s)`;
    if (v.pings.length < minPings) {
      problems.push({ text: `${who} sent ${s(v.pings.length, 'PINGREQ')}, expected at least ${minPings} (connected for ${secs((c.end.kind === 'open' ? ix.trace.lastTime : c.end.time) - c.connectTime)})`, frames: [c.connectFrame] });
    } else if (v.maxSilence > ka + tol) {
      problems.push({ text: `${who} was silent for ${secs(v.maxSilence)} (frames ${v.silenceFrom} → ${v.silenceTo}), more than ${ka} s + ${tol} s tolerance`, frames: [v.silenceFrom, v.silenceTo] });
    } else if (v.pings.length && v.pingAfter < ka - tol) {
      problems.push({ text: `${who} pinged after ${secs(v.pingAfter)} of silence (median), not at its keepalive`, frames: v.pings.slice(0, 3).map((p) => p.frame) });
    } else if (v.unanswered.length) {
      problems.push({ text: `${who}: PINGREQ frame ${v.unanswered[0]!.frame} got no PINGRESP (MQTT-3.12.4-1)`, frames: [v.unanswered[0]!.frame] });
    } else {
      good.push(v);
    }
  }
  if (good.length >= clients) {
    return ok(
      good.map((v) => `${ix.label(v.conn.id)} (keepalive ${v.conn.keepAlive} s) pinged ${s(v.pings.length, 'time')}, longest silence ${secs(v.maxSilence)}`).join('; '),
      good.flatMap((v) => [v.conn.connectFrame, ...v.pings.slice(0, 3).map((p) => p.frame)]),
    );
  }
  const shown = problems.slice(0, 3);
  const prefix = clients > 1 ? `${good.length} of ${clients} clients pinged at their keepalive; ` : '';
  return fail(prefix + shown.map((p) => p.text).join('; '), shown.flatMap((p) => p.frames));
}

// ---------------------------------------------------------------------------------------------
// Last will (MQTT-3.1.2-8, -10; MQTT-3.14.4-3)

/** Deliveries of a connection's will: its topic and payload, to anyone, after it ended. */
function willDeliveries(ix: TraceIndex, c: TConnection): TPacket[] {
  const w = c.will!;
  return ix.trace.packets.filter((p) => isPublish(p, 's2c') && p.frame >= c.end.frame && p.conn !== c.id && p.topic === w.topic && p.payload === w.payload);
}

function willSubscribers(ix: TraceIndex, subs: Sub[], c: TConnection): Sub[] {
  return subs.filter((x) => x.conn !== c.id && x.packet.frame <= c.end.frame && topicMatches(x.filter, c.will!.topic) && granted(x));
}

function checkWill(ix: TraceIndex, topic: string | undefined, published: boolean): Outcome {
  const withWill = ix.trace.conns.filter((c) => c.will && (topic === undefined || topicMatches(topic, c.will.topic)));
  if (!withWill.length) return fail(`no CONNECT with a will${topic ? ` on ${topic}` : ''} (Will Flag=1) seen`);
  const subs = subscriptions(ix);
  const graceful = (c: TConnection) => c.end.kind === 'disconnect' && c.end.by === 'client' && c.end.reasonCode !== 0x04;
  if (published) {
    const ungraceful = withWill.filter((c) => c.end.kind !== 'open' && !graceful(c));
    for (const c of ungraceful) {
      const d = willDeliveries(ix, c);
      if (d.length) {
        return ok(
          `${ix.label(c.id)} ended without DISCONNECT (${c.end.kind.toUpperCase()} frame ${c.end.frame}); its will on ${c.will!.topic} was delivered to ${ix.label(d[0]!.conn)} (frame ${d[0]!.frame})`,
          [c.connectFrame, c.end.frame, d[0]!.frame],
        );
      }
    }
    if (ungraceful.length) {
      const c = ungraceful[0]!;
      const ws = willSubscribers(ix, subs, c);
      return fail(
        ws.length
          ? `${ix.label(c.id)} ended without DISCONNECT (${c.end.kind.toUpperCase()} frame ${c.end.frame}) but its will on ${c.will!.topic} never reached subscriber ${ix.label(ws[0]!.conn)}`
          : `${ix.label(c.id)} ended without DISCONNECT (${c.end.kind.toUpperCase()} frame ${c.end.frame}) but no client had subscribed to ${c.will!.topic}, so the will delivery is not shown`,
        [c.connectFrame, c.end.frame],
      );
    }
    const c = withWill[0]!;
    return fail(
      c.end.kind === 'open'
        ? `${ix.label(c.id)} has a will on ${c.will!.topic} but was still connected at the end of the capture`
        : `${ix.label(c.id)} ended with a clean DISCONNECT (frame ${c.end.frame}), so its will on ${c.will!.topic} is rightly not published; end it ungracefully (kill it) to show the will`,
      [c.connectFrame, c.end.frame],
    );
  }
  const clean = withWill.filter(graceful);
  if (!clean.length) return fail(`no client with a will${topic ? ` on ${topic}` : ''} ended with a clean DISCONNECT`, withWill.map((c) => c.connectFrame));
  for (const c of clean) {
    const d = willDeliveries(ix, c);
    if (d.length) return fail(`${ix.label(c.id)} sent DISCONNECT (frame ${c.end.frame}) but its will on ${c.will!.topic} was published anyway (frame ${d[0]!.frame}, MQTT-3.1.2-10)`, [c.end.frame, d[0]!.frame]);
  }
  const observed = clean.find((c) => willSubscribers(ix, subs, c).length > 0);
  if (!observed) return fail(`${ix.label(clean[0]!.id)} disconnected cleanly, but no client had subscribed to ${clean[0]!.will!.topic}, so the capture cannot show the will was withheld`, [clean[0]!.end.frame]);
  return ok(`${ix.label(observed.id)} sent DISCONNECT (frame ${observed.end.frame}) and its will on ${observed.will!.topic} was not published`, [observed.connectFrame, observed.end.frame]);
}

// ---------------------------------------------------------------------------------------------
// Persistent sessions (MQTT-3.1.2-4/5, MQTT-3.2.2-2)

function checkSession(ix: TraceIndex, topic: string | undefined, qos0: 'dropped' | 'published' | 'any'): Outcome {
  const pk = ix.trace.packets;
  const subs = subscriptions(ix);
  const byId = new Map<string, TConnection[]>();
  for (const c of ix.trace.conns) {
    if (c.clientId === null || c.clientId === '') continue;
    let list = byId.get(c.clientId);
    if (!list) byId.set(c.clientId, (list = []));
    list.push(c);
  }
  let best: Outcome | null = null;
  let bestRank = -1;
  const consider = (rank: number, o: Outcome) => {
    if (o.pass) rank = 100;
    if (rank > bestRank) {
      best = o;
      bestRank = rank;
    }
  };
  for (const [, conns] of byId) {
    for (let k = 1; k < conns.length; k++) {
      const b = conns[k]!;
      if (b.cleanSession) {
        consider(0, fail(`${ix.label(b.id)} reconnected (frame ${b.connectFrame}) with clean session = 1, so its session and queued messages were discarded (MQTT-3.1.2-6)`, [b.connectFrame]));
        continue;
      }
      const earlier = conns.slice(0, k);
      const a = conns[k - 1]!;
      const mySubs = subs.filter((x) => earlier.some((c) => c.id === x.conn) && granted(x) && x.qos >= 1 && (topic === undefined || topicMatches(topic, x.filter) || x.filter === topic));
      const connack = pk.find((p) => p.conn === b.id && p.type === 'CONNACK');
      if (!mySubs.length) {
        consider(1, fail(`${ix.label(b.id)} reconnected (frame ${b.connectFrame}) but had not subscribed at QoS 1 or 2 before`, [b.connectFrame]));
        continue;
      }
      if (!connack || !connack.sessionPresent) {
        consider(2, fail(connack ? `${ix.label(b.id)} reconnected but CONNACK (frame ${connack.frame}) has session present = 0` : `no CONNACK seen for the reconnect of ${ix.label(b.id)}`, [b.connectFrame, ...(connack ? [connack.frame] : [])]));
        continue;
      }
      const awayFrom = a.end.kind === 'open' ? b.connectFrame : a.end.frame;
      const away = pk.filter((p) => isPublish(p, 'c2s') && p.frame > awayFrom && p.i < (connack?.i ?? b.connectFrame) && p.frame <= b.connectFrame && !conns.some((c) => c.id === p.conn) && mySubs.some((x) => topicMatches(x.filter, p.topic)));
      const queued = away.filter((p) => p.qos >= 1);
      const zero = away.filter((p) => p.qos === 0);
      if (!queued.length) {
        consider(3, fail(`no QoS 1 or 2 message was published on ${mySubs[0]!.filter} while ${ix.label(b.id)} was away (frames ${awayFrom} → ${b.connectFrame})`, [awayFrom, b.connectFrame]));
        continue;
      }
      const delivered = (p: TPacket) => pk.find((d) => d.conn === b.id && isPublish(d, 's2c') && d.topic === p.topic && d.payload === p.payload);
      const lost = queued.find((p) => !delivered(p));
      if (lost) {
        consider(4, fail(`QoS ${lost.qos} message ${lost.topic} ${show(lost.payload)} published while ${ix.label(b.id)} was away (frame ${lost.frame}) was not delivered after it reconnected (frame ${b.connectFrame})`, [lost.frame, b.connectFrame]));
        continue;
      }
      if (qos0 !== 'any' && !zero.length) {
        consider(5, fail(`the QoS 1 message was kept, but no QoS 0 message was published while ${ix.label(b.id)} was away to compare`, [queued[0]!.frame, b.connectFrame]));
        continue;
      }
      if (qos0 === 'dropped') {
        const z0 = zero.find((p) => delivered(p));
        if (z0) {
          consider(6, fail(`the QoS 0 message published while away (frame ${z0.frame}) was delivered after the reconnect; expected it dropped`, [z0.frame, delivered(z0)!.frame]));
          continue;
        }
      }
      const d = delivered(queued[0]!)!;
      consider(100, ok(
        `${ix.label(b.id)} reconnected with session present = 1 (frame ${connack.frame}); the QoS ${queued[0]!.qos} message published while away (frame ${queued[0]!.frame}) was delivered (frame ${d.frame})${zero.length ? `; ${s(zero.length, 'QoS 0 message')} sent while away, ${zero.filter((p) => delivered(p)).length} delivered` : ''}`,
        [a.connectFrame, b.connectFrame, connack.frame, queued[0]!.frame, d.frame],
      ));
    }
  }
  return best ?? fail('no client reconnected with the same client id (a persistent session needs a fixed client id and clean session = 0)');
}

// ---------------------------------------------------------------------------------------------
// Routing: forwarded, not delivered, wildcards

function checkForwarded(ix: TraceIndex, topic: string | undefined, qos: number | undefined, topics: number): Outcome {
  const seen = new Map<string, [TPacket, TPacket]>();
  let unlinked: TPacket | null = null;
  for (const d of ix.trace.packets) {
    if (!isPublish(d, 's2c') || (topic !== undefined && !topicMatches(topic, d.topic))) continue;
    const src = ix.sourceOf(d);
    if (!src || (qos !== undefined && src.qos !== qos)) {
      unlinked ??= d;
      continue;
    }
    if (!seen.has(d.topic)) seen.set(d.topic, [src, d]);
  }
  const what = `${topic !== undefined ? ` matching ${topic}` : ''}${qos !== undefined ? ` at QoS ${qos}` : ''}`;
  if (seen.size >= topics) {
    const list = [...seen].slice(0, 6);
    return ok(
      `${s(seen.size, 'topic')} forwarded${what}: ${list.map(([t, [p, d]]) => `${t} (frame ${p.frame} → ${d.frame} to ${ix.label(d.conn)})`).join(', ')}`,
      list.flatMap(([, [p, d]]) => [p.frame, d.frame]),
    );
  }
  if (seen.size) return fail(`expected ${topics} topics forwarded${what}, saw ${seen.size}: ${[...seen.keys()].join(', ')}`, [...seen.values()].flatMap(([p, d]) => [p.frame, d.frame]));
  const pubs = ix.trace.packets.filter((p) => isPublish(p, 'c2s') && (topic === undefined || topicMatches(topic, p.topic)));
  if (!pubs.length) return fail(`no client PUBLISH${what} seen`);
  if (unlinked) return fail(`frame ${unlinked.frame} delivers ${unlinked.topic} but no matching client PUBLISH${what} is in the capture`, [unlinked.frame]);
  return fail(`${s(pubs.length, 'PUBLISH')}${what} from clients (frames ${framesText(pubs)}) reached no subscriber`, pubs.slice(0, 5).map((p) => p.frame));
}

function checkNotDelivered(ix: TraceIndex, filter: string, to: string | undefined): Outcome {
  const pubs = ix.trace.packets.filter((p) => isPublish(p, 'c2s') && topicMatches(filter, p.topic));
  if (!pubs.length) return fail(`nothing was published on a topic matching ${filter}, so the capture cannot show it was not delivered`);
  const bad = ix.trace.packets.find((p) => isPublish(p, 's2c') && topicMatches(filter, p.topic) && (to === undefined || ix.clientId(p.conn) === to));
  if (bad) return fail(`frame ${bad.frame} delivers ${bad.topic} to ${ix.label(bad.conn)}`, [bad.frame]);
  const subs = subscriptions(ix).filter((x) => to === undefined || ix.clientId(x.conn) === to);
  if (!subs.length) return fail(`${pubs[0]!.topic} was published (frame ${pubs[0]!.frame}) but no client had subscribed to anything, so not delivering it shows nothing`, [pubs[0]!.frame]);
  return ok(`${s(pubs.length, 'PUBLISH')} on ${filter} (frames ${framesText(pubs)}) delivered to nobody${to ? ` ('${to}')` : ''}`, pubs.slice(0, 5).map((p) => p.frame));
}

function checkWildcard(ix: TraceIndex, kind: '+' | '#' | undefined): Outcome {
  const subs = subscriptions(ix).filter((x) => (kind ? x.filter.includes(kind) : hasWildcard(x.filter)));
  const label = kind ? `'${kind}'` : 'wildcard';
  if (!subs.length) return fail(`no SUBSCRIBE with a ${label} filter seen`);
  for (const x of subs) {
    const d = ix.trace.packets.find((p) => p.i > x.packet.i && p.conn === x.conn && isPublish(p, 's2c') && p.topic !== x.filter && topicMatches(x.filter, p.topic));
    if (d) return ok(`subscription ${x.filter} (frame ${x.packet.frame}) received ${d.topic} (frame ${d.frame})`, [x.packet.frame, d.frame]);
  }
  const x = subs[0]!;
  const pubs = [...new Set(ix.trace.packets.filter((p) => isPublish(p, 'c2s') && p.i > x.packet.i).map((p) => p.topic))];
  return fail(
    `subscription ${x.filter} (frame ${x.packet.frame}) received no message${pubs.length ? `; published topics: ${pubs.slice(0, 5).map((t) => `${t} (${topicMatches(x.filter, t) ? 'matches' : 'does not match'})`).join(', ')}` : '; nothing was published after it'}`,
    [x.packet.frame],
  );
}

// ---------------------------------------------------------------------------------------------
// Periodic publisher, subscriber that leaves (lab part 9)

interface Series {
  conn: number;
  topic: string;
  pubs: TPacket[];
  median: number;
  steady: number;
}

function series(ix: TraceIndex, topic: string | undefined): Series[] {
  const groups = new Map<string, TPacket[]>();
  for (const p of ix.trace.packets) {
    if (!isPublish(p, 'c2s') || (topic !== undefined && !topicMatches(topic, p.topic))) continue;
    const k = `${p.conn}\u0000${p.topic}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(p);
  }
  const out: Series[] = [];
  for (const pubs of groups.values()) {
    const gaps: number[] = [];
    for (let k = 1; k < pubs.length; k++) gaps.push(pubs[k]!.time - pubs[k - 1]!.time);
    const sorted = [...gaps].sort((a, b) => a - b);
    const median = sorted.length ? sorted[sorted.length >> 1]! : 0;
    out.push({ conn: pubs[0]!.conn, topic: pubs[0]!.topic, pubs, median, steady: 0 });
  }
  return out.sort((a, b) => b.pubs.length - a.pubs.length);
}

function checkPeriodic(ix: TraceIndex, topic: string | undefined, interval: number | undefined, tolerance: number | undefined, minCount: number): Outcome {
  const all = series(ix, topic);
  if (!all.length) return fail(`no client PUBLISH${topic ? ` on ${topic}` : ''} seen`);
  const problems: string[] = [];
  for (const x of all) {
    if (x.pubs.length < minCount) {
      problems.push(`${ix.label(x.conn)} published ${x.topic} ${s(x.pubs.length, 'time')}, expected at least ${minCount}`);
      continue;
    }
    const tol = tolerance ?? Math.max(0.1, 0.3 * (interval ?? x.median));
    if (interval !== undefined && Math.abs(x.median - interval) > tol) {
      problems.push(`${ix.label(x.conn)} published ${x.topic} every ${x.median.toFixed(2)} s (median), expected ${interval} s ± ${tol} s`);
      continue;
    }
    let steady = 0;
    for (let k = 1; k < x.pubs.length; k++) if (Math.abs(x.pubs[k]!.time - x.pubs[k - 1]!.time - x.median) <= tol) steady++;
    // Allow a hiccup or two (a scheduler delay), not an irregular burst.
    if (steady < 0.8 * (x.pubs.length - 1) || x.median <= 0) {
      problems.push(`${ix.label(x.conn)} published ${x.topic} ${x.pubs.length} times but irregularly (${steady} of ${x.pubs.length - 1} intervals within ${tol.toFixed(2)} s of ${x.median.toFixed(2)} s)`);
      continue;
    }
    return ok(`${ix.label(x.conn)} published ${x.topic} ${x.pubs.length} times every ${x.median.toFixed(2)} s (frames ${x.pubs[0]!.frame} … ${x.pubs[x.pubs.length - 1]!.frame})`, x.pubs.slice(0, 3).map((p) => p.frame));
  }
  return fail(problems.slice(0, 2).join('; '), all[0]!.pubs.slice(0, 3).map((p) => p.frame));
}

function checkSubscriberLeaves(ix: TraceIndex, topic: string | undefined): Outcome {
  const pk = ix.trace.packets;
  const receivers = new Map<number, TPacket[]>();
  for (const d of pk) {
    if (!isPublish(d, 's2c') || (topic !== undefined && !topicMatches(topic, d.topic))) continue;
    if (!ix.sourceOf(d)) continue;
    let list = receivers.get(d.conn);
    if (!list) receivers.set(d.conn, (list = []));
    list.push(d);
  }
  if (!receivers.size) return fail(`no subscriber received a client's PUBLISH${topic ? ` on ${topic}` : ''}`);
  let firstProblem: Outcome | null = null;
  for (const [connId, got] of receivers) {
    const c = ix.conns.get(connId)!;
    const who = ix.label(connId);
    if (c.end.kind === 'open') {
      firstProblem ??= fail(`subscriber ${who} received ${s(got.length, 'message')} and was still connected at the end of the capture`, [got[0]!.frame]);
      continue;
    }
    const topics = new Set(got.map((d) => d.topic));
    const after = pk.filter((p) => isPublish(p, 'c2s') && p.frame > c.end.frame && topics.has(p.topic));
    if (!after.length) {
      firstProblem ??= fail(`subscriber ${who} left (frame ${c.end.frame}) but nothing more was published on ${[...topics].join(', ')} after that`, [c.end.frame]);
      continue;
    }
    const last = got[got.length - 1]!;
    return ok(
      `subscriber ${who} received ${s(got.length, 'message')} (last frame ${last.frame}), left (${c.end.kind === 'disconnect' ? 'DISCONNECT' : c.end.kind.toUpperCase()} frame ${c.end.frame}) while ${s(after.length, 'more PUBLISH')} followed (from frame ${after[0]!.frame})`,
      [got[0]!.frame, last.frame, c.end.frame, after[0]!.frame],
    );
  }
  return firstProblem!;
}

// ---------------------------------------------------------------------------------------------
// Findings of the analysis passes

const SEVERITIES = new Set(['violation', 'warning', 'info', 'not-observable']);

function checkFindings(ix: TraceIndex, absent: string[], present: string[]): Outcome {
  const fs = ix.trace.findings;
  if (!fs) return fail('the analysis did not run, so findings cannot be checked');
  const hit = (sel: string) => fs.filter((f) => (SEVERITIES.has(sel) ? f.severity === sel : f.id === sel));
  const problems: string[] = [];
  const frames: number[] = [];
  for (const sel of absent) {
    const got = hit(sel);
    if (got.length) {
      const f = got[0]!;
      problems.push(`${f.severity} ${f.id}${f.clause ? ` (${f.clause})` : ''}${f.frames.length ? ` frames ${f.frames.slice(0, 5).join(', ')}` : ''}: ${f.message}${got.length > 1 ? ` (+${got.length - 1} more)` : ''}`);
      frames.push(...f.frames.slice(0, 5));
    }
  }
  for (const sel of present) {
    if (!hit(sel).length) problems.push(`expected finding ${sel}, not raised`);
  }
  if (problems.length) return fail(problems.join('; '), frames);
  const shown = present.flatMap((sel) => hit(sel).slice(0, 1));
  return ok(
    [absent.length ? `no ${absent.join(', ')}` : '', shown.length ? `found ${shown.map((f) => f.id).join(', ')}` : ''].filter(Boolean).join('; '),
    shown.flatMap((f) => f.frames.slice(0, 5)),
  );
}

// ---------------------------------------------------------------------------------------------

export function evaluateCheck(ix: TraceIndex, c: Check): Outcome {
  if ('packets' in c) return checkPackets(ix, c.packets, c.count);
  if ('order' in c) return checkOrder(ix, c.order, c.mode ?? 'first', c.sameConnection ?? false);
  if ('handshake' in c) return checkHandshake(ix, c.handshake.qos, c.handshake.direction, c.handshake.topic, c.count);
  if ('retained' in c) return checkRetained(ix, c.retained.topic, c.retained.liveRetain0 ?? false);
  if ('keepalive' in c) return checkKeepalive(ix, c.keepalive.seconds, c.keepalive.tolerance, c.keepalive.minPings ?? 2, c.keepalive.clients ?? 1);
  if ('will' in c) return checkWill(ix, c.will.topic, c.will.published ?? true);
  if ('session' in c) return checkSession(ix, c.session.topic, c.session.qos0 ?? 'any');
  if ('forwarded' in c) return checkForwarded(ix, c.forwarded.topic, c.forwarded.qos, c.forwarded.topics ?? 1);
  if ('notDelivered' in c) return checkNotDelivered(ix, c.notDelivered.topic, c.notDelivered.to);
  if ('wildcard' in c) return checkWildcard(ix, c.wildcard.kind);
  if ('periodic' in c) return checkPeriodic(ix, c.periodic.topic, c.periodic.interval, c.periodic.tolerance, c.periodic.minCount ?? 5);
  if ('subscriberLeaves' in c) return checkSubscriberLeaves(ix, c.subscriberLeaves.topic);
  return checkFindings(ix, c.findings.absent ?? [], c.findings.present ?? []);
}

/** A default name for a check without one, from what it checks. */
export function defaultName(c: Check): string {
  if ('packets' in c) return `${c.count ?? '>= 1'} × ${describeFilter(c.packets)}`;
  if ('order' in c) return c.order.map(describeFilter).join(' before ');
  if ('handshake' in c) return `QoS ${c.handshake.qos} handshake completes${c.handshake.direction ? ` (${c.handshake.direction})` : ''}${c.handshake.topic ? ` on ${c.handshake.topic}` : ''}`;
  if ('retained' in c) return `retained message${c.retained.topic ? ` on ${c.retained.topic}` : ''} delivered on subscribe with RETAIN=1`;
  if ('keepalive' in c) return `client pings at its keepalive${c.keepalive.seconds ? ` of ${c.keepalive.seconds} s` : ''}`;
  if ('will' in c) return c.will.published === false ? `will${c.will.topic ? ` on ${c.will.topic}` : ''} not published after a clean DISCONNECT` : `will${c.will.topic ? ` on ${c.will.topic}` : ''} published after an ungraceful end`;
  if ('session' in c) return 'persistent session delivers the queued QoS 1 message';
  if ('forwarded' in c) return `${c.forwarded.topics ?? 1} topic(s) forwarded to a subscriber`;
  if ('notDelivered' in c) return `${c.notDelivered.topic} not delivered`;
  if ('wildcard' in c) return `a ${c.wildcard.kind ?? 'wildcard'} subscription receives a matching topic`;
  if ('periodic' in c) return `periodic publisher${c.periodic.topic ? ` on ${c.periodic.topic}` : ''}`;
  if ('subscriberLeaves' in c) return 'a subscriber leaves while publishing goes on';
  return [c.findings.absent?.length ? `no ${c.findings.absent.join(', ')}` : '', c.findings.present?.length ? `finding ${c.findings.present.join(', ')}` : ''].filter(Boolean).join('; ');
}
