// NetworkDecoder: Frame -> TcpSegment, dispatching on the frame's link type, then IPv4/IPv6,
// then TCP. One decoder per capture; it owns the IP fragment table and reuses all scratch state.

import type { Frame } from '../capture/types.js';
import { LINKTYPE_ETHERNET, parseEthernet } from './ethernet.js';
import { DEFAULT_FRAGMENT_LIMITS, FragmentTable, type FragmentLimits } from './fragments.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, type L3Start } from './l3.js';
import { LINKTYPE_LOOP, LINKTYPE_NULL, parseLoop, parseNull } from './null.js';
import { DLT_RAW_OLD_12, DLT_RAW_OLD_14, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_RAW, parseRaw } from './raw.js';
import { LINKTYPE_LINUX_SLL, parseSll } from './sll.js';
import { LINKTYPE_LINUX_SLL2, parseSll2 } from './sll2.js';
import type { LinkOutcome, LinkWarning, TcpSegment } from './types.js';

export interface NetworkDecoderOptions {
  warn?: LinkWarning;
  fragments?: FragmentLimits;
}

/** Per-outcome frame counts, kept as plain fields so counting costs no dynamic key lookup. */
export class LinkCounts {
  tcp = 0;
  notIp = 0;
  notTcp = 0;
  unknownLinktype = 0;
  truncated = 0;
  fragment = 0;
  fragmentDropped = 0;
  badHeader = 0;
}

export function isSupportedLinkType(linkType: number): boolean {
  switch (linkType) {
    case LINKTYPE_ETHERNET: case LINKTYPE_LINUX_SLL: case LINKTYPE_LINUX_SLL2:
    case LINKTYPE_NULL: case LINKTYPE_LOOP:
    case LINKTYPE_RAW: case DLT_RAW_OLD_12: case DLT_RAW_OLD_14: case LINKTYPE_IPV4: case LINKTYPE_IPV6:
      return true;
    default:
      return false;
  }
}

export class NetworkDecoder {
  readonly counts = new LinkCounts();
  /** Link types already reported as unknown (each is reported once). */
  readonly unknownLinkTypes = new Set<number>();
  private readonly l3: L3Start = { etherType: 0, off: 0 };
  private readonly frags: FragmentTable;
  private readonly warn: LinkWarning | undefined;

  /** Options, or just the warning callback. */
  constructor(opts: NetworkDecoderOptions | LinkWarning = {}) {
    if (typeof opts === 'function') opts = { warn: opts };
    this.warn = opts.warn;
    this.frags = new FragmentTable(opts.fragments ?? DEFAULT_FRAGMENT_LIMITS);
  }

  /** Datagrams currently held for reassembly (for tests and memory accounting). */
  get pendingFragments(): number {
    return this.frags.size;
  }

  decode(frame: Frame, out: TcpSegment): LinkOutcome {
    const r = this.decodeInner(frame, out);
    this.count(r);
    if (r === 'tcp') out.frame = frame;
    return r;
  }

  private decodeInner(frame: Frame, out: TcpSegment): LinkOutcome {
    const buf = frame.buf;
    const off = frame.off;
    const end = off + frame.caplen;
    const l3 = this.l3;
    let ok: boolean;
    switch (frame.linkType) {
      case LINKTYPE_ETHERNET: ok = parseEthernet(buf, off, end, l3); break;
      case LINKTYPE_LINUX_SLL: ok = parseSll(buf, off, end, l3); break;
      case LINKTYPE_LINUX_SLL2: ok = parseSll2(buf, off, end, l3); break;
      case LINKTYPE_NULL: ok = parseNull(buf, off, end, l3); break;
      case LINKTYPE_LOOP: ok = parseLoop(buf, off, end, l3); break;
      case LINKTYPE_RAW: case DLT_RAW_OLD_12: case DLT_RAW_OLD_14:
        ok = parseRaw(buf, off, end, l3);
        break;
      case LINKTYPE_IPV4: ok = true; l3.etherType = ETHERTYPE_IPV4; l3.off = off; break;
      case LINKTYPE_IPV6: ok = true; l3.etherType = ETHERTYPE_IPV6; l3.off = off; break;
      default:
        this.reportUnknown(frame);
        return 'unknown-linktype';
    }
    if (!ok) return 'truncated';
    // origLen < caplen is a broken record; never let it make "uncaptured" negative.
    const uncaptured = frame.origLen > frame.caplen ? frame.origLen - frame.caplen : 0;
    const frags = this.frags;
    let r: LinkOutcome;
    if (l3.etherType === ETHERTYPE_IPV4) r = decodeIPv4(buf, l3.off, end, uncaptured, out, frags, frame.no);
    else if (l3.etherType === ETHERTYPE_IPV6) r = decodeIPv6(buf, l3.off, end, uncaptured, out, frags, frame.no);
    else return 'not-ip';
    if (frags.overflowed && this.warn) {
      this.warn('fragment-table-full', 'IP fragment table full: dropped the oldest incomplete datagram', frame.no);
    }
    return r;
  }

  private reportUnknown(frame: Frame): void {
    if (this.unknownLinkTypes.has(frame.linkType)) return;
    this.unknownLinkTypes.add(frame.linkType);
    this.warn?.('unknown-linktype', `unsupported link type ${frame.linkType}: its frames are skipped`, frame.no);
  }

  private count(r: LinkOutcome): void {
    const c = this.counts;
    switch (r) {
      case 'tcp': c.tcp++; break;
      case 'not-ip': c.notIp++; break;
      case 'not-tcp': c.notTcp++; break;
      case 'unknown-linktype': c.unknownLinktype++; break;
      case 'truncated': c.truncated++; break;
      case 'fragment': c.fragment++; break;
      case 'fragment-dropped': c.fragmentDropped++; break;
      case 'bad-header': c.badHeader++; break;
    }
  }
}
