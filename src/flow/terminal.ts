// The sequence diagram as text: a gutter with frame number and relative time, one column per
// lifeline (broker first), and the label to the right of the lifelines so it never has to squeeze
// between them. Unicode box drawing by default, plain ASCII on request; colour only when asked.

import type { Finding } from '../analysis/schema.js';
import type { FlowDiagram, FlowItem } from './model.js';

export interface TextOptions {
  /** Terminal width in columns (80 by default). */
  width?: number;
  ascii?: boolean;
  color?: boolean;
}

interface Glyphs {
  life: string;
  shaft: string;
  cross: string;
  startRight: string;
  startLeft: string;
  headRight: string;
  headLeft: string;
  dot: string;
  close: string;
  ellipsis: string;
  times: string;
  dash: string;
  forwarded: string;
  copy: string;
  severity: Record<string, string>;
}

const UNICODE: Glyphs = {
  life: '│',
  shaft: '─',
  cross: '┼',
  startRight: '├',
  startLeft: '┤',
  headRight: '▶',
  headLeft: '◀',
  dot: '┄',
  close: '✕',
  ellipsis: '…',
  times: '×',
  dash: '–',
  forwarded: '⇒',
  copy: '⇐',
  severity: { violation: '✖', warning: '⚠', info: 'ℹ', 'not-observable': '?' },
};

const ASCII: Glyphs = {
  life: '|',
  shaft: '-',
  cross: '+',
  startRight: '|',
  startLeft: '|',
  headRight: '>',
  headLeft: '<',
  dot: '.',
  close: 'x',
  ellipsis: '~',
  times: 'x',
  dash: '-',
  forwarded: '=>',
  copy: '<=',
  severity: { violation: 'X', warning: '!', info: 'i', 'not-observable': '?' },
};

