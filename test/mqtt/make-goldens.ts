// Writes test/mqtt/golden/cases.pcap from cases.ts and records tshark's view of it: the packet
// list (`-Y mqtt`), the Info column per frame, and the MQTT tree (`-V -O mqtt`).
// Run once (tshark 4.0.17): node --import tsx test/mqtt/make-goldens.ts

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { segments } from './cases.js';
import { buildPcap } from './support/pcap.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
mkdirSync(dir, { recursive: true });
const pcap = join(dir, 'cases.pcap');
writeFileSync(pcap, buildPcap(segments()));
const tshark = (...args: string[]) => execFileSync('tshark', ['-r', pcap, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });
writeFileSync(join(dir, 'cases.list.txt'), tshark('-Y', 'mqtt'));
writeFileSync(join(dir, 'cases.info.tsv'), tshark('-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Info'));
writeFileSync(join(dir, 'cases.detail.txt'), tshark('-V', '-O', 'mqtt'));
writeFileSync(join(dir, 'VERSION'), execFileSync('tshark', ['--version'], { encoding: 'utf8' }).split('\n')[0] + '\n');
