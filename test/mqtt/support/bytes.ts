// Builders for MQTT packets in tests, written from the spec's field layouts (MQTT 3.1.1 ch. 2-3,
// 5.0 ch. 1-3). Each helper returns the exact wire bytes of one field.

export type Part = Uint8Array | number[] | string;

export function bytes(...parts: Part[]): Uint8Array {
  const arrs = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrs) { out.set(a, o); o += a.length; }
  return out;
}

export const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
export const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

/** Variable Byte Integer (5.0 §1.5.5, 3.1.1 §2.2.3). */
export function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** UTF-8 string with its 2-byte length prefix (§1.5.3 / §1.5.4). Raw bytes allowed for bad UTF-8. */
export function str(s: string | Uint8Array | number[]): Uint8Array {
  const b = typeof s === 'string' ? new TextEncoder().encode(s) : Uint8Array.from(s);
  return bytes(u16(b.length), b);
}

/** A whole control packet: first byte, Remaining Length, then the body. */
export function pkt(first: number, ...body: Part[]): Uint8Array {
  const b = bytes(...body);
  return bytes([first], varint(b.length), b);
}

/** A v5 property block: length varint + the properties. */
export function props(...ps: Part[]): Uint8Array {
  const b = bytes(...ps);
  return bytes(varint(b.length), b);
}

export function hex(h: string): Uint8Array {
  const clean = h.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
