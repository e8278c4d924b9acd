// The test writer is used by every layer's tests, so check it against tshark: what we build must
// be what tshark decodes (link layers, addresses, ports, flags, checksums, timestamps).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as W from '../support/pcap-writer.js';

const haveTshark = spawnSync('tshark', ['--version']).status === 0;

const v4 = { src: '192.0.2.10', dst: '198.51.100.7', sport: 50123, dport: 1883, seq: 4_000_000_000, ack: 17, payload: Buffer.from([0xc0, 0x00]) };
const v6 = { ...v4, src: '2001:db8::a', dst: 'fe80::1:2' };

const cases: { name: string; linkType: number; data: Buffer; ip: string; vlan?: string }[] = [
  { name: 'ethernet v4', linkType: W.LINKTYPE.ETHERNET, data: W.ethernetIPv4Tcp(v4), ip: v4.src },
  { name: 'ethernet vlan v4', linkType: W.LINKTYPE.ETHERNET, data: W.ethernetIPv4Tcp({ ...v4, vlan: 42 }), ip: v4.src, vlan: '42' },
  { name: 'ethernet v6', linkType: W.LINKTYPE.ETHERNET, data: W.ethernetIPv6Tcp(v6), ip: v6.src },
  { name: 'raw v4', linkType: W.LINKTYPE.RAW, data: W.rawIPv4Tcp(v4), ip: v4.src },
  { name: 'raw v6', linkType: W.LINKTYPE.RAW, data: W.rawIPv6Tcp(v6), ip: v6.src },
  { name: 'ipv4 linktype', linkType: W.LINKTYPE.IPV4, data: W.rawIPv4Tcp(v4), ip: v4.src },
  { name: 'sll v4', linkType: W.LINKTYPE.LINUX_SLL, data: W.sllIPv4Tcp(v4), ip: v4.src },
  { name: 'sll v6', linkType: W.LINKTYPE.LINUX_SLL, data: W.sllIPv6Tcp(v6), ip: v6.src },
  { name: 'sll2 v4', linkType: W.LINKTYPE.LINUX_SLL2, data: W.sll2IPv4Tcp(v4), ip: v4.src },
  { name: 'sll2 v6', linkType: W.LINKTYPE.LINUX_SLL2, data: W.sll2IPv6Tcp(v6), ip: v6.src },
  { name: 'null v4', linkType: W.LINKTYPE.NULL, data: W.nullIPv4Tcp(v4), ip: v4.src },
  { name: 'null v6', linkType: W.LINKTYPE.NULL, data: W.nullIPv6Tcp(v6), ip: v6.src },
];

test('parseIPv6 and the internet checksum (RFC 1071 example)', () => {
  assert.equal(W.parseIPv6('2001:db8::1').toString('hex'), '20010db8000000000000000000000001');
  assert.equal(W.parseIPv6('::ffff:192.0.2.1').toString('hex'), '00000000000000000000ffffc0000201');
  assert.equal(W.parseIPv6('::').toString('hex'), '0'.repeat(32));
  // RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2, so the checksum is its complement 220d.
  assert.equal(W.internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7)), 0x220d);
  assert.equal(W.tcpFlags('SA', false), 0x12);
});

test('tshark decodes every packet builder over pcapng interfaces, with valid checksums', (t) => {
  if (!haveTshark) return t.skip('tshark is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'writer-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'all.pcapng');
  writeFileSync(
    file,
    W.writePcapng({
      bigEndian: true,
      interfaces: cases.map((c) => ({ linkType: c.linkType, tsresol: 9 })),
      blocks: cases.map((c, i) => ({ type: 'epb' as const, interfaceId: i, tsSec: 1_700_000_000 + i, tsNsec: 7, data: c.data })),
    }),
  );
  const fields = ['frame.interface_id', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw',
    'tcp.flags', 'ip.checksum.status', 'tcp.checksum.status', 'mqtt.msgtype', 'vlan.id'];
  const r = spawnSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.analyze_sequence_numbers:FALSE',
    '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  assert.equal(rows.length, cases.length);
  rows.forEach((row, i) => {
    const c = cases[i]!;
    const [iface, time, ip4, ip6, sport, dport, seq, ack, flags, ipck, tcpck, mqtt, vlan] = row;
    const is4 = !c.ip.includes(':');
    assert.deepEqual(
      { iface, time, ip: is4 ? ip4 : ip6, sport, dport, seq, ack, flags, ipck, tcpck, mqtt, vlan },
      {
        iface: String(i),
        time: `${1_700_000_000 + i}.000000007`,
        ip: c.ip,
        sport: '50123',
        dport: '1883',
        seq: '4000000000',
        ack: '17',
        flags: '0x0018', // PSH+ACK: the default with a payload
        ipck: is4 ? '1' : '', // Wireshark's checksum status: 0 bad, 1 good, 2 unverified
        tcpck: '1',
        mqtt: '12', // PINGREQ
        vlan: c.vlan ?? '',
      },
      c.name,
    );
  });
});

test('tshark reads classic pcap from PcapWriter in all four magics', (t) => {
  if (!haveTshark) return t.skip('tshark is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'writer-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const nanos of [false, true]) {
    for (const bigEndian of [false, true]) {
      const file = join(dir, `x${nanos}${bigEndian}.pcap`);
      writeFileSync(file, W.writePcap([{ tsSec: 1_600_000_000, tsNsec: 123_456_789, data: W.sllIPv4Tcp(v4) }], { nanos, bigEndian, linkType: W.LINKTYPE.LINUX_SLL }));
      const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'tcp.dstport'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), `1600000000.${nanos ? '123456789' : '123456000'}\t1883`);
    }
  }
});
