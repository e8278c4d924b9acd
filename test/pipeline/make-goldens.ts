// Writes test/pipeline/golden/<name>.pcap from captures.ts and records tshark's view of each:
// the packet list (`-Y mqtt` → .tshark.txt), every frame's Info column (→ .info.tsv) and the
// MQTT tree (`-V -O mqtt` → .tshark-V.txt).
// Run with tshark 4.0.17: node --import tsx test/pipeline/make-goldens.ts [name...]

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GOLDENS } from './captures.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
mkdirSync(dir, { recursive: true });
const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(GOLDENS);
for (const name of names) {
  const pcap = join(dir, `${name}.pcap`);
  writeFileSync(pcap, GOLDENS[name]!());
  const tshark = (...args: string[]) =>
    execFileSync('tshark', ['-r', pcap, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });
  writeFileSync(join(dir, `${name}.tshark.txt`), tshark('-Y', 'mqtt'));
  writeFileSync(join(dir, `${name}.info.tsv`), tshark('-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Info'));
  writeFileSync(join(dir, `${name}.tshark-V.txt`), tshark('-V', '-O', 'mqtt', '-Y', 'mqtt'));
}
writeFileSync(join(dir, 'TSHARK_VERSION'), execFileSync('tshark', ['--version'], { encoding: 'utf8' }).split('\n')[0] + '\n');
