// Live memory, not peak RSS: V8 grows its heap lazily, so peak RSS drifts with a run's length
// even when what is kept alive does not. This samples the heap after a forced GC every 256k
// packet-list rows (or MQTT packets with --check) and prints the largest live size.
// Usage: node --expose-gc dist/bench/heap.js CAPTURE [--check]

import { dissectCapture, forwardTo } from '../src/pipeline/dissect.js';
import { Analyzer } from '../src/analysis/analyzer.js';

const path = process.argv[2];
const check = process.argv.includes('--check');
const gc = (globalThis as { gc?: () => void }).gc;
if (!path || !gc) {
  process.stderr.write('usage: node --expose-gc dist/bench/heap.js CAPTURE [--check]\n');
  process.exit(2);
}
let n = 0;
let maxLive = 0;
const sample = () => {
  if ((++n & 0x3ffff) === 0) {
    gc();
    maxLive = Math.max(maxLive, process.memoryUsage().heapUsed);
  }
};
const analyzer = check ? new Analyzer() : null;
await dissectCapture(path, analyzer ? { ...forwardTo(analyzer), message: (m) => (analyzer.message(m), sample()) } : { row: sample });
if (analyzer) analyzer.result();
process.stdout.write(`${check ? 'check' : 'list'}: ${n} ${check ? 'packets' : 'rows'}, largest live heap after GC ${(maxLive / 1e6).toFixed(1)} MB\n`);
