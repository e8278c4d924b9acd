import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkDecoder } from '../../src/link/decode.js';
import { TcpSegment, TcpFlag, type LinkOutcome } from '../../src/link/types.js';
import {
  AF, ETHERTYPE, ethernet, ethernetIPv4Tcp, ethernetIPv6Tcp, ipv4Tcp, ipv6Tcp, nullLoopback,
  parseIPv4, parseIPv6, sll, sll2, type TcpSpec,
} from '../support/pcap-writer.js';
import { bytes, cut, ext8, ah, frameOf, ipv4WithOptions, ipv6WithExt } from './helpers.js';

const V4: TcpSpec = { src: '192.168.1.10', dst: '10.0.0.1', sport: 51000, dport: 1883, seq: 0xfffffff0, ack: 77, flags: 'PA', payload: 'hello mqtt', window: 4321 };
const V6: TcpSpec = { src: '2001:db8::10', dst: 'fe80::1', sport: 40000, dport: 1883, seq: 5, ack: 6, flags: 'A', payload: 'v6 payload' };

function run(data: Uint8Array, linkType: number, dec = new NetworkDecoder()): { r: LinkOutcome; seg: TcpSegment } {
  const seg = new TcpSegment();
  const r = dec.decode(frameOf(data, linkType), seg);
  return { r, seg };
}

function assertSeg(seg: TcpSegment, spec: TcpSpec, v: 4 | 6): void {
  assert.equal(seg.ipVersion, v);
  const src = v === 4 ? parseIPv4(spec.src) : parseIPv6(spec.src);
  const dst = v === 4 ? parseIPv4(spec.dst) : parseIPv6(spec.dst);
  assert.deepEqual(Buffer.from(seg.src.subarray(0, seg.addrLen)), src);
  assert.deepEqual(Buffer.from(seg.dst.subarray(0, seg.addrLen)), dst);
  assert.equal(seg.srcPort, spec.sport);
  assert.equal(seg.dstPort, spec.dport);
  assert.equal(seg.seq, spec.seq ?? 0);
  assert.equal(seg.ack, spec.ack ?? 0);
  assert.deepEqual(Buffer.from(seg.payload()), Buffer.from(spec.payload as string, 'latin1'));
  assert.equal(seg.missing, 0);
}

test('Ethernet IPv4 TCP: every field', () => {
  const { r, seg } = run(ethernetIPv4Tcp(V4), 1);
  assert.equal(r, 'tcp');
  assertSeg(seg, V4, 4);
  assert.equal(seg.flags, TcpFlag.PSH | TcpFlag.ACK);
  assert.equal(seg.window, 4321);
});

test('Ethernet IPv6 TCP', () => {
  const { r, seg } = run(ethernetIPv6Tcp(V6), 1);
  assert.equal(r, 'tcp');
  assertSeg(seg, V6, 6);
});

test('Ethernet 802.1Q tag', () => {
  const { r, seg } = run(ethernetIPv4Tcp({ ...V4, vlan: 42 }), 1);
  assert.equal(r, 'tcp');
  assertSeg(seg, V4, 4);
});

test('Ethernet 802.1ad + 802.1Q (QinQ) and a triple stack', () => {
  const ip = ipv4Tcp(V4);
  const qinq = Buffer.concat([Buffer.alloc(12, 2), Buffer.from([0x88, 0xa8, 0, 100, 0x81, 0x00, 0, 200, 0x08, 0x00]), ip]);
  assert.equal(run(qinq, 1).r, 'tcp');
  assertSeg(run(qinq, 1).seg, V4, 4);
  const triple = Buffer.concat([Buffer.alloc(12, 2), Buffer.from([0x91, 0x00, 0, 1, 0x88, 0xa8, 0, 100, 0x81, 0x00, 0, 200, 0x86, 0xdd]), ipv6Tcp(V6)]);
  assertSeg(run(triple, 1).seg, V6, 6);
  // A tag cut short by the capture.
  assert.equal(run(qinq.subarray(0, 16), 1).r, 'truncated');
});

