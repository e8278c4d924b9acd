// Reads tshark's packet list (`tshark -r F -Y mqtt`, tshark 4.x text output) into rows, and
// compares it with ours. Shared by the fixture and corpus golden tests.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dissectCapture } from '../../src/pipeline/dissect.js';
import type { PacketRow } from '../../src/pipeline/rows.js';

export interface ListRow {
  no: number;
  time: string;
  src: string;
  dst: string;
  protocol: string;
  length: number;
  info: string;
}

const fold = (s: string) => s.replace(/\s+/g, ' ').trim();

/** "  12   0.000328   172.17.0.1 → 172.17.0.2   MQTT 297 Publish Message [a], Publish Message [b]" */
export function parseTsharkList(text: string): ListRow[] {
  const rows: ListRow[] = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*(\d+)\s+(-?[\d.]+)\s+(\S+)\s+→\s+(\S+)\s+(\S+)\s+(\d+)\s?(.*)$/);
    if (m) rows.push({ no: +m[1]!, time: m[2]!, src: m[3]!, dst: m[4]!, protocol: m[5]!, length: +m[6]!, info: fold(m[7]!) });
  }
  return rows;
}

export function readTsharkList(path: string): ListRow[] {
  return parseTsharkList(readFileSync(path, 'utf8'));
}

export async function ourList(capture: string, ports: number[] = []): Promise<ListRow[]> {
  const rows: ListRow[] = [];
  await dissectCapture(
    capture,
    {
      row: (r: PacketRow) =>
        // tshark's text list breaks a row at a newline in the Info (a topic may hold one): the
        // rest is on a line of its own, which is no row. Compared up to it, as printed.
        rows.push({ no: r.no, time: r.time, src: r.src, dst: r.dst, protocol: r.protocol, length: r.length, info: fold(r.info.split('\n')[0]!) }),
    },
    { ports },
  );
  return rows;
}

export interface ListDiff {
  no: number;
  tshark: ListRow | undefined;
  ours: ListRow | undefined;
}

/** Rows that differ in any column, by frame number. */
export function diffLists(theirs: ListRow[], ours: ListRow[]): ListDiff[] {
  const t = new Map(theirs.map((r) => [r.no, r]));
  const o = new Map(ours.map((r) => [r.no, r]));
  const nos = [...new Set([...t.keys(), ...o.keys()])].sort((a, b) => a - b);
  const diffs: ListDiff[] = [];
  for (const no of nos) {
    const a = t.get(no);
    const b = o.get(no);
    if (!a || !b || a.time !== b.time || a.src !== b.src || a.dst !== b.dst || a.protocol !== b.protocol || a.length !== b.length || a.info !== b.info) {
      diffs.push({ no, tshark: a, ours: b });
    }
  }
  return diffs;
}

/** Every file below `dir` whose name ends with `suffix` (e.g. ".tshark.txt"), sorted. */
export function findGoldens(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findGoldens(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}
