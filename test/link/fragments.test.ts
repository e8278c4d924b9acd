import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkDecoder } from '../../src/link/decode.js';
import { TcpSegment, type LinkOutcome } from '../../src/link/types.js';
import { ethernet, ETHERTYPE, ipv4Tcp, ipv6Tcp, type TcpSpec } from '../support/pcap-writer.js';
import { frameOf, ipv4Fragment, ipv4Fragments, ipv6Fragments } from './helpers.js';

// 20 bytes of TCP header + 100 bytes of payload = a 120-byte IP payload to fragment.
const PAYLOAD = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 7 + 3) & 0xff));
const SPEC: TcpSpec = { src: '10.1.1.1', dst: '10.2.2.2', sport: 1234, dport: 1883, seq: 1000, ack: 1, payload: PAYLOAD };
const SPEC6: TcpSpec = { src: '2001:db8::1', dst: '2001:db8::2', sport: 1234, dport: 1883, seq: 1000, ack: 1, payload: PAYLOAD };

/** Feeds `pkts` as frames 1..n (raw IP link type) and returns the outcome per frame plus the
 *  payload and frame number of the TCP segment, if one came out. */
function feed(pkts: Uint8Array[], dec = new NetworkDecoder(), linkType = 101): { outcomes: LinkOutcome[]; payload?: Buffer; frame?: number; seg: TcpSegment } {
  const seg = new TcpSegment();
  const outcomes: LinkOutcome[] = [];
  let payload: Buffer | undefined;
  let frame: number | undefined;
  pkts.forEach((p, i) => {
    const r = dec.decode(frameOf(p, linkType, i + 1), seg);
    outcomes.push(r);
    if (r === 'tcp') {
      payload = Buffer.from(seg.payload());
      frame = seg.frame!.no;
    }
  });
  return { outcomes, payload, frame, seg };
}

test('IPv4 fragments in order: the TCP segment comes out on the completing frame', () => {
  const frags = ipv4Fragments(ipv4Tcp(SPEC), [40, 80]);
  const { outcomes, payload, frame, seg } = feed(frags);
  assert.deepEqual(outcomes, ['fragment', 'fragment', 'tcp']);
  assert.deepEqual(payload, PAYLOAD);
  assert.equal(frame, 3);
  assert.equal(seg.seq, 1000);
  assert.equal(seg.dstPort, 1883);
  assert.equal(seg.reassembled, true);
});

test('IPv4 fragments in every order give the same datagram', () => {
  const frags = ipv4Fragments(ipv4Tcp(SPEC), [24, 64, 96]);
  const perms = permutations([0, 1, 2, 3]);
  for (const order of perms) {
    const { outcomes, payload, frame } = feed(order.map((i) => frags[i]!));
    assert.deepEqual(outcomes, ['fragment', 'fragment', 'fragment', 'tcp'], `order ${order}`);
    assert.deepEqual(payload, PAYLOAD, `order ${order}`);
    assert.equal(frame, 4);
  }
});

test('IPv4 overlapping fragments: the first copy of each byte wins', () => {
  const pkt = ipv4Tcp(SPEC);
  const hdr = pkt.subarray(0, 20);
  const ipPayload = pkt.subarray(20);
  // Fragment A: bytes 0..64; fragment B: a forged copy of bytes 48..120 (its first 16 bytes
  // differ from the real ones and overlap A); A arrives first, so the real bytes stay.
  const forged = Buffer.from(ipPayload.subarray(48));
  forged.fill(0xee, 0, 16);
  const a = ipv4Fragment(hdr, ipPayload.subarray(0, 64), 0, true);
  const b = ipv4Fragment(hdr, forged, 48, false);
  const { outcomes, payload } = feed([a, b]);
  assert.deepEqual(outcomes, ['fragment', 'tcp']);
  assert.deepEqual(payload, PAYLOAD);
  // Reversed arrival: now the forged bytes came first and win for 48..64 (TCP payload 28..44).
  const rev = feed([b, a]);
  const expected = Buffer.from(PAYLOAD);
  expected.fill(0xee, 28, 44);
  assert.deepEqual(rev.payload, expected);
});

test('IPv4 duplicate fragment and a fragment contained in another', () => {
  const frags = ipv4Fragments(ipv4Tcp(SPEC), [40, 80]);
  const inner = ipv4Fragment(ipv4Tcp(SPEC).subarray(0, 20), ipv4Tcp(SPEC).subarray(20 + 48, 20 + 56), 48, true);
  const { outcomes, payload } = feed([frags[0]!, frags[0]!, inner, frags[2]!, frags[1]!]);
  assert.deepEqual(outcomes, ['fragment', 'fragment', 'fragment', 'fragment', 'tcp']);
  assert.deepEqual(payload, PAYLOAD);
});

