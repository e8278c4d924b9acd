// The TCP sequence analysis flags that Wireshark writes in front of a frame's Info column
// ("[TCP ACKed unseen segment] , Subscribe Ack (id=1)"). They are part of the packet list we
// must reproduce; our own reassembly does not depend on them. Only the flags that fall on frames
// carrying MQTT in practice are tracked, with Wireshark 4.0's rules (packet-tcp.c,
// tcp_analyze_sequence_number): per direction the next expected sequence number, the highest
// contiguous sequence number still to be acknowledged, and the last ACK.

import type { TcpSegment } from '../link/types.js';
import { TcpFlag } from '../link/types.js';

/** One direction's view, as Wireshark keeps it. `set` flags stand for Wireshark's "non-zero". */
class SeqInfo {
  nextSet = false;
  nextSeq = 0;
  maxSet = false;
  maxSeqToBeAcked = 0;
  lastAck = 0;
}

const seqGt = (a: number, b: number) => ((a - b) | 0) > 0;

export class WiresharkTcpFlags {
  private readonly dirs: [SeqInfo, SeqInfo] = [new SeqInfo(), new SeqInfo()];

  /** The Info prefix for this segment ('' for none), updating the per-direction state. */
  analyze(dir: 0 | 1, seg: TcpSegment): string {
    const fwd = this.dirs[dir];
    const rev = this.dirs[dir ^ 1]!;
    const flags = seg.flags;
    // As int32 (same value modulo 2^32): Smis for V8, no heap numbers (see tcp/reassembly.ts).
    const seq = seg.seq | 0;
    const ack = seg.ack | 0;
    const segLen = seg.len + seg.missing;
    let lostPacket = false;
    let ackedUnseen = false;

    // "Previous segment not captured": this segment starts beyond the next expected byte.
    if (fwd.nextSet && seqGt(seq, fwd.nextSeq) && (flags & TcpFlag.RST) === 0) lostPacket = true;

    // "ACKed unseen segment": it acknowledges bytes the other direction never showed. Checked
    // when this direction's ACK number moves (tshark 4.0.17 flags a lost stretch once, not on
    // every segment repeating the same ACK), then 'max seq to be acked' catches up.
    if (rev.maxSet && ack !== fwd.lastAck && seqGt(ack, rev.maxSeqToBeAcked) && flags & TcpFlag.ACK) {
      ackedUnseen = true;
      rev.maxSeqToBeAcked = rev.nextSeq;
    }

    let next = (seq + segLen) | 0;
    if (flags & (TcpFlag.SYN | TcpFlag.FIN)) next = (next + 1) | 0;
    if (!fwd.nextSet || seqGt(next, fwd.nextSeq)) {
      fwd.nextSeq = next;
      fwd.nextSet = true;
    }
    // 'Max seq to be acked' only advances over contiguous data, so a hole keeps it behind.
    if (!fwd.maxSet || seq === fwd.maxSeqToBeAcked) {
      fwd.maxSeqToBeAcked = fwd.nextSeq;
      fwd.maxSet = true;
    }
    fwd.lastAck = ack;

    // Each flag is prepended in Wireshark, so the one printed last comes first.
    let prefix = '';
    if (lostPacket) prefix = '[TCP Previous segment not captured] ' + prefix;
    if (ackedUnseen) prefix = '[TCP ACKed unseen segment] ' + prefix;
    return prefix;
  }
}
