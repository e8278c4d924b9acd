// Printable addresses as Wireshark shows them. Called once per connection, not per frame.

/** Dotted-quad IPv4 for 4 bytes; RFC 5952 text for 16 bytes (`len` picks how many of `bytes`). */
export function formatAddress(bytes: Uint8Array, len: number = bytes.length): string {
  if (len === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (len === 16) return formatIPv6(bytes);
  // Not an IP address length: hex bytes, so the value still shows.
  return Array.from(bytes.subarray(0, len), (b) => b.toString(16).padStart(2, '0')).join(':');
}

function formatIPv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // RFC 5952 §4.2: compress the longest run of zero groups (at least 2), the first one on ties.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  // RFC 5952 §5 / RFC 4291 §2.5.5: IPv4-mapped (::ffff:a.b.c.d) and the deprecated
  // IPv4-compatible form (::a.b.c.d) end in dotted decimal, as Wireshark (and inet_ntop) print.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  // RFC 5952 §4.3: lowercase hex, no leading zeros.
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}
