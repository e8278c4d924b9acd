// detailLines against `tshark -V -O mqtt` (4.0.17) for every PDU of golden/cases.pcap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { frames } from './cases.js';
import { connectLevel, decodePacket } from '../../src/mqtt/decode.js';
import { detailLines, bitPicture, formatBytes } from '../../src/mqtt/detail.js';
import type { MqttVersion } from '../../src/mqtt/types.js';

const golden = join(dirname(fileURLToPath(import.meta.url)), 'golden');

/** tshark's MQTT blocks per frame number. */
function goldenBlocks(): Map<number, string[][]> {
  const text = readFileSync(join(golden, 'cases.detail.txt'), 'utf8');
  const out = new Map<number, string[][]>();
  for (const chunk of text.split(/\n\n(?=Frame )/)) {
    const no = Number(/^Frame (\d+):/.exec(chunk)?.[1]);
    const blocks: string[][] = [];
    for (const line of chunk.split('\n')) {
      if (line.startsWith('MQ Telemetry Transport Protocol')) blocks.push([line]);
      else if (blocks.length > 0 && (line.startsWith(' ') || line === '[Malformed Packet: MQTT]')) blocks.at(-1)!.push(line);
      else if (blocks.length > 0 && line !== '') blocks.push([]); // another layer's line: end of the MQTT block
    }
    out.set(no, blocks.filter((b) => b.length > 0));
  }
  return out;
}

test('detailLines reproduces tshark -V for every golden PDU, malformed ones included', () => {
  const want = goldenBlocks();
  const level = new Map<string, number>();
  const aliases = new Map<string, Map<number, string>>();
  let compared = 0;
  let malformed = 0;
  for (const f of frames()) {
    const blocks = want.get(f.no)!;
    assert.equal(blocks.length, f.pdus.length, `frame ${f.no}: PDU count`);
    f.pdus.forEach((pdu, i) => {
      const lv = connectLevel(pdu);
      if (lv !== null) level.set(f.conv, lv);
      const raw = level.get(f.conv) ?? 0;
      const v: MqttVersion = raw === 3 || raw === 5 ? raw : 4;
      const r = decodePacket(pdu, v);
      let aliasTopic: string | null | undefined;
      if (raw === 5 && r.packet?.type === 'PUBLISH' && r.packet.properties) {
        const m = aliases.get(f.conv) ?? new Map<number, string>();
        aliases.set(f.conv, m);
        const a = r.packet.properties.find((p) => p.id === 0x23)?.value as number | undefined;
        if (a) { if (r.packet.topic) m.set(a, r.packet.topic); else aliasTopic = m.get(a) ?? null; }
      }
      const got = detailLines(r, v, { wiresharkVersion: raw, aliasTopic });
      // Malformed ones too: fields as far as tshark got before failing (a length read before its
      // bytes ran out, a property block read as far as the packet goes).
      assert.deepEqual(got, blocks[i], `frame ${f.no} pdu ${i}${r.status === 'ok' ? '' : ` (${r.reason})`}`);
      compared++;
      if (r.status !== 'ok') malformed++;
    });
  }
  assert.ok(compared > 250, `compared ${compared}`);
  assert.ok(malformed > 30, `only ${malformed} malformed PDUs compared`);
});

test('bit pictures and byte strings as Wireshark prints them', () => {
  assert.equal(bitPicture(0x32, 0xf0), '0011 ....');
  assert.equal(bitPicture(0x32, 0x06), '.... .01.');
  assert.equal(bitPicture(0xee, 0x18), '...0 1...');
  assert.equal(formatBytes(new Uint8Array(0)), '<MISSING>');
  assert.equal(formatBytes(new Uint8Array(37)), '00'.repeat(36) + '\u2026');
});
