// Every corpus capture through reader → NetworkDecoder → TcpReassembler: never throws, and the
// TCP streams on port 1883 are the ones tshark numbers (goldens from test/tcp/make-goldens.sh).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCapture } from '../../src/capture/source.js';
import { NetworkDecoder } from '../../src/link/decode.js';
import { TcpSegment } from '../../src/link/types.js';
import { TcpReassembler } from '../../src/tcp/reassembly.js';
import type { StreamSink, TcpStream } from '../../src/tcp/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = join(here, '../../../shared/corpus');
const GOLDENS = join(here, 'goldens');

function manifest(): string[] {
  return readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!);
}

async function streamsOn1883(path: string): Promise<{ ids: number[]; bytes: number }> {
  const ids: number[] = [];
  let bytes = 0;
  const sink: StreamSink = {
    open(s: TcpStream) {
      if (s.a.port === 1883 || s.b.port === 1883) ids.push(s.id);
    },
    data(_s, _d, _b, start, end) { bytes += end - start; },
    close() {},
  };
  const dec = new NetworkDecoder();
  const seg = new TcpSegment();
  const tcp = new TcpReassembler(sink);
  await readCapture(path, (f) => {
    if (dec.decode(f, seg) === 'tcp') tcp.segment(seg, f);
  });
  tcp.end();
  return { ids, bytes };
}

test('corpus: never throws, port-1883 streams match tshark tcp.stream', async (t) => {
  if (!existsSync(CORPUS)) {
    t.skip('../shared/corpus is absent');
    return;
  }
  for (const path of manifest()) {
    const golden = join(GOLDENS, `${path.replaceAll('/', '_')}.txt`);
    await t.test(path, async () => {
      const want = readFileSync(golden, 'utf8').split('\n').filter((l) => l !== '').map(Number);
      const { ids } = await streamsOn1883(join(CORPUS, path));
      assert.equal(ids.length, want.length, 'number of port-1883 streams');
      assert.deepEqual(ids, want, 'tcp.stream numbers');
    });
  }
});