test('Ethernet padding is trimmed by the IPv4 total length', () => {
  const spec = { ...V4, payload: 'ab' };
  const padded = Buffer.concat([ethernetIPv4Tcp(spec), Buffer.from([0xde, 0xad, 0xbe, 0xef])]);
  const { r, seg } = run(padded, 1);
  assert.equal(r, 'tcp');
  assert.deepEqual(Buffer.from(seg.payload()), bytes('ab'));
  const empty = Buffer.concat([ethernetIPv4Tcp({ ...V4, payload: undefined, flags: 'A' }), Buffer.alloc(6)]);
  assert.equal(empty.length, 60);
  assert.equal(run(empty, 1).seg.len, 0);
});

test('IPv4 total length 0 (TSO/GRO capture) uses the captured length', () => {
  const ip = ipv4Tcp(V4);
  ip.writeUInt16BE(0, 2);
  const { r, seg } = run(ethernet(ip, ETHERTYPE.IPV4), 1);
  assert.equal(r, 'tcp');
  assertSeg(seg, V4, 4);
});

test('IPv4 header options are skipped (IHL > 5)', () => {
  // Record Route (7), length 7, pointer 4, one empty slot, then EOL: 8 bytes of options.
  const opts = Uint8Array.from([7, 7, 4, 0, 0, 0, 0, 0]);
  const { r, seg } = run(ipv4WithOptions(V4, opts), 101);
  assert.equal(r, 'tcp');
  assertSeg(seg, V4, 4);
});

test('Linux cooked SLL (113) and SLL2 (276), IPv4 and IPv6', () => {
  assertSeg(run(sll(ipv4Tcp(V4), ETHERTYPE.IPV4), 113).seg, V4, 4);
  assertSeg(run(sll(ipv6Tcp(V6), ETHERTYPE.IPV6, 4), 113).seg, V6, 6);
  assertSeg(run(sll2(ipv4Tcp(V4), ETHERTYPE.IPV4), 276).seg, V4, 4);
  assertSeg(run(sll2(ipv6Tcp(V6), ETHERTYPE.IPV6), 276).seg, V6, 6);
  assert.equal(run(sll(ipv4Tcp(V4), 0x0806), 113).r, 'not-ip');
  assert.equal(run(sll2(ipv4Tcp(V4), 0x0004), 276).r, 'not-ip');
  assert.equal(run(sll2(ipv4Tcp(V4), ETHERTYPE.IPV4).subarray(0, 19), 276).r, 'truncated');
});

test('BSD NULL loopback (0) in both byte orders, every AF_INET6 value', () => {
  for (const be of [false, true]) {
    assertSeg(run(nullLoopback(ipv4Tcp(V4), AF.INET, be), 0).seg, V4, 4);
    for (const af of [AF.INET6_BSD, AF.INET6_FREEBSD, AF.INET6_DARWIN]) {
      const { r, seg } = run(nullLoopback(ipv6Tcp(V6), af, be), 0);
      assert.equal(r, 'tcp', `AF ${af} ${be ? 'BE' : 'LE'}`);
      assertSeg(seg, V6, 6);
    }
    assert.equal(run(nullLoopback(ipv4Tcp(V4), 7, be), 0).r, 'not-ip');
  }
});

test('LINKTYPE_LOOP (108) is always network byte order', () => {
  assertSeg(run(nullLoopback(ipv4Tcp(V4), AF.INET, true), 108).seg, V4, 4);
  assertSeg(run(nullLoopback(ipv6Tcp(V6), AF.INET6_DARWIN, true), 108).seg, V6, 6);
  // Little-endian family 2 read big-endian is 0x02000000: not a known family.
  assert.equal(run(nullLoopback(ipv4Tcp(V4), AF.INET, false), 108).r, 'not-ip');
});

test('raw IP link types 101, 12, 14 (version nibble) and 228/229', () => {
  for (const lt of [101, 12, 14]) {
    assertSeg(run(ipv4Tcp(V4), lt).seg, V4, 4);
    assertSeg(run(ipv6Tcp(V6), lt).seg, V6, 6);
  }
  assertSeg(run(ipv4Tcp(V4), 228).seg, V4, 4);
  assertSeg(run(ipv6Tcp(V6), 229).seg, V6, 6);
  // 228 promises IPv4: an IPv6 packet there has a bad version.
  assert.equal(run(ipv6Tcp(V6), 228).r, 'bad-header');
  assert.equal(run(Buffer.from([0x50, 1, 2, 3]), 101).r, 'not-ip');
});

