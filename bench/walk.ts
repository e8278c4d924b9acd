// The bare record walk: our capture reader alone, touching one byte per frame so the work is
// not optimised away. The floor under every other number in the benchmark.
// Usage: node dist/bench/walk.js CAPTURE   → prints "<frames> <status>" on stdout.

import { readCapture } from '../src/capture/source.js';
import type { Frame } from '../src/capture/types.js';

let frames = 0;
let sum = 0;
function onFrame(f: Frame): void {
  frames++;
  sum = (sum + f.buf[f.off + f.caplen - 1]!) | 0;
}

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: walk CAPTURE\n');
  process.exit(2);
}
const end = await readCapture(path, onFrame);
process.stdout.write(`${frames} ${end.status} ${sum}\n`);
process.exitCode = end.status === 'invalid' ? 2 : 0;
