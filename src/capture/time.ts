// Time formatting as tshark's packet list shows it.

export interface Timestamp {
  tsSec: number;
  tsNsec: number;
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/**
 * `frame`'s time relative to `first` (Wireshark's frame.time_relative), printed with
 * frame.tsDigits fraction digits. Like tshark, the fraction is truncated, not rounded, and a
 * frame earlier than the first prints with a minus sign ("-0.100000") unless
 * the truncated value is zero. Exact integer arithmetic.
 */
export function formatRelativeTime(frame: Timestamp & { tsDigits: number }, first: Timestamp): string {
  let sec = frame.tsSec - first.tsSec;
  let ns = frame.tsNsec - first.tsNsec;
  // Bring both parts to the same sign so the magnitude is |sec|.|ns|.
  if (sec > 0 && ns < 0) {
    sec -= 1;
    ns += 1_000_000_000;
  } else if (sec < 0 && ns > 0) {
    sec += 1;
    ns -= 1_000_000_000;
  }
  const text = formatSeconds(Math.abs(sec), Math.abs(ns), frame.tsDigits);
  // A negative delta that truncates to zero prints unsigned, as tshark does ("0.000", not "-0.000").
  return (sec < 0 || ns < 0) && /[1-9]/.test(text) ? `-${text}` : text;
}

/** Absolute time (seconds since the epoch) with `digits` fraction digits, truncated like tshark. */
export function formatEpochTime(t: Timestamp, digits: number): string {
  return formatSeconds(t.tsSec, t.tsNsec, digits);
}

function formatSeconds(sec: number, ns: number, digits: number): string {
  const d = digits < 0 ? 0 : digits > 9 ? 9 : digits;
  if (d === 0) return String(sec);
  const frac = Math.floor(ns / POW10[9 - d]!);
  return `${sec}.${String(frac).padStart(d, '0')}`;
}
