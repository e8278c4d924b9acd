// One row of the packet list: a frame that completes at least one MQTT packet, with the columns
// Wireshark shows (No., Time, Source, Destination, Protocol, Length, Info).

import type { MqttMessage } from './events.js';
import type { Timestamp } from '../capture/time.js';
import { formatRelativeTime } from '../capture/time.js';
import { infoText, limitInfo } from '../mqtt/info.js';

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

/**
 * The row the dissection makes. Its Time and Info texts are built on first read only: the JSON
 * Lines writer formats both straight from what they are made of (writeRowTime, writeInfo),
 * so on that path no string is built per row. Immutable once handed to a sink, except that a
 * sink which says it keeps no row (EventReader, for a JSON Lines writer) is handed one row
 * object refilled for each frame (`refill`).
 */
export class DissectedRow implements PacketRow {
  readonly protocol = 'MQTT' as const;
  private timeText: string | null = null;
  private infoStr: string | null = null;

  constructor(
    public no: number,
    /** The frame's timestamp and fraction digits, and the capture's first timestamp. */
    public tsSec: number,
    public tsNsec: number,
    public tsDigits: number,
    public first: Readonly<Timestamp>,
    public src: string,
    public dst: string,
    public srcPort: number,
    public dstPort: number,
    public length: number,
    /** Wireshark's TCP analysis text put in front of the MQTT texts ('' for none). */
    public tcpPrefix: string,
    public messages: MqttMessage[],
  ) {}

  /** Makes this object the row of another frame (see above). */
  refill(no: number, tsSec: number, tsNsec: number, tsDigits: number, first: Readonly<Timestamp>, src: string, dst: string,
    srcPort: number, dstPort: number, length: number, tcpPrefix: string, messages: MqttMessage[]): void {
    this.no = no;
    this.tsSec = tsSec;
    this.tsNsec = tsNsec;
    this.tsDigits = tsDigits;
    this.first = first;
    this.src = src;
    this.dst = dst;
    this.srcPort = srcPort;
    this.dstPort = dstPort;
    this.length = length;
    this.tcpPrefix = tcpPrefix;
    this.messages = messages;
    this.timeText = null;
    this.infoStr = null;
  }

  get time(): string {
    return (this.timeText ??= formatRelativeTime(this, this.first));
  }

  get info(): string {
    return (this.infoStr ??= rowInfo(this.tcpPrefix, this.messages));
  }
}

/** The Info column of a frame: its packets' texts joined by ", ", after TCP's analysis flags. */
export function rowInfo(tcpPrefix: string, messages: readonly MqttMessage[]): string {
  let texts = '';
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const text = infoText(m.result, m.version, m.aliasTopic === undefined ? undefined : { topic: m.aliasTopic });
    texts = i === 0 ? text : `${texts}, ${text}`;
  }
  // Wireshark keeps TCP's analysis flags in front of the MQTT text, then MQTT's ", " separator.
  return limitInfo(tcpPrefix ? `${tcpPrefix}, ${texts}` : texts);
}
