// What TCP reassembly hands to the MQTT layer: streams (connections) and, per direction, the
// payload bytes in sequence order with gap markers. Directions are numeric: 0 = sent by endpoint
// A (the source of the first packet seen on the connection), 1 = sent by endpoint B.

import type { Frame } from '../capture/types.js';
import type { TcpSegment } from '../link/types.js';

export type Dir = 0 | 1;

export interface TcpEndpoint {
  /** Address bytes (4 or 16), owned by the stream (a copy, safe to keep). */
  readonly addr: Uint8Array;
  readonly port: number;
}

/** How a stream left the reassembler. */
export type ReleaseReason =
  /** Both sides sent FIN (all data delivered) or one side sent RST. */
  | 'closed'
  /** A new connection (SYN with a different ISN) took over the 4-tuple. */
  | 'reused'
  /** End of capture while the connection was still open. */
  | 'end';

export type StreamWarning =
  /** Out-of-order data exceeded the per-direction bound; the stream skipped ahead with a gap. */
  'buffer-limit';

export class TcpStream {
  /** User slot for the next layer (per-direction decoder state, ...). Never touched here. */
  user: unknown = undefined;
  /** The side that sent the initial SYN (without ACK), if the capture holds it. */
  synFrom: Dir | null = null;
  /** First frame number carrying SYN / FIN / RST per direction; 0 = none seen. */
  readonly synFrame: [number, number] = [0, 0];
  readonly finFrame: [number, number] = [0, 0];
  readonly rstFrame: [number, number] = [0, 0];
  lastFrame: number;
  /** Released: both sides closed (or RST / reuse / end of capture); no more data will come. */
  released = false;

  constructor(
    /** 0-based, in order of first appearance, like Wireshark's tcp.stream. */
    readonly id: number,
    readonly ipVersion: 4 | 6,
    /** dir 0 is sent by `a`. */
    readonly a: TcpEndpoint,
    readonly b: TcpEndpoint,
    readonly firstFrame: number,
  ) {
    this.lastFrame = firstFrame;
  }

  /** Absolute time of the first frame, seconds since the epoch. */
  firstTime = 0;

  get addrA(): Uint8Array { return this.a.addr; }
  get portA(): number { return this.a.port; }
  get addrB(): Uint8Array { return this.b.addr; }
  get portB(): number { return this.b.port; }

  /** The endpoint that sends in `dir`. */
  sender(dir: Dir): TcpEndpoint {
    return dir === 0 ? this.a : this.b;
  }
}

export interface StreamSink {
  /** A new stream; called before any other callback for it, on its first frame. */
  open(s: TcpStream, frame: Frame): void;
  /**
   * In-sequence payload of `dir`, `buf[start .. end)`, called synchronously while processing
   * `frame` (the frame that made these bytes deliverable); valid only during the call (an offset
   * pair rather than a view: no object per segment).
   * `gapBefore`: 0 = contiguous with what came before; > 0 = that many bytes are missing before
   * the bytes; -1 = unknown (the capture joined this direction mid-stream, so this is its first
   * chunk). The range may be empty when only a trailing gap is being reported.
   */
  data(s: TcpStream, dir: Dir, buf: Uint8Array, start: number, end: number, frame: Frame, gapBefore: number): void;
  /** `dir`'s sender sent FIN or RST, on `frame` (called on that frame, once per kind and dir). */
  close(s: TcpStream, kind: 'fin' | 'rst', dir: Dir, frame: Frame): void;
  /** A segment whose payload had all been delivered already (tshark dissects these again). */
  retransmission?(s: TcpStream, dir: Dir, frame: Frame, payload: Uint8Array): void;
  /** Every segment of a live stream, before its data is handled (for per-segment analysis). */
  segment?(s: TcpStream, dir: Dir, seg: TcpSegment, frame: Frame): void;
  /** A bound was hit (reported once per episode). */
  warning?(s: TcpStream, dir: Dir, code: StreamWarning, frame: Frame): void;
  /** The stream will get no more callbacks; drop anything hung on `user`. */
  release?(s: TcpStream, reason: ReleaseReason): void;
}

export interface ReassemblyLimits {
  /** Out-of-order bytes buffered per direction before skipping ahead. */
  maxBufferedBytes: number;
  /** Out-of-order segments buffered per direction before skipping ahead. */
  maxPendingSegments: number;
  /** Frames a released stream stays in the flow table, so its late ACKs/retransmissions still
   *  belong to it (as in Wireshark) instead of opening a new mid-stream connection. */
  lingerFrames: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxPendingSegments: 1024,
  lingerFrames: 10_000,
};
