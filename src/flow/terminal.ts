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
  /** Print each finding's message under it (default true; goldens leave the wording out). */
  findingMessages?: boolean;
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
const MIN_SPACING = 5;
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
  out.push(cut(`MQTT flow of ${d.source}: ${clients} client${clients === 1 ? '' : 's'}, ${d.packets} MQTT packet${d.packets === 1 ? '' : 's'}`, width, g));
  if (d.items.length === 0) {
    out.push('(no MQTT packets to draw)');
    appendFindings(out, d.findings, g, width, paint, opts.findingMessages !== false);
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

  // Lifeline spacing: as wide as the names want (up to MAX_SPACING), as narrow as the labels
  // need, never below MIN_SPACING (then labels are shortened); beyond that, lanes go.
  let lanes = d.participants.length;
  let needed = MIN_LABEL;
  for (const it of d.items) {
    const [label, extra] = itemText(it, d, g);
    needed = Math.max(needed, len(label) + len(extra));
  }
  const maxRoom = Math.max(MIN_SPACING, width - gutter - 3 - MIN_LABEL);
  const room = Math.min(maxRoom, Math.max(width - gutter - 3 - needed, (lanes - 1) * MIN_SPACING));
  let sp = MAX_SPACING;
  if (lanes > 1) {
    const longest = Math.max(...d.participants.map((p) => len(p.name)));
    sp = Math.max(MIN_SPACING, Math.min(MAX_SPACING, longest + 2, Math.floor(room / (lanes - 1))));
    if ((lanes - 1) * sp > maxRoom) lanes = Math.max(2, Math.floor(maxRoom / sp) + 1);
  }
  const hidden = d.participants.slice(lanes);
  const x = (lane: number) => gutter + lane * sp;
  const labelAt = x(lanes - 1) + 3;
  const labelWidth = width - labelAt;

  // Legend: full names and endpoints, since the header may have to shorten them.
  for (let i = 0; i < lanes; i++) {
    const p = d.participants[i]!;
    const eps = p.endpoints.length > 3 ? `${p.endpoints.slice(0, 3).join(', ')}, +${p.endpoints.length - 3}` : p.endpoints.join(', ');
    // Lifelines named by their address (no CONNECT, several brokers) need no legend entry.
    out.push(cut(eps === p.name || p.name.endsWith(` ${eps}`) ? `  ${p.name}` : `  ${p.name}: ${eps}`, width, g));
  }
  if (hidden.length) {
    out.push(cut(`  (${hidden.length} more not drawn, use --client ID or a wider terminal: ${hidden.map((p) => p.name).join(', ')})`, width, g));
  }
  out.push('');

  // Header: lifeline names at their columns; when they do not fit between two lifelines, odd
  // lanes go on a second line, so each name has two spacings.
  const put = (row: string[], at: number, s: string) => [...s].forEach((ch, k) => (row[at + k] = ch));
  const two = d.participants.slice(0, lanes - 1).some((p) => len(p.name) > sp - 1);
  const heads = [new Array<string>(labelAt).fill(' '), new Array<string>(labelAt).fill(' ')];
  put(heads[0]!, 0, 'No.'.padStart(nW) + ' ' + 'Time'.padStart(tW));
  if (two) for (let i = 0; i < lanes; i += 2) heads[1]![x(i)] = g.life;
  for (let i = 0; i < lanes; i++) {
    const room = i === lanes - 1 ? width - x(i) : (two ? 2 : 1) * sp - 1;
    put(heads[two ? i % 2 : 0]!, x(i), cut(d.participants[i]!.name, room, g));
  }
  out.push(paint('bold', heads[0]!.join('').trimEnd()));
  if (two) out.push(heads[1]!.join('').trimEnd());

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
    const [label, plainExtra] = itemText(it, d, g);
    let extra = plainExtra;
    let style: Style = 'reset';
    const frame = it.kind === 'pings' ? it.firstFrame : it.frame;
    if (it.kind === 'close') {
      row[x(it.by === 'client' ? it.client : it.broker)] = g.close;
      style = 'yellow';
    } else {
      drawArrow(row, x(from), x(to), it.kind === 'pings', g);
      style = it.kind === 'pings' ? 'dim' : arrowStyle(it.type);
    }
    if (opts.color && it.kind !== 'pings' && it.findings.length) {
      // The same text as plainExtra, with the finding marks coloured.
      extra = plainExtra.slice(0, plainExtra.length - len(findingMarks(it.findings, d, g)) ) + findingMark(it.findings);
    }
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
  if (dropped) out.push(cut(`(${dropped} item${dropped === 1 ? '' : 's'} of lifelines not drawn left out)`, width, g));

  const anyLink = d.items.some((it) => it.kind === 'arrow' && (it.forwardedAs || it.copyOf !== undefined));
  if (anyLink) {
    out.push('');
    out.push(cut(`${g.forwarded} #n: the broker delivered this PUBLISH as frame n; ${g.copy} #n: a copy of frame n`, width, g));
  }
  appendFindings(out, d.findings, g, width, paint, opts.findingMessages !== false);
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}

