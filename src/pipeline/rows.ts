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
 * so on that path no string is built per row. Everything here is immutable once made.
 */
export class DissectedRow implements PacketRow {
  readonly protocol = 'MQTT' as const;
  private timeText: string | null = null;
  private infoStr: string | null = null;

  constructor(
    readonly no: number,
    /** The frame's timestamp and fraction digits, and the capture's first timestamp. */
    readonly tsSec: number,
    readonly tsNsec: number,
    readonly tsDigits: number,
    readonly first: Readonly<Timestamp>,
    readonly src: string,
    readonly dst: string,
    readonly srcPort: number,
    readonly dstPort: number,
    readonly length: number,
    /** Wireshark's TCP analysis text put in front of the MQTT texts ('' for none). */
    readonly tcpPrefix: string,
    readonly messages: MqttMessage[],
  ) {}

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
