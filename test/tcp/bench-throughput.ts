// Throughput of NetworkDecoder + TcpReassembler on a synthetic in-memory capture:
//   node --import tsx test/tcp/bench-throughput.ts [frames] [connections]
// Frames are Ethernet/IPv4/TCP with 60-byte payloads over many connections, every 50th segment
// of a connection delivered out of order by one position, so the buffering path runs too.

import type { Frame } from '../../src/capture/types.js';
import { NetworkDecoder } from '../../src/link/decode.js';
import { TcpSegment } from '../../src/link/types.js';
import { TcpReassembler } from '../../src/tcp/reassembly.js';
import type { StreamSink } from '../../src/tcp/types.js';
import { ethernetIPv4Tcp } from '../support/pcap-writer.js';

const FRAMES = Number(process.argv[2] ?? 1_000_000);
const CONNS = Number(process.argv[3] ?? 1000);
const PAYLOAD = Buffer.alloc(60, 0x30);

// Pre-build every frame into one buffer (the reader would hand us views of its chunk buffer).
const offs: number[] = [];
const lens: number[] = [];
const parts: Buffer[] = [];
let total = 0;
const seqs = new Array<number>(CONNS).fill(1000);
const sent = new Array<number>(CONNS).fill(0);
let swapped: Buffer | null = null;
for (let i = 0; i < FRAMES; i++) {
  const c = i % CONNS;
  const spec = {
    src: `10.${(c >> 8) & 255}.${c & 255}.1`, dst: '192.168.0.1', sport: 20000 + (c % 40000), dport: 1883,
    seq: seqs[c]!, ack: 1, payload: PAYLOAD, tcpChecksum: false,
  };
  seqs[c]! += PAYLOAD.length;
  let pkt = ethernetIPv4Tcp(spec);
  sent[c]!++;
  if (sent[c]! % 50 === 0 && swapped === null) { swapped = pkt; continue; }
  if (swapped !== null) { parts.push(pkt); offs.push(total); lens.push(pkt.length); total += pkt.length; pkt = swapped; swapped = null; }
  parts.push(pkt);
  offs.push(total);
  lens.push(pkt.length);
  total += pkt.length;
}
const big = Buffer.concat(parts);
const n = offs.length;

let delivered = 0;
const sink: StreamSink = {
  open() {},
  data(_s, _d, _b, start, end) { delivered += end - start; },
  close() {},
};

function run(): number {
  const dec = new NetworkDecoder();
  const seg = new TcpSegment();
  const tcp = new TcpReassembler(sink);
  const frame: Frame = { no: 0, tsSec: 0, tsNsec: 0, tsDigits: 6, linkType: 1, interfaceId: 0, caplen: 0, origLen: 0, buf: big, off: 0 };
  delivered = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    frame.no = i + 1;
    frame.off = offs[i]!;
    frame.caplen = frame.origLen = lens[i]!;
    if (dec.decode(frame, seg) === 'tcp') tcp.segment(seg, frame);
  }
  tcp.end();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

run(); // warm-up
// Median of three runs: building the frames leaves garbage whose collection lands in one run.
const secs = [run(), run(), run()].sort((a, b) => a - b)[1]!;
console.log(`${n} frames, ${CONNS} connections, ${(total / 1e6).toFixed(0)} MB: ${secs.toFixed(3)} s, ` +
  `${Math.round(n / secs).toLocaleString('en')} frames/s, ${(total / 1e6 / secs).toFixed(0)} MB/s; delivered ${delivered} bytes`);
if (delivered !== n * PAYLOAD.length) throw new Error(`delivered ${delivered}, expected ${n * PAYLOAD.length}`);
