// Where tshark 4.0.17's packet list is wrong and ours is right. Each entry names the capture and
// frame, says why, and states the right answer (our Info, or null when the frame must not be a
// row). The golden tests accept exactly these differences and no others.

export interface KnownDifference {
  capture: string;
  frame: number;
  why: string;
  /** Our Info for that frame (null: no row). */
  ours: string | null;
}

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    capture: 'MQTTset-reduced/benign-test.pcap',
    frame: 3714,
    why:
      'The 13-byte PUBLISH at relative seq 5904 of tcp.stream 2 was captured after the pure ACK of frame 3713 ' +
      '(seq 5917), i.e. out of order. tshark takes the ACK as having advanced the stream, labels frame 3714 ' +
      '"[TCP Retransmission]" and never hands its bytes to MQTT, though they are the only copy of that PUBLISH ' +
      'in the capture. Reassembly by sequence number delivers them, in order, once.',
    ours: 'Publish Message [Movement]',
  },
];
