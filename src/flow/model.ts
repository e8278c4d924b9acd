// The sequence-diagram model: lifelines (the broker, and each client by client id) and, going
// down in capture order, one item per MQTT packet, folded ping runs and TCP closes. Terminal and
// SVG renderers draw this; they decide nothing about the exchange themselves.

import type { Finding } from '../analysis/schema.js';
import type { Collected, CollectedMessage } from './collect.js';
import { filtersOverlap, topicMatches } from './topic.js';

export interface Participant {
  kind: 'broker' | 'client';
  /** Client id, or "broker" (or "broker addr:port" when the capture has several). */
  name: string;
  /** The connections (tcp.stream ids) drawn on this lifeline. */
  conns: number[];
  /** Endpoints, for a legend: client addr:port per connection, or the broker's. */
  endpoints: string[];
}

export interface ArrowItem {
  kind: 'arrow';
  /** Index into Collected.messages. */
  msg: number;
  frame: number;
  /** Seconds since the first frame of the capture. */
  rel: number;
  from: number;
  to: number;
  label: string;
  type: string;
  /** Indices into FlowDiagram.findings. */
  findings: number[];
  /** For a client's PUBLISH (or a CONNECT with a will): the frames where the broker delivered it. */
  forwardedAs?: number[];
  /** For a broker's PUBLISH: the frame of the client PUBLISH (or will CONNECT) it is a copy of. */
  copyOf?: number;
}

export interface PingRunItem {
  kind: 'pings';
  conn: number;
  client: number;
  broker: number;
  /** PINGREQ/PINGRESP pairs folded into this line. */
  count: number;
  firstFrame: number;
  lastFrame: number;
  rel: number;
  /** Mean seconds between the PINGREQs of the run. */
  every: number;
  msgs: number[];
}

export interface CloseItem {
  kind: 'close';
  conn: number;
  client: number;
  broker: number;
  closeKind: 'fin' | 'rst';
  by: 'client' | 'broker';
  frame: number;
  rel: number;
  findings: number[];
}

export type FlowItem = ArrowItem | PingRunItem | CloseItem;

export interface FlowDiagram {
  source: string;
  participants: Participant[];
  items: FlowItem[];
  /** The analysis findings (all of them, also those on frames filtered out). */
  findings: Finding[];
  /** MQTT packets drawn (folded pings count one each). */
  packets: number;
}

export interface FlowOptions {
  /** Only this client (client id, or addr:port of one of its connections). */
  client?: string;
  /** Only PUBLISHes whose topic matches this filter, their acknowledgements and related (UN)SUBSCRIBEs. */
  topic?: string;
  /** Fold runs of at least this many PINGREQ/PINGRESP pairs (0 = never fold). */
  foldPings?: number;
}

export const FOLD_PINGS_DEFAULT = 3;

/** One lifeline name per connection: its CONNECT's client id, else its address. */
function connectionNames(c: Collected): Map<number, string> {
  const names = new Map<number, string>();
  for (const m of c.messages) {
    if (m.type === 'CONNECT' && m.dir === 'c2s' && m.clientId !== undefined && !names.has(m.conn)) {
      // An empty client id (MQTT-3.1.3-6) gets the broker-assigned one in v5 only; show the address.
      names.set(m.conn, m.clientId === '' ? `"" ${clientAddr(c, m.conn)}` : m.clientId);
    }
  }
  for (const conn of c.connections) if (!names.has(conn.id)) names.set(conn.id, conn.client);
  return names;
}

function clientAddr(c: Collected, conn: number): string {
  return c.connections.find((x) => x.id === conn)?.client ?? `stream ${conn}`;
}

export function participantsOf(c: Collected, shown: Set<number>): { participants: Participant[]; laneOf: Map<number, [number, number]> } {
  const names = connectionNames(c);
  const byId = new Map(c.connections.map((x) => [x.id, x]));
  const serverLane = new Map<string, number>();
  const clientLane = new Map<string, number>();
  // Lifelines in order of each one's first drawn packet; one look-up per connection, not per packet.
  const order: number[] = [];
  const seen = new Set<number>();
  for (const m of c.messages) {
    if (!shown.has(m.conn) || seen.has(m.conn)) continue;
    seen.add(m.conn);
    order.push(m.conn);
    const server = byId.get(m.conn)?.server ?? '?';
    if (!serverLane.has(server)) serverLane.set(server, serverLane.size);
    const name = names.get(m.conn) ?? `stream ${m.conn}`;
    if (!clientLane.has(name)) clientLane.set(name, clientLane.size);
  }
  const servers = [...serverLane.keys()];
  const participants: Participant[] = [
    ...servers.map((s) => ({ kind: 'broker' as const, name: servers.length > 1 ? `broker ${s}` : 'broker', conns: [] as number[], endpoints: [s] })),
    ...[...clientLane.keys()].map((n) => ({ kind: 'client' as const, name: n, conns: [] as number[], endpoints: [] as string[] })),
  ];
  const laneOf = new Map<number, [number, number]>();
  for (const id of order) {
    const conn = byId.get(id);
    const b = serverLane.get(conn?.server ?? '?')!;
    const lane = servers.length + clientLane.get(names.get(id) ?? `stream ${id}`)!;
    laneOf.set(id, [lane, b]);
    participants[lane]!.conns.push(id);
    participants[lane]!.endpoints.push(conn?.client ?? `stream ${id}`);
    participants[b]!.conns.push(id);
  }
  return { participants, laneOf };
}

