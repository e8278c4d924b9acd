import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NetworkDecoder } from '../../src/link/decode.js';
import { LINK_OUTCOMES, TcpSegment } from '../../src/link/types.js';
import { ethernetIPv4Tcp, ethernetIPv6Tcp } from '../support/pcap-writer.js';
import { ipv4Fragments, ipv6Fragments } from './helpers.js';

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9999];

test('fuzz: random bytes under every link type never throw and give a known outcome', () => {
  const dec = new NetworkDecoder({ fragments: { maxDatagrams: 4, timeoutFrames: 50 } });
  const seg = new TcpSegment();
  let no = 0;
  fc.assert(fc.property(
    fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 100 }),
    (lt, data, extra) => {
      const r = dec.decode({ no: ++no, tsSec: 0, tsNsec: 0, tsDigits: 6, linkType: lt, interfaceId: 0, caplen: data.length, origLen: data.length + extra, buf: data, off: 0 }, seg);
      assert.ok(LINK_OUTCOMES.includes(r));
      if (r === 'tcp') assert.ok(seg.off + seg.len <= seg.buf.length && seg.len >= 0 && seg.missing >= 0);
    },
  ), { numRuns: 20_000 });
  assert.ok(dec.pendingFragments <= 4);
});

test('fuzz: real packets with random bytes flipped or cut never throw', () => {
  const spec = { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 1883, payload: 'x'.repeat(64) };
  const spec6 = { src: '::1', dst: '::2', sport: 1, dport: 1883, payload: 'x'.repeat(64) };
  const base = [ethernetIPv4Tcp(spec), ethernetIPv6Tcp(spec6),
    ...ipv4Fragments(Buffer.from(ethernetIPv4Tcp(spec).subarray(14)), [16, 48]),
    ...ipv6Fragments(Buffer.from(ethernetIPv6Tcp(spec6).subarray(14)), [16, 48])];
  const dec = new NetworkDecoder();
  const seg = new TcpSegment();
  let no = 0;
  fc.assert(fc.property(
    fc.nat({ max: base.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 6 }), fc.nat(),
    (which, flips, cutAt) => {
      const pkt = Buffer.from(base[which]!);
      for (const [at, v] of flips) pkt[at % pkt.length] = v;
      const caplen = cutAt % (pkt.length + 1);
      const lt = which < 2 ? 1 : 101;
      const r = dec.decode({ no: ++no, tsSec: 0, tsNsec: 0, tsDigits: 6, linkType: lt, interfaceId: 0, caplen, origLen: pkt.length, buf: pkt, off: 0 }, seg);
      assert.ok(LINK_OUTCOMES.includes(r));
    },
  ), { numRuns: 20_000 });
});
