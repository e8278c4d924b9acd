// One row of the packet list: a frame that completes at least one MQTT packet, with the columns
// Wireshark shows (No., Time, Source, Destination, Protocol, Length, Info).

import type { ConnectionInfo, Direction, MqttMessage } from './events.js';
import type { DecodeResult, MqttVersion } from '../mqtt/types.js';
import type { Timestamp } from '../capture/time.js';
import { formatRelativeTime } from '../capture/time.js';
import { infoText, limitInfo } from '../mqtt/info.js';
import { decodePacketAt } from '../mqtt/decode.js';
import { PlainPublish } from '../mqtt/plain.js';

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
 * sink which says it keeps no row is handed one row object refilled for each frame (ReusedRows).
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

/**
 * A message object refilled from frame to frame. Its result is either given, or, for a plain
 * PUBLISH (mqtt/plain.ts), decoded from the packet's bytes when first read: the JSON Lines
 * writer copies such a packet from its bytes and never asks.
 */
class ReusedMessage implements MqttMessage {
  conn: ConnectionInfo = NO_CONNECTION;
  dir: Direction = 'c2s';
  frame = 0;
  time = 0;
  version: MqttVersion = 4;
  versionKnown = false;
  connectLevel = 0;
  aliasTopic: string | undefined = undefined;
  indexInFrame = 0;
  plain: PlainPublish | null = null;
  readonly plainSlot = new PlainPublish();
  private decoded: DecodeResult | null = null;

  fill(result: DecodeResult | null): void {
    this.decoded = result;
    this.plain = result === null ? this.plainSlot : null;
  }

  get result(): DecodeResult {
    const d = this.decoded;
    if (d !== null) return d;
    const p = this.plainSlot;
    return (this.decoded = decodePacketAt(p.buf, p.start, p.end, this.version));
  }

  set result(r: DecodeResult) {
    this.decoded = r;
    this.plain = null;
  }
}

const NO_CONNECTION: ConnectionInfo = {
  id: -1,
  client: { addr: '', port: 0 },
  server: { addr: '', port: 0 },
  firstFrame: 0,
  firstTime: 0,
  sawSyn: false,
  transport: 'mqtt',
};

/** Rows of up to this many packets (nearly all) reuse a messages array kept per size. */
const KEPT_ROW_SIZES = 16;

/**
 * Row and message objects reused from frame to frame, for a sink that keeps neither past the
 * call that hands them over (DissectOptions.transient; EventReader for a JsonLineSink): a
 * message object per index since the last row, a row's messages array per row size, one row.
 */
export class ReusedRows {
  private readonly messages: ReusedMessage[] = [];
  /** [n]: the first n messages, as one array (a message at an index is never replaced). */
  private readonly firstN: MqttMessage[][] = [];
  private spareRow: DissectedRow | null = null;

  /** The message object at index `i` since the last row, filled with these. `result` null: the
   *  packet is the plain PUBLISH in plainAt(i), decoded only if its result is read. */
  message(i: number, conn: ConnectionInfo, dir: Direction, frame: number, time: number, version: MqttVersion, versionKnown: boolean,
    connectLevel: number, aliasTopic: string | undefined, result: DecodeResult | null): MqttMessage {
    const m = (this.messages[i] ??= new ReusedMessage());
    m.conn = conn;
    m.dir = dir;
    m.frame = frame;
    m.time = time;
    m.version = version;
    m.versionKnown = versionKnown;
    m.connectLevel = connectLevel;
    m.aliasTopic = aliasTopic;
    m.indexInFrame = i;
    m.fill(result);
    return m;
  }

  /** The PlainPublish of the message at index `i`, for readPlainPublish to fill before message(). */
  plainAt(i: number): PlainPublish {
    return (this.messages[i] ??= new ReusedMessage()).plainSlot;
  }

  /** Messages [from, to) as a row's messages. (Frames of many packets are rare: kept arrays are
   *  bounded, as a hostile capture could bring every count from 1 to thousands.) */
  rowMessages(from: number, to: number): MqttMessage[] {
    const n = to - from;
    if (from !== 0 || n > KEPT_ROW_SIZES) return this.messages.slice(from, to);
    return (this.firstN[n] ??= this.messages.slice(0, n));
  }

  /** The one row object, made the row of this frame. */
  row(no: number, tsSec: number, tsNsec: number, tsDigits: number, first: Readonly<Timestamp>, src: string, dst: string,
    srcPort: number, dstPort: number, length: number, tcpPrefix: string, messages: MqttMessage[]): DissectedRow {
    const row = this.spareRow;
    if (row === null) {
      return (this.spareRow = new DissectedRow(no, tsSec, tsNsec, tsDigits, first, src, dst, srcPort, dstPort, length, tcpPrefix, messages));
    }
    row.refill(no, tsSec, tsNsec, tsDigits, first, src, dst, srcPort, dstPort, length, tcpPrefix, messages);
    return row;
  }
}
