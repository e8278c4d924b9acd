// Topic filter matching (MQTT 3.1.1 §4.7, 5.0 §4.7) for expectations, and count ranges.

/** Does `topic` match `filter`? `+` is one level, `#` (last) is any number of levels including
 *  the parent (MQTT-4.7.1-2: "sport/#" matches "sport"); wildcards at the first level do not
 *  match topics starting with '$' (MQTT-4.7.2-1). v5 shared subscriptions `$share/G/F` match as F. */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter.startsWith('$share/')) {
    const slash = filter.indexOf('/', 7);
    if (slash < 0) return false;
    filter = filter.slice(slash + 1);
  }
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  let fi = 0;
  let ti = 0;
  const fl = filter.length;
  const tl = topic.length;
  for (;;) {
    const fEnd = nextSlash(filter, fi);
    const level = filter.slice(fi, fEnd);
    if (level === '#') return fEnd === fl;
    if (ti > tl) return false;
    const tEnd = nextSlash(topic, ti);
    if (level !== '+' && level !== topic.slice(ti, tEnd)) return false;
    const fDone = fEnd >= fl;
    const tDone = tEnd >= tl;
    if (fDone || tDone) {
      if (fDone && tDone) return true;
      // "a/#" matches "a": the filter has one level left and it is '#'.
      return tDone && !fDone && filter.slice(fEnd + 1) === '#';
    }
    fi = fEnd + 1;
    ti = tEnd + 1;
  }
}

function nextSlash(s: string, from: number): number {
  const i = s.indexOf('/', from);
  return i < 0 ? s.length : i;
}

export function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

export interface CountRange {
  min: number;
  max: number;
  text: string;
}

/** "3" | 3 | ">= 1" | "< 2" | "1..5" → inclusive range (validated by the schema already). */
export function parseCount(c: number | string | undefined, dflt = '>= 1'): CountRange {
  const raw = c === undefined ? dflt : c;
  if (typeof raw === 'number') return { min: raw, max: raw, text: String(raw) };
  const s = raw.replace(/\s+/g, '');
  const range = /^(\d+)\.\.(\d+)$/.exec(s);
  if (range) return { min: Number(range[1]), max: Number(range[2]), text: `${range[1]}..${range[2]}` };
  const m = /^(>=|<=|==|>|<)?(\d+)$/.exec(s);
  if (!m) return { min: 1, max: Infinity, text: '>= 1' };
  const n = Number(m[2]);
  switch (m[1]) {
    case '>=': return { min: n, max: Infinity, text: `>= ${n}` };
    case '>': return { min: n + 1, max: Infinity, text: `> ${n}` };
    case '<=': return { min: 0, max: n, text: `<= ${n}` };
    case '<': return { min: 0, max: Math.max(0, n - 1), text: `< ${n}` };
    default: return { min: n, max: n, text: String(n) };
  }
}

export function inRange(n: number, r: CountRange): boolean {
  return n >= r.min && n <= r.max;
}
