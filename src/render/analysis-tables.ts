// The analysis result as text: a findings table, then connections, QoS handshakes and topics,
// in Wireshark's plain style (borderless cli-table3). Renders only; nothing is computed here
// beyond formatting.

import type { AnalysisResult, ConnectionSummary, Finding, HandshakeSummary } from '../analysis/schema.js';
import { plainTable } from './table-style.js';

export interface RenderAnalysisOptions {
  color: boolean;
  /** Terminal width; long messages are cut to fit when given. */
  width?: number;
  /** Rows per summary table (default 200); the rest is counted. */
  maxRows?: number;
}

const SEV_COLOR: Record<Finding['severity'], string> = {
  violation: '\x1b[31m',
  warning: '\x1b[33m',
  info: '\x1b[36m',
  'not-observable': '\x1b[2m',
};
const RESET = '\x1b[0m';

function paint(s: string, code: string, color: boolean): string {
  return color ? code + s + RESET : s;
}

function cut(s: string, max: number | undefined): string {
  if (max === undefined || max <= 0 || s.length <= max) return s;
  return s.slice(0, Math.max(1, max - 1)) + '…';
}

function frames(f: number[]): string {
  if (f.length <= 4) return f.join(',');
  return `${f.slice(0, 3).join(',')},…(${f.length})`;
}

function yesNo(b: boolean | null): string {
  return b === null ? '?' : b ? 'yes' : 'no';
}

function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : String(n);
}

function endedText(c: ConnectionSummary): string {
  switch (c.ended) {
    case 'disconnect': return c.disconnectReason !== null && c.disconnectReason !== 0 ? `DISCONNECT 0x${c.disconnectReason.toString(16)}` : 'DISCONNECT';
    case 'disconnect-with-will': return 'DISCONNECT 0x04 (will)';
    case 'broker-disconnect': return `broker DISCONNECT${c.disconnectReason !== null ? ' 0x' + c.disconnectReason.toString(16) : ''}`;
    case 'client-fin': return 'client FIN, no DISCONNECT';
    case 'client-rst': return 'client RST, no DISCONNECT';
    case 'broker-fin': return 'closed by broker (FIN)';
    case 'broker-rst': return 'closed by broker (RST)';
    case 'open': return 'open at capture end';
  }
}

function section(title: string, color: boolean): string {
  return paint(title, '\x1b[1m', color);
}

function more(n: number, shown: number): string {
  return n > shown ? `\n(${n - shown} more not shown)` : '';
}

