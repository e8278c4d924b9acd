// Our dissection decodes every MQTT packet the benchmark generator wrote: the generator's own
// count is the golden (it knows what it built), across splits, coalesced segments, MSS-sized
// pieces, retransmissions, out-of-order pairs and splits inside the Remaining Length.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCapture } from '../../bench/generate.js';
import { dissectCapture } from '../../src/pipeline/dissect.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-bench-pipe-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// The last case keeps 2000 connections open, so an out-of-order segment waits across one of the
// capture reader's 1 MiB chunks: it caught held segments that were views into the reused chunk.
for (const [seed, size, concurrency] of [
  [4, 3_000_000, 60],
  [5, 4_000_000, 60],
  [4, 10_000_000, 2000],
] as const) {
  test(`seed ${seed}, ${concurrency} open connections: every generated packet is decoded, none malformed`, async () => {
    const path = join(dir, `p${seed}-${concurrency}.pcap`);
    const stats = generateCapture({ size, seed, concurrency, out: path });
    assert.ok(stats.outOfOrder > 0 || stats.splitInRemainingLength > 0, 'the capture has out-of-order pairs or RL splits');
    let publishes = 0;
    const s = await dissectCapture(path, {
      message: (m) => {
        if (m.result.status === 'ok' && m.result.packet.type === 'PUBLISH') publishes++;
      },
    });
    assert.equal(s.framesRead, stats.frames);
    assert.equal(s.pdus, stats.mqttPackets);
    assert.equal(s.malformedPdus, 0);
    assert.equal(publishes, stats.publishes);
    assert.equal(s.connections, stats.connections);
  });
}
