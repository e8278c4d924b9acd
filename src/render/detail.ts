// `-V`: each packet-list row followed by its MQTT layer(s) as a tree, like `tshark -V -O mqtt`.

import type { PacketRow } from '../pipeline/rows.js';
import { detailLines } from '../mqtt/detail.js';

export function detailBlock(row: PacketRow): string {
  let s = `Frame ${row.no}: ${row.length} bytes, ${row.time} s, ${row.src}:${row.srcPort} → ${row.dst}:${row.dstPort}, ${row.info}\n`;
  for (const m of row.messages) {
    for (const line of detailLines(m.result, m.version, { wiresharkVersion: m.connectLevel, aliasTopic: m.aliasTopic })) s += line + '\n';
  }
  return s + '\n';
}
