// One captured record as the capture reader hands it on. The reader reuses one Frame object and
// its buffers: `buf` is valid only during the callback that receives it (copy what you keep).

export interface Frame {
  /** 1-based frame number, counting every record of the file (all interfaces, all sections). */
  no: number;
  /** Timestamp: whole seconds since the epoch ... */
  tsSec: number;
  /** ... plus nanoseconds within that second (0..999_999_999). */
  tsNsec: number;
  /** Digits after the decimal point the source resolution supports: 6 for µs, 9 for ns, etc. */
  tsDigits: number;
  /** LINKTYPE_* of the record's interface (pcap header, or pcapng IDB). */
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** Bytes captured (present in buf). */
  caplen: number;
  /** Original length on the wire; Wireshark's frame length. */
  origLen: number;
  buf: Uint8Array;
  /** Offset of the first captured byte in buf. */
  off: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** How reading a capture ended. Never thrown: returned. */
export type CaptureEnd =
  | { status: 'ok'; format: CaptureFormat; frames: number }
  /** The file ends inside a header or record: everything before `offset` was delivered. */
  | { status: 'truncated'; format: CaptureFormat; frames: number; offset: number; reason: string }
  /** Not a capture at all (bad magic), or empty, or structurally broken at `offset`. */
  | { status: 'invalid'; frames: number; offset: number; reason: string };