test('unknown link type: warned once, every frame counted', () => {
  const warnings: string[] = [];
  // The warning callback alone is accepted in place of the options object.
  const dec = new NetworkDecoder((code, _m, no) => warnings.push(`${code}@${no}`));
  const seg = new TcpSegment();
  assert.equal(dec.decode(frameOf(ipv4Tcp(V4), 147, 1), seg), 'unknown-linktype');
  assert.equal(dec.decode(frameOf(ipv4Tcp(V4), 147, 2), seg), 'unknown-linktype');
  assert.equal(dec.decode(frameOf(ipv4Tcp(V4), 148, 3), seg), 'unknown-linktype');
  assert.deepEqual(warnings, ['unknown-linktype@1', 'unknown-linktype@3']);
  assert.equal(dec.counts.unknownLinktype, 3);
});

test('not IP, not TCP', () => {
  assert.equal(run(ethernet(Buffer.alloc(28), 0x0806), 1).r, 'not-ip');
  // 802.3 length field (<= 1500) instead of an EtherType.
  assert.equal(run(ethernet(Buffer.alloc(46), 46), 1).r, 'not-ip');
  const udp = ipv4Tcp(V4);
  udp[9] = 17;
  assert.equal(run(udp, 101).r, 'not-tcp');
  const v6udp = ipv6Tcp(V6);
  v6udp[6] = 17;
  assert.equal(run(v6udp, 101).r, 'not-tcp');
  const noNext = ipv6Tcp(V6);
  noNext[6] = 59;
  assert.equal(run(noNext, 101).r, 'not-tcp');
});

test('bad headers', () => {
  const badIhl = ipv4Tcp(V4);
  badIhl[0] = 0x44;
  assert.equal(run(badIhl, 101).r, 'bad-header');
  const badTotal = ipv4Tcp(V4);
  badTotal.writeUInt16BE(10, 2);
  assert.equal(run(badTotal, 101).r, 'bad-header');
  const badOff = ipv4Tcp(V4);
  badOff[20 + 12] = 0x40; // data offset 4 words
  assert.equal(run(badOff, 101).r, 'bad-header');
  const badOff2 = ipv4Tcp({ ...V4, payload: undefined, flags: 'A' });
  badOff2[20 + 12] = 0xf0; // 60-byte header in a 20-byte segment, nothing cut: impossible
  assert.equal(run(badOff2, 101).r, 'bad-header');
});

test('frames cut by the snaplen: headers missing → truncated; payload cut → tcp with missing bytes', () => {
  const full = ethernetIPv4Tcp(V4); // 14 + 20 + 20 + 10
  const seg = new TcpSegment();
  const dec = new NetworkDecoder();
  assert.equal(dec.decode(cut(full, 1, 10), seg), 'truncated');
  assert.equal(dec.decode(cut(full, 1, 30), seg), 'truncated');
  assert.equal(dec.decode(cut(full, 1, 50), seg), 'truncated');
  assert.equal(dec.decode(cut(full, 1, 58), seg), 'tcp');
  assert.deepEqual(Buffer.from(seg.payload()), bytes('hell'));
  assert.equal(seg.missing, 6);
  const v6 = ethernetIPv6Tcp(V6); // 14 + 40 + 20 + 10
  assert.equal(dec.decode(cut(v6, 1, 77), seg), 'tcp');
  assert.equal(seg.len, 3);
  assert.equal(seg.missing, 7);
  assert.equal(dec.counts.truncated, 3);
  assert.equal(dec.counts.tcp, 2);
});

test('IPv6 extension headers: hop-by-hop, routing, destination options, AH before TCP', () => {
  const pkt = ipv6WithExt(V6, 0, [ext8(43, 8), ext8(60, 24), ext8(51, 16), ah(6, 24)]);
  const { r, seg } = run(pkt, 229);
  assert.equal(r, 'tcp');
  assertSeg(seg, V6, 6);
  // The chain running past the packet's end.
  const broken = ipv6WithExt(V6, 0, [ext8(6, 8)]);
  broken[41] = 200; // Hdr Ext Len 200 → 1608 bytes
  assert.equal(run(broken, 229).r, 'bad-header');
  assert.equal(run(ipv6WithExt(V6, 0, [ext8(17, 8)]), 229).r, 'not-tcp');
});

test('the segment records the frame it came from', () => {
  const dec = new NetworkDecoder();
  const seg = new TcpSegment();
  const f = frameOf(ethernetIPv4Tcp(V4), 1, 99);
  dec.decode(f, seg);
  assert.equal(seg.frame, f);
});
