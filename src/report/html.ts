// `report CAPTURE --out report.html`: one self-contained HTML file. Everything (style, script,
// data, pictures) is inline and a Content-Security-Policy forbids the page any network access.
// The static parts (rubric, summary, findings, handshake latencies) are HTML written here; the
// paged diagram, packet list and keepalive timelines are drawn by the inline script from data.

import type { Collected } from '../flow/collect.js';
import { versionName } from '../flow/label.js';
import { buildFlow } from '../flow/model.js';
import { REPORT_JS } from './client.js';
import { buildReportData, type ReportData } from './data.js';
import { REPORT_CSS } from './style.js';

/** One rubric line of a grading feedback file, shown above the report. */
export interface RubricItem {
  id?: string;
  description: string;
  /** true = met, false = not met, null = could not be judged. */
  passed: boolean | null;
  points?: number;
  maxPoints?: number;
  comment?: string;
  /** Evidence frames: linked to the diagram and the packet list. */
  frames?: number[];
}

export interface RubricResults {
  title?: string;
  student?: string;
  score?: number;
  maxScore?: number;
  items: RubricItem[];
}

export interface ReportOptions {
  rubricResults?: RubricResults;
  /** Page title; the capture name by default. */
  title?: string;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** JSON that is safe inside <script>: no "</script>", no "<!--", no JS line terminators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function frameLinks(frames: number[], finding?: number, max = 12): string {
  const shown = frames.slice(0, max).map((f) => `<a class="fr" href="#row-${f}" data-frame="${f}"${finding !== undefined ? ` data-finding="${finding}"` : ''}>${f}</a>`);
  return shown.join('') + (frames.length > max ? ` <span class="muted">+${frames.length - max} more</span>` : '');
}

function rubricSection(r: RubricResults): string {
  const score = r.score !== undefined ? ` — ${r.score}${r.maxScore !== undefined ? ` / ${r.maxScore}` : ''} points` : '';
  const rows = r.items
    .map((it) => {
      const verdict = it.passed === true ? '<span class="pass">met</span>' : it.passed === false ? '<span class="fail">not met</span>' : '<span class="na">not judged</span>';
      const pts = it.points !== undefined ? `${it.points}${it.maxPoints !== undefined ? ` / ${it.maxPoints}` : ''}` : '';
      return `<tr class="rubric-item"><td>${verdict}</td><td>${escapeHtml(it.description)}${it.comment ? `<div class="muted">${escapeHtml(it.comment)}</div>` : ''}</td><td class="num">${pts}</td><td>${frameLinks(it.frames ?? [])}</td></tr>`;
    })
    .join('');
  return `<section id="rubric"><h2>${escapeHtml(r.title ?? 'Grading')}${r.student ? `: ${escapeHtml(r.student)}` : ''}${escapeHtml(score)}</h2>
<table><thead><tr><th>Result</th><th>Criterion</th><th class="num">Points</th><th>Frames</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function summarySection(c: Collected, data: ReportData): string {
  const a = c.analysis;
  const counts = { violation: 0, warning: 0, info: 0, 'not-observable': 0 } as Record<string, number>;
  for (const f of data.findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  const versions = [...new Set(c.messages.filter((m) => m.type === 'CONNECT').map((m) => versionName(m.version)))];
  const clients = data.participants.filter((p) => p.kind === 'client');
  const duration = Number.isFinite(c.lastTime - c.firstTime) ? c.lastTime - c.firstTime : 0;
  const card = (label: string, value: string | number, cls = '') => `<div class="card ${cls}"><b>${escapeHtml(String(value))}</b>${escapeHtml(label)}</div>`;
  const end =
    c.captureEnd && c.captureEnd.status !== 'ok'
      ? `<p class="fail">The capture is ${escapeHtml(c.captureEnd.status)}: ${escapeHtml(c.captureEnd.reason ?? '')}. Everything before that point is shown.</p>`
      : '';
  return `<section id="summary"><h2>Summary</h2>${end}
<div class="cards">
${card('MQTT packets', c.messages.length)}${card('frames with MQTT', c.rows.length)}${card('connections', c.connections.filter((x) => x.transport === 'mqtt').length)}${card('clients', clients.length)}${card('seconds', duration.toFixed(3))}
${card('violations', counts.violation!, 'sev-v')}${card('warnings', counts.warning!)}${card('info', counts.info!)}${card('not observable', counts['not-observable']!)}
</div>
<p><b>Capture:</b> <code>${escapeHtml(c.source)}</code>, ${c.lastFrame} frames. <b>MQTT versions:</b> ${versions.length ? versions.map(escapeHtml).join(', ') : 'unknown (no CONNECT captured)'}.
${c.connections.some((x) => x.transport === 'tls') ? ` ${c.connections.filter((x) => x.transport === 'tls').length} TLS connection(s) counted but not decodable.` : ''}
${a ? '' : ' <span class="muted">(no analysis was run)</span>'}</p>
<p><b>Clients:</b> ${clients.map((p) => `<code>${escapeHtml(p.name)}</code> <span class="muted">(${escapeHtml(p.endpoints.join(', '))})</span>`).join(', ') || 'none'}</p>
</section>`;
}

function findingsSection(data: ReportData): string {
  if (!data.findings.length) return `<section id="findings"><h2>Findings</h2><p class="pass">No findings.</p></section>`;
  const rows = data.findings
    .map(
      (f, i) =>
        `<tr class="finding" id="finding-${i}" data-id="${escapeHtml(f.id)}"><td class="num">${i + 1}</td><td><span class="sev sev-${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span></td><td><code>${escapeHtml(f.id)}</code><div class="muted">${escapeHtml(f.title)}</div></td><td><code>${escapeHtml(f.clause)}</code></td><td>${escapeHtml(f.message)}</td><td>${frameLinks(f.frames, i)}</td></tr>`,
    )
    .join('\n');
  return `<section id="findings"><h2>Findings (${data.findings.length})</h2>
<table><thead><tr><th class="num">#</th><th>Severity</th><th>Finding</th><th>Clause</th><th>What was seen</th><th>Frames</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function ms(s: number | null): string {
  return s === null ? '—' : (s * 1000).toFixed(3);
}

function latencySection(c: Collected): string {
  const hs = c.analysis?.handshakes ?? [];
  if (!hs.length) return `<section id="latency"><h2>QoS handshake latencies</h2><p class="muted">No QoS 1 or 2 handshakes.</p></section>`;
  const rows = hs
    .map(
      (h) =>
        `<tr><td><code>${escapeHtml(h.clientId ?? '(unknown)')}</code></td><td class="num">${h.connection}</td><td>${h.direction === 'c2s' ? 'client → broker' : 'broker → client'}</td><td class="num">${h.qos}</td><td class="num">${h.started}</td><td class="num">${h.completed}</td><td class="num">${h.incomplete}</td><td class="num">${ms(h.latencyAvg)}</td><td class="num">${ms(h.latencyMax)}</td><td>${h.steps.map((st) => `${st.packet} ${ms(st.latencyAvg)}`).join(' · ')}</td></tr>`,
    )
    .join('\n');
  return `<section id="latency"><h2>QoS handshake latencies</h2>
<p class="muted">From the PUBLISH to its final acknowledgement (PUBACK for QoS 1, PUBCOMP for QoS 2), as seen at the capture point; then each step's average, from the packet before it (for QoS 2: PUBLISH → PUBREC → PUBREL → PUBCOMP).</p>
<table><thead><tr><th>Client</th><th class="num">Stream</th><th>Direction</th><th class="num">QoS</th><th class="num">Started</th><th class="num">Completed</th><th class="num">Incomplete</th><th class="num">Avg ms</th><th class="num">Max ms</th><th>Steps, avg ms</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

/** The start of a self-contained page: nothing may be fetched (`csp`), the report's styles inline. */
export function pageHead(title: string, csp: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mqtt-analyze">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
`;
}

export function renderReportHtml(collected: Collected, opts: ReportOptions = {}): string {
  const diagram = buildFlow(collected);
  const data = buildReportData(collected, diagram);
  const title = opts.title ?? `MQTT report: ${collected.source}`;
  return `${pageHead(title, CSP)}<body>
<header class="top"><h1>${escapeHtml(title)}</h1>
<nav class="noprint muted"><a href="#summary">Summary</a> · <a href="#findings">Findings</a> · <a href="#diagram-section">Sequence diagram</a> · <a href="#list">Packet list</a> · <a href="#keepalive">Keepalive</a> · <a href="#latency">Latencies</a></nav>
</header>
<main>
${opts.rubricResults ? rubricSection(opts.rubricResults) : ''}
${summarySection(collected, data)}
${findingsSection(data)}
<section id="diagram-section"><h2>Sequence diagram</h2>
<p class="muted">One arrow per MQTT packet, time going down; ⇒ #n: the broker delivered this PUBLISH as frame n, ⇐ #n: a copy of frame n (dashed curve). Click an arrow for its packet-list row.</p>
<div class="pager"><button id="diagram-prev" type="button">◀ earlier</button><button id="diagram-next" type="button">later ▶</button><span id="diagram-page" class="muted"></span></div>
<div id="diagram-wrap"></div>
</section>
<section id="list"><h2>Packet list</h2>
<div class="controls"><label>Client <select id="f-client"><option value="">all</option></select></label>
<label>Type <select id="f-type"><option value="">all</option></select></label>
<label>Topic <input id="f-topic" type="search" placeholder="text or filter, e.g. a/+/c" size="24"></label>
<button id="f-reset" type="button">reset</button><span id="list-count" class="muted"></span></div>
<div class="pager"><button id="list-prev" type="button">◀ previous</button><button id="list-next" type="button">next ▶</button><span id="list-page" class="muted"></span></div>
<table><thead><tr><th class="num">No.</th><th class="num">Time</th><th>Source</th><th>Destination</th><th>Protocol</th><th class="num">Length</th><th>Info</th></tr></thead>
<tbody id="list-body"></tbody></table>
<p class="muted noprint">Click a row for its packet detail (like <code>tshark -V</code>).</p>
</section>
<section id="keepalive"><h2>Keepalive timelines</h2>
<p class="muted">Per connection: client packets (blue, up), broker packets (grey, down), PINGREQs (green dots), TCP FIN/RST (orange cross); green: within the keepalive after a client packet, yellow: within 1.5 times it, red: silent longer (MQTT-3.1.2-24); red triangles: keepalive findings.</p>
<div id="keepalive-list"></div>
</section>
${latencySection(collected)}
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${REPORT_JS}</script>
</body>
</html>
`;
}
