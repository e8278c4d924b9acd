// The people's packet list: Wireshark's columns aligned, numbers right-aligned, one header,
// widths that grow with the data, and a plain note when nothing is MQTT.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketListTable } from '../../src/render/packet-list.js';
import type { PacketRow } from '../../src/pipeline/rows.js';

function row(no: number, info: string, src = '10.0.0.1'): PacketRow {
  return { no, time: '0.000100', src, dst: '10.0.0.2', srcPort: 50000, dstPort: 1883, protocol: 'MQTT', length: 70, info, messages: [] };
}

function render(rows: PacketRow[], pageSize = 1000): string[] {
  let text = '';
  const table = new PacketListTable({ write: (s) => (text += s) }, false, pageSize);
  for (const r of rows) table.row(r);
  table.end();
  return text.trimEnd().split('\n');
}

test('columns line up under a single header, numbers right-aligned, Info last', () => {
  const lines = render([row(4, 'Connect Command'), row(1234, 'Publish Message [a/b]', '2001:db8::1')]);
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^ *No\. +Time +Source +Destination +Protocol +Length +Info$/);
  assert.match(lines[1]!, /^ {3}4  0\.000100  10\.0\.0\.1 +10\.0\.0\.2 +MQTT +70  Connect Command$/);
  assert.match(lines[2]!, /^1234  0\.000100  2001:db8::1  10\.0\.0\.2 +MQTT +70  Publish Message \[a\/b\]$/);
  // Every column starts at the same offset on every line.
  const at = (line: string, text: string) => line.indexOf(text);
  assert.equal(at(lines[1]!, 'MQTT'), at(lines[2]!, 'MQTT'));
  assert.equal(at(lines[1]!, 'Connect'), at(lines[2]!, 'Publish'));
  assert.equal(at(lines[0]!, 'Info'), at(lines[1]!, 'Connect'));
});

test('pages keep memory bounded and print the header once', () => {
  const rows = Array.from({ length: 25 }, (_, i) => row(i + 1, `Ping Request`));
  const lines = render(rows, 10);
  assert.equal(lines.length, 26);
  assert.equal(lines.filter((l) => l.includes('Protocol')).length, 1);
});

test('a capture without MQTT says so under the header', () => {
  const lines = render([]);
  assert.deepEqual(lines.slice(1), ['(no MQTT packets)']);
});
