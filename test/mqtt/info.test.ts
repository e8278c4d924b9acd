// infoText against tshark 4.0.17's Info column for every frame of golden/cases.pcap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { frames, segments } from './cases.js';
import { buildPcap } from './support/pcap.js';
import { connectLevel, decodePacket } from '../../src/mqtt/decode.js';
import { infoText, joinInfo, TopicAliasMap } from '../../src/mqtt/info.js';
import type { MqttVersion } from '../../src/mqtt/types.js';

const golden = join(dirname(fileURLToPath(import.meta.url)), 'golden');

/** tshark -T fields escapes these control characters in column text. */
function fieldsEscape(s: string): string {
  return s.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\x08/g, '\\b').replace(/\f/g, '\\f');
}

/** Per conversation, the way Wireshark tracks it: level of the last CONNECT, 0 before any. */
export function* walk(): Generator<{ no: number; texts: string[]; pdus: Uint8Array[]; versions: MqttVersion[] }> {
  const level = new Map<string, number>();
  const aliases = new Map<string, TopicAliasMap>();
  for (const f of frames()) {
    const texts: string[] = [];
    const versions: MqttVersion[] = [];
    for (const pdu of f.pdus) {
      const lv = connectLevel(pdu);
      if (lv !== null) level.set(f.conv, lv);
      const raw = level.get(f.conv) ?? 0;
      const v: MqttVersion = raw === 3 || raw === 5 ? raw : 4;
      const r = decodePacket(pdu, v);
      let topic: string | undefined;
      if (v === 5 && r.packet?.type === 'PUBLISH' && r.status === 'ok') {
        if (!aliases.has(f.conv)) aliases.set(f.conv, new TopicAliasMap());
        topic = aliases.get(f.conv)!.displayTopic(r.packet);
      }
      texts.push(infoText(r, v, { topic }));
      versions.push(v);
    }
    yield { no: f.no, texts, pdus: f.pdus, versions };
  }
}

test('golden pcap matches the cases it was made from', () => {
  assert.deepEqual(new Uint8Array(readFileSync(join(golden, 'cases.pcap'))), buildPcap(segments()));
});

test('infoText reproduces tshark Info for every golden frame', () => {
  const lines = readFileSync(join(golden, 'cases.info.tsv'), 'utf8').split('\n').filter((l) => l.length > 0);
  const want = new Map(lines.map((l) => { const t = l.indexOf('\t'); return [Number(l.slice(0, t)), l.slice(t + 1)] as const; }));
  let n = 0;
  for (const f of walk()) {
    assert.equal(fieldsEscape(joinInfo(f.texts)), want.get(f.no), `frame ${f.no}`);
    n++;
  }
  assert.equal(n, want.size);
});

test('joinInfo cuts at 4095 bytes like COL_MAX_INFO_LEN', () => {
  const parts = Array.from({ length: 300 }, (_, i) => `Publish Message [topic/${i}]`);
  const s = joinInfo(parts);
  assert.equal(Buffer.byteLength(s), 4095);
  assert.ok(parts.join(', ').startsWith(s));
  assert.equal(joinInfo(['a', 'b']), 'a, b');
});