test('IPv4 missing fragment: never emitted, and the datagram times out', () => {
  const frags = ipv4Fragments(ipv4Tcp(SPEC), [40, 80]);
  const dec = new NetworkDecoder({ fragments: { maxDatagrams: 8, timeoutFrames: 5 } });
  const { outcomes } = feed([frags[0]!, frags[2]!], dec);
  assert.deepEqual(outcomes, ['fragment', 'fragment']);
  assert.equal(dec.pendingFragments, 1);
  // Many frames later the middle fragment arrives: the rest expired, so it cannot complete.
  const seg = new TcpSegment();
  assert.equal(dec.decode(frameOf(frags[1]!, 101, 100), seg), 'fragment');
  assert.equal(dec.pendingFragments, 1);
});

test('fragment table bound: the oldest datagram is dropped with a warning', () => {
  const warned: string[] = [];
  const dec = new NetworkDecoder({ fragments: { maxDatagrams: 2, timeoutFrames: 1000 }, warn: (c) => warned.push(c) });
  const seg = new TcpSegment();
  for (let id = 1; id <= 3; id++) {
    const f = ipv4Fragments(ipv4Tcp(SPEC), [40], id);
    assert.equal(dec.decode(frameOf(f[0]!, 101, id), seg), 'fragment');
  }
  assert.equal(dec.pendingFragments, 2);
  assert.deepEqual(warned, ['fragment-table-full']);
  // Datagram 1 was dropped: its last fragment alone does not complete it; datagram 3 completes.
  assert.equal(dec.decode(frameOf(ipv4Fragments(ipv4Tcp(SPEC), [40], 1)[1]!, 101, 4), seg), 'fragment');
  assert.equal(dec.decode(frameOf(ipv4Fragments(ipv4Tcp(SPEC), [40], 3)[1]!, 101, 5), seg), 'tcp');
});

test('IPv4 fragments with different ids or addresses are not mixed', () => {
  const a = ipv4Fragments(ipv4Tcp(SPEC), [40], 7);
  const b = ipv4Fragments(ipv4Tcp({ ...SPEC, src: '10.9.9.9' }), [40], 7);
  const { outcomes, payload } = feed([a[0]!, b[1]!, b[0]!, a[1]!]);
  assert.deepEqual(outcomes, ['fragment', 'fragment', 'tcp', 'tcp']);
  assert.deepEqual(payload, PAYLOAD);
});

test('IPv4 fragments past 65535 bytes are dropped (ping of death)', () => {
  const hdr = ipv4Tcp(SPEC).subarray(0, 20);
  const f = ipv4Fragment(hdr, Buffer.alloc(64), 65528, false);
  assert.deepEqual(feed([f]).outcomes, ['fragment-dropped']);
});

test('IPv4 fragments over Ethernet with padding on the short last fragment', () => {
  const frags = ipv4Fragments(ipv4Tcp(SPEC), [112]); // last fragment: 8 bytes
  const eth = frags.map((f) => {
    const e = ethernet(f, ETHERTYPE.IPV4);
    return e.length < 60 ? Buffer.concat([e, Buffer.alloc(60 - e.length, 0x55)]) : e;
  });
  const { outcomes, payload } = feed(eth, new NetworkDecoder(), 1);
  assert.deepEqual(outcomes, ['fragment', 'tcp']);
  assert.deepEqual(payload, PAYLOAD);
});

test('IPv6 fragments: in order, reversed, and missing one', () => {
  const frags = ipv6Fragments(ipv6Tcp(SPEC6), [48, 96]);
  const inOrder = feed(frags);
  assert.deepEqual(inOrder.outcomes, ['fragment', 'fragment', 'tcp']);
  assert.deepEqual(inOrder.payload, PAYLOAD);
  assert.equal(inOrder.seg.ipVersion, 6);
  assert.equal(inOrder.seg.srcPort, 1234);
  const rev = feed([...frags].reverse());
  assert.deepEqual(rev.outcomes, ['fragment', 'fragment', 'tcp']);
  assert.deepEqual(rev.payload, PAYLOAD);
  assert.deepEqual(feed([frags[0]!, frags[2]!]).outcomes, ['fragment', 'fragment']);
});

test('IPv6 atomic fragment (offset 0, M = 0) is a whole packet', () => {
  const [only] = ipv6Fragments(ipv6Tcp(SPEC6), []);
  const { outcomes, payload } = feed([only!]);
  assert.deepEqual(outcomes, ['tcp']);
  assert.deepEqual(payload, PAYLOAD);
});

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
