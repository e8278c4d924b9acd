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

/** '000' .. '999': fraction digits three at a time, without building and padding a number string. */
const DIGITS3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

// Consecutive frames share their whole seconds: "<sec>." is built once per second, not per row.
let prefixSec = -1;
let prefixText = '';

function formatSeconds(sec: number, ns: number, digits: number): string {
  const d = digits < 0 ? 0 : digits > 9 ? 9 : digits;
  if (d === 0) return String(sec);
  const frac = Math.floor(ns / POW10[9 - d]!);
  if (sec !== prefixSec) {
    prefixSec = sec;
    prefixText = `${sec}.`;
  }
  switch (d) {
    case 6: return prefixText + DIGITS3[(frac / 1000) | 0]! + DIGITS3[frac % 1000]!;
    case 9: return prefixText + DIGITS3[(frac / 1_000_000) | 0]! + DIGITS3[((frac / 1000) | 0) % 1000]! + DIGITS3[frac % 1000]!;
    case 3: return prefixText + DIGITS3[frac]!;
    default: return prefixText + String(frac).padStart(d, '0');
  }
}