export function renderAnalysis(result: AnalysisResult, opts: RenderAnalysisOptions): string {
  const { color } = opts;
  const maxRows = opts.maxRows ?? 200;
  const out: string[] = [];
  const s = result.summary;
  const counts = s.findings;
  out.push(section('Findings', color) + `  ${counts.violation} violation(s), ${counts.warning} warning(s), ${counts.info} info, ${counts['not-observable']} not observable` +
    (s.suppressedFindings > 0 ? ` (${s.suppressedFindings} more beyond the per-id cap)` : ''));
  if (result.findings.length === 0) {
    out.push('No findings.');
  } else {
    const t = plainTable({ head: ['Severity', 'Id', 'Clause', 'Frames', 'Stream', 'Message'], color, alignRight: [4] });
    const fixed = 14 + 30 + 26 + 16 + 7;
    const msgWidth = opts.width !== undefined ? Math.max(30, opts.width - fixed) : undefined;
    for (const f of result.findings.slice(0, maxRows * 5)) {
      t.push([paint(f.severity, SEV_COLOR[f.severity], color), f.id, f.clause, frames(f.frames), num(f.connection), cut(f.message, msgWidth)]);
    }
    out.push(t.toString() + more(result.findings.length, Math.min(result.findings.length, maxRows * 5)));
  }

  if (result.connections.length > 0) {
    out.push('', section('Connections', color));
    const t = plainTable({ head: ['Stream', 'Client', 'Client id', 'Ver', 'Keep Alive', 'Clean', 'Will', 'CONNACK', 'Ended', 'Seen'], color, alignRight: [0, 4] });
    for (const c of result.connections.slice(0, maxRows)) {
      const ver = c.version === null ? '?' : c.version === 5 ? '5.0' : c.version === 4 ? '3.1.1' : '3.1';
      const ka = c.keepAlive === null ? '?' : c.serverKeepAlive !== null ? `${c.keepAlive}→${c.serverKeepAlive}s` : `${c.keepAlive}s`;
      const will = c.will === null ? (c.fromConnect ? 'no' : '?') : `${c.will.topic} q${c.will.qos}${c.will.retain ? ' r' : ''}`;
      const connack = c.connackCode === null ? '-' : `0x${c.connackCode.toString(16).padStart(2, '0')}${c.sessionPresent ? ' SP' : ''}`;
      const seen = `${c.fromConnect ? 'from CONNECT' : 'midstream'}, ${c.directions}`;
      t.push([c.id, c.client, c.clientId ?? '?', ver, ka, yesNo(c.cleanSession), cut(will, 28), connack, endedText(c), seen]);
    }
    out.push(t.toString() + more(result.connections.length, Math.min(result.connections.length, maxRows)));
  }

  if (result.handshakes.length > 0) {
    out.push('', section('QoS handshakes', color));
    // Latencies in ms, without a unit per cell: the table stays readable on a 120-column terminal.
    const t = plainTable({ head: ['Stream', 'Client id', 'Direction', 'QoS', 'Started', 'Complete', 'Incomplete', 'Avg ms', 'Max ms', 'Each step, avg ms'], color, alignRight: [0, 3, 4, 5, 6, 7, 8] });
    for (const h of result.handshakes.slice(0, maxRows)) {
      t.push([h.connection, h.clientId ?? '?', h.direction === 'c2s' ? 'client→broker' : 'broker→client', h.qos, h.started, h.completed,
        h.incomplete, msNumber(h.latencyAvg), msNumber(h.latencyMax), stepsText(h.steps)]);
    }
    out.push(t.toString() + more(result.handshakes.length, Math.min(result.handshakes.length, maxRows)));
  }

  if (result.topics.length > 0) {
    out.push('', section('Topics', color));
    const t = plainTable({ head: ['Topic', 'QoS 0', 'QoS 1', 'QoS 2', 'Retain pubs', 'Retained', 'Deliveries'], color, alignRight: [1, 2, 3, 4, 6] });
    for (const tp of result.topics.slice(0, maxRows)) {
      t.push([cut(tp.topic, 60), tp.publishes[0], tp.publishes[1], tp.publishes[2], tp.retainedPublishes, tp.retained ? 'yes' : 'no', tp.deliveries]);
    }
    out.push(t.toString() + more(result.topics.length, Math.min(result.topics.length, maxRows)));
  }
  const f = s.folded;
  const folded = [
    f.connections ? `${f.connections} connections (${f.connectionPackets} MQTT packets)` : '',
    f.handshakes ? `${f.handshakes} handshake rows` : '',
    f.topicPackets ? `${f.topicPackets} PUBLISH packets on further topics` : '',
  ].filter(Boolean);
  if (folded.length > 0) out.push('', `Analysed but not listed, to keep the tables bounded: ${folded.join('; ')}`);
  if (s.limitsHit.length > 0) out.push('', `Limits reached: ${s.limitsHit.join(', ')}`);
  return out.join('\n');
}

/** Each step's average latency in ms, by its packet without "PUB": "REC 0.052 · REL 0.050 · COMP 0.020". */
function stepsText(steps: HandshakeSummary['steps']): string {
  if (steps.length === 0) return '-';
  return steps.map((st) => `${st.packet.slice(3)} ${msNumber(st.latencyAvg)}`).join(' · ');
}

/** Seconds as milliseconds with microsecond precision, no unit; '-' for none. */
function msNumber(seconds: number | null): string {
  return seconds === null ? '-' : (seconds * 1000).toFixed(3);
}

