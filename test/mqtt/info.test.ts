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

test('Info texts kept per topic (QoS 0 PUBLISH) still match tshark when every golden frame is seen again', () => {
  const lines = readFileSync(join(golden, 'cases.info.tsv'), 'utf8').split('\n').filter((l) => l.length > 0);
  const want = new Map(lines.map((l) => { const t = l.indexOf('\t'); return [Number(l.slice(0, t)), l.slice(t + 1)] as const; }));
  for (let round = 0; round < 2; round++) {
    for (const f of walk()) assert.equal(fieldsEscape(joinInfo(f.texts)), want.get(f.no), `round ${round} frame ${f.no}`);
  }
});

test('a QoS 0 PUBLISH shows its own topic among more topics than are kept, and a QoS 1 one its id', () => {
  // "Publish Message [topic]" / "Publish Message (id=N) [topic]", as tshark shows them (golden above).
  const pub = (topic: string, qos: number) => {
    const t = Buffer.from(topic, 'latin1');
    const id = qos > 0 ? [0x00, 0x07] : [];
    const body = [t.length >> 8, t.length & 0xff, ...t, ...id, 0x70];
    return decodePacket(Uint8Array.from([0x30 | (qos << 1), body.length, ...body]), 4);
  };
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 9000; i++) {
      const topic = `t/${i}`;
      assert.equal(infoText(pub(topic, 0), 4), `Publish Message [${topic}]`);
      assert.equal(infoText(pub(topic, 1), 4), `Publish Message (id=7) [${topic}]`);
    }
  }
  assert.equal(infoText(pub('a\u0000b', 0), 4), 'Publish Message [a]');
  assert.equal(infoText(pub('a\u0000b', 0), 4), 'Publish Message [a]');
});