/**
 * The broker's deliveries of a client's PUBLISH: a broker→client PUBLISH with the same topic and
 * payload is a copy of the latest such client PUBLISH (or will, from a CONNECT) before it;
 * retained and queued deliveries come later, so any earlier original counts. Returns copy index
 * -> original index.
 */
export function correlateForwards(messages: CollectedMessage[]): Map<number, number> {
  const latest = new Map<string, number>();
  const copyOf = new Map<number, number>();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    // A will is published by the broker on the client's behalf (MQTT-3.1.2-8): its copies
    // point back to the CONNECT that carried it.
    if (m.type === 'CONNECT' && m.willTopic !== undefined && m.dir === 'c2s') {
      latest.set(`${m.willTopic}\u0000${m.willLength}\u0000${m.willHash}`, i);
      continue;
    }
    if (m.type !== 'PUBLISH' || m.malformed || m.topic === undefined) continue;
    const key = `${m.topic}\u0000${m.payloadLength}\u0000${m.payloadHash}`;
    if (m.dir === 'c2s') latest.set(key, i);
    else {
      const orig = latest.get(key);
      if (orig !== undefined) copyOf.set(i, orig);
    }
  }
  return copyOf;
}

/** Which messages --topic keeps: matching PUBLISHes, their acks, overlapping (UN)SUBSCRIBEs and their acks. */
function topicSelection(messages: CollectedMessage[], filter: string): Set<number> {
  const keep = new Set<number>();
  const open = new Set<string>(); // conn/dir-of-request/packetId of kept requests
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const idKey = (dir: string) => `${m.conn}/${dir}/${m.packetId}`;
    const other = m.dir === 'c2s' ? 's2c' : 'c2s';
    switch (m.type) {
      case 'PUBLISH':
        if (m.topic !== undefined && topicMatches(filter, m.topic)) {
          keep.add(i);
          if (m.packetId !== undefined) open.add(`P${idKey(m.dir)}`);
        }
        break;
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        if (m.filters?.some((f) => filtersOverlap(f, filter))) {
          keep.add(i);
          open.add(`S${idKey(m.dir)}`);
        }
        break;
      // PUBACK, PUBREC, PUBCOMP answer the PUBLISH's sender; PUBREL comes from the sender itself.
      case 'PUBACK':
      case 'PUBCOMP':
        if (open.delete(`P${idKey(other)}`)) keep.add(i);
        break;
      case 'PUBREC':
        if (open.has(`P${idKey(other)}`)) keep.add(i);
        break;
      case 'PUBREL':
        if (open.has(`P${idKey(m.dir)}`)) keep.add(i);
        break;
      case 'SUBACK':
      case 'UNSUBACK':
        if (open.delete(`S${idKey(other)}`)) keep.add(i);
        break;
      default:
        break;
    }
  }
  return keep;
}

