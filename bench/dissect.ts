// The whole dissection (capture → link → TCP → MQTT → packet-list rows) with nothing rendered:
// what the packet list costs before any output formatting. A reference row of the benchmark.
// Usage: node dist/bench/dissect.js CAPTURE   → prints "<frames> <rows> <pdus>" on stdout.

import { dissectCapture } from '../src/pipeline/dissect.js';
import type { PacketRow } from '../src/pipeline/rows.js';

let rows = 0;
let infoChars = 0;
function row(r: PacketRow): void {
  rows++;
  infoChars += r.info.length; // touch the row so building it is not optimised away
}

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: dissect CAPTURE\n');
  process.exit(2);
}
const s = await dissectCapture(path, { row });
process.stdout.write(`${s.framesRead} ${rows} ${s.pdus} ${infoChars}\n`);
