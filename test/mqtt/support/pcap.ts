// Minimal classic-pcap writer (LINKTYPE_ETHERNET, microsecond timestamps) for building test
// captures of TCP conversations. Checksums are left 0: tshark does not verify them by default.

import { bytes, u16, u32 } from './bytes.js';

export interface TcpSegment {
  /** Conversation index: client 10.0.<conv>.2:<40000+conv> ↔ server 10.0.0.1:1883. */
  conv: number;
  dir: 'c2s' | 's2c';
  payload: Uint8Array;
}

function le32(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}

export function buildPcap(segments: TcpSegment[]): Uint8Array {
  const seq = new Map<string, number>();
  const parts: Uint8Array[] = [bytes(le32(0xa1b2c3d4), [2, 0, 4, 0], le32(0), le32(0), le32(65535), le32(1))];
  segments.forEach((s, i) => {
    const cAddr = [10, 0, s.conv & 0xff, 2];
    const sAddr = [10, 0, 0, 1];
    const cPort = 40000 + s.conv;
    const c2s = s.dir === 'c2s';
    const key = `${s.conv}/${s.dir}`;
    const rkey = `${s.conv}/${c2s ? 's2c' : 'c2s'}`;
    const mySeq = seq.get(key) ?? 1000;
    const ack = seq.get(rkey) ?? 1000;
    seq.set(key, mySeq + s.payload.length);
    const tcp = bytes(u16(c2s ? cPort : 1883), u16(c2s ? 1883 : cPort), u32(mySeq), u32(ack), [0x50, 0x18], u16(65535), [0, 0, 0, 0]);
    const ipLen = 20 + tcp.length + s.payload.length;
    const ip = bytes([0x45, 0], u16(ipLen), u16(i & 0xffff), [0x40, 0, 64, 6, 0, 0], c2s ? cAddr : sAddr, c2s ? sAddr : cAddr);
    const eth = bytes([0, 0, 0, 0, 0, 2], [0, 0, 0, 0, 0, 1], [0x08, 0x00]);
    const frame = bytes(eth, ip, tcp, s.payload);
    parts.push(bytes(le32(1_700_000_000 + i), le32(0), le32(frame.length), le32(frame.length), frame));
  });
  return bytes(...parts);
}