export function buildFlow(c: Collected, opts: FlowOptions = {}): FlowDiagram {
  const fold = opts.foldPings ?? FOLD_PINGS_DEFAULT;
  const messages = c.messages;
  const mqttConns = new Set(c.connections.filter((x) => x.transport === 'mqtt').map((x) => x.id));
  const names = connectionNames(c);

  let shownConns = mqttConns;
  if (opts.client !== undefined) {
    const want = opts.client;
    shownConns = new Set([...mqttConns].filter((id) => names.get(id) === want || clientAddr(c, id) === want));
  }
  const byTopic = opts.topic !== undefined ? topicSelection(messages, opts.topic) : null;
  const shown = (i: number) => shownConns.has(messages[i]!.conn) && (!byTopic || byTopic.has(i));

  const drawnConns = new Set<number>();
  for (let i = 0; i < messages.length; i++) if (shown(i)) drawnConns.add(messages[i]!.conn);
  const { participants, laneOf } = participantsOf(c, drawnConns);

  const findings = c.analysis?.findings ?? [];
  const findingsByFrame = new Map<number, number[]>();
  findings.forEach((f, k) => {
    for (const fr of f.frames) {
      const list = findingsByFrame.get(fr);
      if (list) {
        if (!list.includes(k)) list.push(k);
      } else findingsByFrame.set(fr, [k]);
    }
  });

  const copyOf = correlateForwards(messages);
  const forwardedAs = new Map<number, number[]>();
  for (const [copy, orig] of copyOf) {
    if (!shown(copy)) continue;
    const list = forwardedAs.get(orig);
    if (list) list.push(messages[copy]!.frame);
    else forwardedAs.set(orig, [messages[copy]!.frame]);
  }

  const rel = (t: number) => t - c.firstTime;
  const pingRuns = fold > 0 ? findPingRuns(messages, shown, findingsByFrame, fold) : new Map<number, number[]>();
  const skip = new Set<number>();
  for (const run of pingRuns.values()) for (const i of run.slice(1)) skip.add(i);

  // The first close of each connection (who ended it matters; the answering FIN does not),
  // merged into the packet order by frame (a FIN after the last packet comes last).
  const closedConns = new Set<number>();
  const closes = c.closes
    .filter((x) => drawnConns.has(x.conn) && !byTopic)
    .filter((x) => !closedConns.has(x.conn) && closedConns.add(x.conn) !== undefined)
    .sort((a, b) => a.frame - b.frame);
  let nextClose = 0;

  const items: FlowItem[] = [];
  let packets = 0;
  const pushClosesBefore = (frame: number) => {
    while (nextClose < closes.length && closes[nextClose]!.frame < frame) {
      const x = closes[nextClose++]!;
      const [client, broker] = laneOf.get(x.conn)!;
      items.push({
        kind: 'close',
        conn: x.conn,
        client,
        broker,
        closeKind: x.kind,
        by: x.dir === 'c2s' ? 'client' : 'broker',
        frame: x.frame,
        rel: rel(x.time),
        findings: findingsByFrame.get(x.frame) ?? [],
      });
    }
  };

  for (let i = 0; i < messages.length; i++) {
    if (!shown(i) || skip.has(i)) continue;
    const m = messages[i]!;
    pushClosesBefore(m.frame);
    const [client, broker] = laneOf.get(m.conn)!;
    const run = pingRuns.get(i);
    if (run) {
      const reqs = run.filter((k) => messages[k]!.type === 'PINGREQ');
      const first = messages[reqs[0]!]!;
      const lastReq = messages[reqs[reqs.length - 1]!]!;
      items.push({
        kind: 'pings',
        conn: m.conn,
        client,
        broker,
        count: reqs.length,
        firstFrame: m.frame,
        lastFrame: messages[run[run.length - 1]!]!.frame,
        rel: rel(m.time),
        every: (lastReq.time - first.time) / (reqs.length - 1),
        msgs: run,
      });
      packets += run.length;
      continue;
    }
    const item: ArrowItem = {
      kind: 'arrow',
      msg: i,
      frame: m.frame,
      rel: rel(m.time),
      from: m.dir === 'c2s' ? client : broker,
      to: m.dir === 'c2s' ? broker : client,
      label: m.label,
      type: m.type,
      findings: findingsByFrame.get(m.frame) ?? [],
    };
    const fw = forwardedAs.get(i);
    if (fw) item.forwardedAs = fw;
    const orig = copyOf.get(i);
    if (orig !== undefined) item.copyOf = messages[orig]!.frame;
    items.push(item);
    packets++;
  }
  pushClosesBefore(Number.POSITIVE_INFINITY);
  return { source: c.source, participants, items, findings, packets };
}

/**
 * Runs of at least `min` PINGREQ→PINGRESP pairs on one connection with nothing else on that
 * connection in between. A pair with a finding on it is never folded (the finding must stay
 * visible). Returns first message index -> all message indices of the run.
 */
function findPingRuns(
  messages: CollectedMessage[],
  shown: (i: number) => boolean,
  findingsByFrame: Map<number, number[]>,
  min: number,
): Map<number, number[]> {
  const runs = new Map<number, number[]>();
  const current = new Map<number, number[]>(); // conn -> run being built
  const pendingReq = new Map<number, number>(); // conn -> PINGREQ waiting for its PINGRESP
  const close = (conn: number) => {
    const run = current.get(conn);
    if (run && run.length >= 2 * min) runs.set(run[0]!, run);
    current.delete(conn);
  };
  for (let i = 0; i < messages.length; i++) {
    if (!shown(i)) continue;
    const m = messages[i]!;
    const clean = !m.malformed && !findingsByFrame.has(m.frame);
    const req = pendingReq.get(m.conn);
    pendingReq.delete(m.conn);
    if (m.type === 'PINGREQ' && m.dir === 'c2s' && clean) {
      if (req !== undefined) close(m.conn); // the earlier PINGREQ went unanswered
      pendingReq.set(m.conn, i);
    } else if (m.type === 'PINGRESP' && m.dir === 's2c' && clean && req !== undefined) {
      const run = current.get(m.conn);
      if (run) run.push(req, i);
      else current.set(m.conn, [req, i]);
    } else {
      close(m.conn);
    }
  }
  for (const conn of [...current.keys()]) close(conn);
  return runs;
}