// SGR codes of our own: util.styleText in Node 20.20 drops colour when stdout is not a TTY, but
// the caller has already decided (TTY, NO_COLOR, --no-color) and tests need to see it.
const SGR = {
  reset: null,
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;
type Style = keyof typeof SGR;

function styleText(style: Style, s: string): string {
  const c = SGR[style];
  return c ? `\x1b[${c[0]}m${s}\x1b[${c[1]}m` : s;
}

/** Fewest columns left for labels before lifelines are squeezed or hidden. */
const MIN_LABEL = 30;
const MIN_SPACING = 4;
const MAX_SPACING = 14;

function len(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function cut(s: string, width: number, g: Glyphs): string {
  if (width <= 0) return '';
  if (len(s) <= width) return s;
  const chars = [...s];
  const e = len(g.ellipsis);
  return width <= e ? chars.slice(0, width).join('') : chars.slice(0, width - e).join('') + g.ellipsis;
}

export function formatRel(t: number): string {
  return t.toFixed(3);
}

export function renderFlowText(d: FlowDiagram, opts: TextOptions = {}): string {
  const width = Math.max(40, opts.width ?? 80);
  const g = opts.ascii ? ASCII : UNICODE;
  const paint = (style: Style, s: string) => (opts.color && s ? styleText(style, s) : s);
  const out: string[] = [];

  const clients = d.participants.filter((p) => p.kind === 'client').length;
  out.push(`MQTT flow of ${d.source}: ${clients} client${clients === 1 ? '' : 's'}, ${d.packets} MQTT packet${d.packets === 1 ? '' : 's'}`);
  if (d.items.length === 0) {
    out.push('(no MQTT packets to draw)');
    appendFindings(out, d.findings, g, width, paint);
    return out.join('\n') + '\n';
  }

  let maxFrame = 0;
  let maxRel = 0;
  for (const it of d.items) {
    maxFrame = Math.max(maxFrame, it.kind === 'pings' ? it.firstFrame : it.frame);
    maxRel = Math.max(maxRel, it.rel);
  }
  const nW = Math.max(3, String(maxFrame).length);
  const tW = Math.max(4, formatRel(maxRel).length);
  const gutter = nW + 1 + tW + 2;

  // Lifeline spacing: as wide as the names want, as narrow as the labels need.
  let lanes = d.participants.length;
  const room = width - gutter - 2 - MIN_LABEL;
  let sp = MAX_SPACING;
  if (lanes > 1) {
    const longest = Math.max(...d.participants.map((p) => len(p.name)));
    sp = Math.max(MIN_SPACING, Math.min(MAX_SPACING, longest + 2, Math.floor(room / (lanes - 1))));
    if ((lanes - 1) * sp > Math.max(room, MIN_SPACING)) lanes = Math.max(2, Math.floor(Math.max(room, MIN_SPACING) / sp) + 1);
  }
  const hidden = d.participants.slice(lanes);
  const x = (lane: number) => gutter + lane * sp;
  const labelAt = x(lanes - 1) + 3;
  const labelWidth = width - labelAt;

  // Legend: full names and endpoints, since the header may have to shorten them.
  for (let i = 0; i < lanes; i++) {
    const p = d.participants[i]!;
    const eps = p.endpoints.length > 3 ? `${p.endpoints.slice(0, 3).join(', ')}, +${p.endpoints.length - 3}` : p.endpoints.join(', ');
    out.push(cut(`  ${p.name}: ${eps}`, width, g));
  }
  if (hidden.length) {
    out.push(cut(`  (${hidden.length} more not drawn: ${hidden.map((p) => p.name).join(', ')}; use --client ID or a wider terminal)`, width, g));
  }
  out.push('');

  // Header: lifeline names at their columns.
  const head = new Array<string>(labelAt).fill(' ');
  const put = (row: string[], at: number, s: string) => [...s].forEach((ch, k) => (row[at + k] = ch));
  put(head, 0, 'No.'.padStart(nW) + ' ' + 'Time'.padStart(tW));
  for (let i = 0; i < lanes; i++) put(head, x(i), cut(d.participants[i]!.name, i === lanes - 1 ? width - x(i) : sp - 1, g));
  out.push(paint('bold', head.join('').trimEnd()));

  const blank = (): string[] => {
    const row = new Array<string>(labelAt).fill(' ');
    for (let i = 0; i < lanes; i++) row[x(i)] = g.life;
    return row;
  };
  out.push(' '.repeat(gutter) + blank().slice(gutter).join('').trimEnd());

  const findingMark = (ks: number[]) =>
    ks.map((k) => paint(severityStyle(d.findings[k]!.severity), `${g.severity[d.findings[k]!.severity] ?? '?'}${k + 1}`)).join(' ');

  let dropped = 0;
  for (const it of d.items) {
    const from = it.kind === 'arrow' ? it.from : it.client;
    const to = it.kind === 'arrow' ? it.to : it.broker;
    if (from >= lanes || to >= lanes) {
      dropped++;
      continue;
    }
    const row = blank();
    let label: string;
    let extra = '';
    let style: Style = 'reset';
    const frame = it.kind === 'pings' ? it.firstFrame : it.frame;
    if (it.kind === 'close') {
      row[x(it.by === 'client' ? it.client : it.broker)] = g.close;
      label = `TCP ${it.closeKind.toUpperCase()} from ${it.by} (stream ${it.conn})`;
      style = 'yellow';
      if (it.findings.length) extra = ' ' + findingMark(it.findings);
    } else {
      drawArrow(row, x(from), x(to), it.kind === 'pings', g);
      if (it.kind === 'pings') {
        label = `PINGREQ/PINGRESP ${g.times}${it.count}, every ${it.every.toFixed(1)} s (#${it.firstFrame}${g.dash}#${it.lastFrame})`;
        style = 'dim';
      } else {
        label = it.label;
        style = arrowStyle(it.type);
        if (it.forwardedAs) extra += ` ${g.forwarded} ${it.forwardedAs.map((f) => `#${f}`).join(' ')}`;
        if (it.copyOf !== undefined) extra += ` ${g.copy} #${it.copyOf}`;
        if (it.findings.length) extra += ' ' + findingMark(it.findings);
      }
    }
    const plainExtra = opts.color ? stripAnsi(extra) : extra;
    const text = cut(label, Math.max(8, labelWidth - len(plainExtra)), g);
    const lifelines = row.slice(gutter).join('');
    out.push(
      paint('dim', String(frame).padStart(nW)) +
        ' ' +
        paint('dim', formatRel(it.rel).padStart(tW)) +
        '  ' +
        lifelines.slice(0, labelAt - gutter) +
        paint(style, text) +
        extra,
    );
  }
  if (dropped) out.push(`(${dropped} item${dropped === 1 ? '' : 's'} of lifelines not drawn left out)`);

  const anyLink = d.items.some((it) => it.kind === 'arrow' && (it.forwardedAs || it.copyOf !== undefined));
  if (anyLink) {
    out.push('');
    out.push(cut(`${g.forwarded} #n: the broker delivered this PUBLISH as frame n; ${g.copy} #n: a copy of frame n`, width, g));
  }
  appendFindings(out, d.findings, g, width, paint);
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}

/** Client lifeline to broker lifeline (either way); crossed lifelines show as crossings. */
function drawArrow(row: string[], a: number, b: number, dotted: boolean, g: Glyphs): void {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  for (let c = lo + 1; c < hi; c++) row[c] = row[c] === g.life && !dotted ? g.cross : dotted ? g.dot : g.shaft;
  if (dotted) {
    // A ping run goes both ways: heads at both ends.
    row[lo + 1] = g.headLeft;
    row[hi - 1] = g.headRight;
    return;
  }
  if (a < b) {
    row[a] = g.startRight;
    row[b - 1] = g.headRight;
  } else {
    row[a] = g.startLeft;
    row[b + 1] = g.headLeft;
  }
}

function arrowStyle(type: string): Style {
  switch (type) {
    case 'PUBLISH':
      return 'cyan';
    case 'CONNECT':
    case 'CONNACK':
      return 'green';
    case 'DISCONNECT':
      return 'yellow';
    case 'SUBSCRIBE':
    case 'SUBACK':
    case 'UNSUBSCRIBE':
    case 'UNSUBACK':
      return 'magenta';
    default:
      return 'reset';
  }
}

function severityStyle(sev: string): Style {
  return sev === 'violation' ? 'red' : sev === 'warning' ? 'yellow' : sev === 'info' ? 'blue' : 'gray';
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && len(line) + 1 + len(word) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function appendFindings(out: string[], findings: Finding[], g: Glyphs, width: number, paint: (s: Style, t: string) => string): void {
  if (!findings.length) return;
  out.push('');
  out.push(`Findings (${findings.length}):`);
  findings.forEach((f, k) => {
    const mark = `${g.severity[f.severity] ?? '?'}${k + 1}`;
    const frames = f.frames.length ? `frame${f.frames.length === 1 ? '' : 's'} ${f.frames.slice(0, 8).join(', ')}${f.frames.length > 8 ? ', ' + g.ellipsis : ''}` : 'no frame';
    out.push(`${paint(severityStyle(f.severity), mark.padStart(4))} ${f.severity} ${f.id} ${f.clause} ${paint('dim', frames)}`);
    for (const l of wrap(f.message, width - 6)) out.push('      ' + l);
  });
}

export type { FlowItem };