function findingMarks(ks: number[], d: FlowDiagram, g: Glyphs): string {
  return ks.map((k) => `${g.severity[d.findings[k]!.severity] ?? '?'}${k + 1}`).join(' ');
}

/** An item's label and what follows it (links to copies, finding marks), uncoloured. */
function itemText(it: FlowItem, d: FlowDiagram, g: Glyphs): [string, string] {
  if (it.kind === 'pings') {
    return [`PINGREQ/PINGRESP ${g.times}${it.count}, every ${it.every.toFixed(1)} s (#${it.firstFrame}${g.dash}#${it.lastFrame})`, ''];
  }
  let extra = '';
  let label: string;
  if (it.kind === 'close') label = `TCP ${it.closeKind.toUpperCase()} from ${it.by}`;
  else {
    label = it.label;
    if (it.forwardedAs) extra += ` ${g.forwarded} ${it.forwardedAs.map((f) => `#${f}`).join(' ')}`;
    if (it.copyOf !== undefined) extra += ` ${g.copy} #${it.copyOf}`;
  }
  if (it.findings.length) extra += ' ' + findingMarks(it.findings, d, g);
  return [label, extra];
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

function appendFindings(out: string[], findings: Finding[], g: Glyphs, width: number, paint: (s: Style, t: string) => string, messages: boolean): void {
  if (!findings.length) return;
  const text = g === ASCII ? asciiText : (s: string) => s;
  out.push('');
  out.push(`Findings (${findings.length}):`);
  findings.forEach((f, k) => {
    const mark = `${g.severity[f.severity] ?? '?'}${k + 1}`;
    const frames = f.frames.length ? `frame${f.frames.length === 1 ? '' : 's'} ${f.frames.slice(0, 8).join(', ')}${f.frames.length > 8 ? ', ' + g.ellipsis : ''}` : 'no frame';
    const head = cut(`${mark.padStart(4)} ${f.severity} ${f.id} ${text(f.clause)} ${frames}`, width, g);
    out.push(paint(severityStyle(f.severity), head.slice(0, 4)) + head.slice(4));
    if (messages) for (const l of wrap(text(f.message), width - 6)) out.push('      ' + l);
  });
}

/** The analysis' own typography in ASCII (section signs, arrows, dashes); what a capture
 *  carries (a topic, a client id) is printed as it is. */
const ASCII_TEXT: Record<string, string> = { '§': 'sec. ', '→': '->', '←': '<-', '—': '-', '–': '-', '…': '...', '×': 'x' };

function asciiText(s: string): string {
  return s.replace(/[§→←—–…×]/g, (c) => ASCII_TEXT[c]!);
}

export type { FlowItem };
