// The data the report's page script draws from: the diagram model, the packet list and what the
// keepalive timelines need, in compact arrays (a 100 000-packet capture stays in the tens of MB).
// The script only lays this out; every decision about the exchange is made here or upstream.

import type { Collected } from '../flow/collect.js';
import { buildFlow, type FlowDiagram } from '../flow/model.js';
import { versionName } from '../flow/label.js';

/** [kind 0=arrow, frame, rel, from, to, label, type, findings, forwardedAs, copyOf]
 *  [kind 1=pings, firstFrame, rel, client, broker, label, lastFrame, count, every]
 *  [kind 2=close, frame, rel, lane, otherLane, label, findings] */
export type ItemTuple = (number | string | number[] | null)[];

export interface ReportConnection {
  id: number;
  /** Lifeline name of the client. */
  name: string;
  client: string;
  server: string;
  version: string | null;
  keepAlive: number | null;
  /** Relative times of client→broker packets (PINGREQ apart, in `pings`) and broker→client ones. */
  c2s: number[];
  s2c: number[];
  pings: number[];
  first: number;
  last: number;
  ended: string | null;
  /** TCP FIN/RST times on this connection. */
  closes: number[];
  /** Keepalive findings on this connection: [relTime, findingIndex]. */
  marks: [number, number][];
}

export interface ReportData {
  source: string;
  participants: { kind: string; name: string; endpoints: string[] }[];
  items: ItemTuple[];
  /** Packet list: [no, time, src, dst, length, info, connection, types (comma list), topics (\n list)]. */
  rows: (number | string)[][];
  /** `-V` text per row (same order) as indices into a table of distinct lines: most lines of a
   *  tshark-style tree repeat from packet to packet, so this is a fraction of the plain text. */
  details: { lines: string[]; rows: (number[] | null)[] } | null;
  findings: { id: string; severity: string; clause: string; frames: number[]; message: string; title: string }[];
  connections: ReportConnection[];
  /** Participant name per connection id, for the list's client filter. */
  connName: Record<number, string>;
}

export function buildReportData(c: Collected, diagram: FlowDiagram = buildFlow(c)): ReportData {
  const items: ItemTuple[] = diagram.items.map((it) => {
    switch (it.kind) {
      case 'arrow':
        return [0, it.frame, round(it.rel), it.from, it.to, it.label, it.type, it.findings, it.forwardedAs ?? [], it.copyOf ?? null];
      case 'pings':
        return [1, it.firstFrame, round(it.rel), it.client, it.broker, `PINGREQ/PINGRESP ×${it.count}, every ${it.every.toFixed(1)} s`, it.lastFrame, it.count, round(it.every)];
      case 'close':
        return [2, it.frame, round(it.rel), it.by === 'client' ? it.client : it.broker, it.by === 'client' ? it.broker : it.client, `TCP ${it.closeKind.toUpperCase()} from ${it.by}`, it.findings];
    }
  });

  const connName: Record<number, string> = {};
  diagram.participants.forEach((p) => {
    if (p.kind === 'client') for (const id of p.conns) connName[id] = p.name;
  });

  const rows = c.rows.map((r) => {
    const msgs = r.msgs.map((i) => c.messages[i]!);
    const conn = msgs[0]?.conn ?? -1;
    const types = [...new Set(msgs.map((m) => m.type))].join(',');
    const topics = [...new Set(msgs.flatMap((m) => (m.topic !== undefined ? [m.topic] : m.filters ?? [])))].join('\n');
    return [r.no, r.time, r.src, r.dst, r.length, r.info, conn, types, topics];
  });
  const details = c.rows.some((r) => r.detail !== undefined) ? lineTable(c.rows.map((r) => r.detail)) : null;

  const findings = diagram.findings.map((f) => ({
    id: f.id,
    severity: f.severity,
    clause: f.clause,
    frames: f.frames,
    message: f.message,
    title: f.title,
  }));

  return {
    source: c.source,
    participants: diagram.participants.map((p) => ({ kind: p.kind, name: p.name, endpoints: p.endpoints })),
    items,
    rows,
    details,
    findings,
    connections: keepaliveData(c, connName, findings),
    connName,
  };
}

const KEEPALIVE_FINDINGS = new Set(['keepalive-exceeded', 'keepalive-not-enforced', 'keepalive-broker-closed', 'pingresp-missing']);

function keepaliveData(c: Collected, connName: Record<number, string>, findings: ReportData['findings']): ReportConnection[] {
  const byId = new Map<number, ReportConnection>();
  const summaries = new Map((c.analysis?.connections ?? []).map((s) => [s.id, s]));
  for (const conn of c.connections) {
    if (conn.transport !== 'mqtt') continue;
    const s = summaries.get(conn.id);
    byId.set(conn.id, {
      id: conn.id,
      name: connName[conn.id] ?? conn.client,
      client: conn.client,
      server: conn.server,
      version: s?.version ? versionName(s.version) : null,
      keepAlive: s?.keepAlive ?? null,
      c2s: [],
      s2c: [],
      pings: [],
      first: round(conn.firstTime - c.firstTime),
      last: round(conn.firstTime - c.firstTime),
      ended: s?.ended ?? null,
      closes: [],
      marks: [],
    });
  }
  const frameTime = new Map<number, number>();
  for (const m of c.messages) {
    const k = byId.get(m.conn);
    const t = round(m.time - c.firstTime);
    frameTime.set(m.frame, t);
    if (!k) continue;
    if (m.type === 'CONNECT' && k.keepAlive === null && m.keepAlive !== undefined) k.keepAlive = m.keepAlive;
    // PINGREQs are drawn apart; like every client packet they restart the keepalive timer.
    if (m.type === 'PINGREQ' && m.dir === 'c2s') k.pings.push(t);
    else (m.dir === 'c2s' ? k.c2s : k.s2c).push(t);
    k.last = Math.max(k.last, t);
  }
  for (const x of c.closes) {
    const k = byId.get(x.conn);
    const t = round(x.time - c.firstTime);
    frameTime.set(x.frame, t);
    if (k) {
      k.last = Math.max(k.last, t);
      k.closes.push(t);
    }
  }
  const analysisFindings = c.analysis?.findings ?? [];
  findings.forEach((f, i) => {
    if (!KEEPALIVE_FINDINGS.has(f.id)) return;
    const conn = analysisFindings[i]?.connection;
    const k = conn !== null && conn !== undefined ? byId.get(conn) : undefined;
    if (!k) return;
    // At the last evidence frame: where the silence was seen to be too long.
    const times = f.frames.map((fr) => frameTime.get(fr)).filter((x): x is number => x !== undefined);
    const t = times.length ? Math.max(...times) : k.last;
    k.marks.push([t, i]);
  });
  return [...byId.values()];
}

function lineTable(texts: (string | undefined)[]): NonNullable<ReportData['details']> {
  const lines: string[] = [];
  const index = new Map<string, number>();
  const rows = texts.map((t) => {
    if (t === undefined) return null;
    return t.replace(/\n+$/, '').split('\n').map((line) => {
      let k = index.get(line);
      if (k === undefined) {
        k = lines.length;
        lines.push(line);
        index.set(line, k);
      }
      return k;
    });
  });
  return { lines, rows };
}

/** Microsecond precision is all a picture needs, and keeps the JSON short. */
function round(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}
