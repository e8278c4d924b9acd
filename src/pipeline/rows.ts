// One row of the packet list: a frame that completes at least one MQTT packet, with the columns
// Wireshark shows (No., Time, Source, Destination, Protocol, Length, Info).

import type { MqttMessage } from './events.js';

export interface PacketRow {
  /** Frame number in the capture. */
  no: number;
  /** Seconds since the first frame of the capture, printed at the file's precision. */
  time: string;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  protocol: 'MQTT';
  /** Frame length on the wire. */
  length: number;
  /** Wireshark's Info column: the packets' texts joined by ", ". */
  info: string;
  /** The MQTT packets this frame completed, in stream order. */
  messages: MqttMessage[];
}
