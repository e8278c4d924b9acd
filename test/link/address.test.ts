import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAddress } from '../../src/link/address.js';
import { parseIPv4, parseIPv6 } from '../support/pcap-writer.js';

test('IPv4 dotted quad', () => {
  assert.equal(formatAddress(parseIPv4('192.168.0.255')), '192.168.0.255');
  assert.equal(formatAddress(parseIPv4('0.0.0.0')), '0.0.0.0');
  // Only the first `len` bytes of a reusable 16-byte buffer count.
  const buf = new Uint8Array(16).fill(9);
  buf.set([10, 0, 0, 1]);
  assert.equal(formatAddress(buf, 4), '10.0.0.1');
});

// Input → what tshark 4.0.17 prints for ipv6.src (`tshark -T fields -e ipv6.src` on packets built
// with these source addresses); the first ones are also RFC 5952's own examples.
const TSHARK_IPV6: [string, string][] = [
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ['ABCD:EF01:0:0:0:0:0:1', 'abcd:ef01::1'],
  ['::', '::'],
  ['::1', '::1'],
  ['1::', '1::'],
  ['fe80::1:0:0:0', 'fe80::1:0:0:0'],
  ['0:0:1::', '0:0:1::'],
  ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
  ['::1.2.3.4', '::1.2.3.4'],
  ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
  ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
];

test('IPv6 as RFC 5952 and Wireshark print it', () => {
  for (const [input, shown] of TSHARK_IPV6) {
    assert.equal(formatAddress(parseIPv6(input)), shown, input);
  }
});
