// The dissection's events (events.ts) as bytes, so the dissection can run on one thread and the
// analysis on another. A packet travels as its raw bytes and is decoded again on arrival (the
// decoder is a small part of the cost, and the decoded model holds views that cannot cross
// threads); everything else travels as numbers and strings. Little-endian, no padding.

import { decodePacketAt } from '../mqtt/decode.js';
import { readPlainPublish } from '../mqtt/plain.js';
import type { MqttVersion } from '../mqtt/types.js';
import type { CloseKind, ConnectionInfo, Direction, DissectionSink, MqttMessage } from './events.js';
import { DissectedRow, ReusedRows } from './rows.js';
import type { RowSink } from './dissect.js';

const CONNECTION = 1;
const MESSAGE = 2;
const GAP = 3;
const CLOSE = 4;
const END = 5;
const ROW = 6;
const JSON_LINE = 7;

/**
 * Takes packet-list rows already written as JSON lines (bytes [start, end) of buf). A sink that
 * takes these writes its rows out too, so it must not keep a row, nor its messages, past its
 * `row()` call: EventReader then hands it one row and one set of messages, refilled per frame.
 */
export interface JsonLineSink {
  jsonLine?(buf: Uint8Array, start: number, end: number): void;
}

/** Writes events into a growable buffer; `take()` hands over what is written. */
export class EventWriter {
  buf: Buffer;
  view: DataView;
  pos = 0;

  constructor(size = 1 << 18) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** Starts over in `buf` (a buffer handed back for reuse, or a fresh one). */
  reset(buf: Buffer): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    this.pos = 0;
  }

  connection(c: ConnectionInfo): void {
    this.room(40 + 3 * (c.client.addr.length + c.server.addr.length));
    this.u8(CONNECTION);
    this.u32(c.id);
    this.u32(c.firstFrame);
    this.f64(c.firstTime);
    this.u8((c.sawSyn ? 1 : 0) | (c.transport === 'tls' ? 2 : 0));
    this.str(c.client.addr);
    this.u16(c.client.port);
    this.str(c.server.addr);
    this.u16(c.server.port);
  }

  /** A message with the bytes of its packet, `buf[start .. end)`; `decoded`: the sender decoded
   *  it (and counted it if malformed), else the receiver counts it (EventReader.malformed). */
  message(m: MqttMessage, buf: Uint8Array, start: number, end: number, decoded: boolean): void {
    const n = end - start;
    this.room(40 + n + (m.aliasTopic === undefined ? 0 : 3 * m.aliasTopic.length));
    this.u8(MESSAGE);
    this.u32(m.conn.id);
    this.u8((m.dir === 'c2s' ? 1 : 0) | (m.versionKnown ? 2 : 0) | (m.aliasTopic === undefined ? 0 : 4) | (decoded ? 8 : 0));
    this.u32(m.frame);
    this.f64(m.time);
    this.u8(m.version);
    this.u8(m.connectLevel ?? 0);
    this.u32(m.indexInFrame);
    this.u32(n);
    // (A short copy by hand: a view for set() would cost more than the copy.)
    const out = this.buf;
    const at = this.pos;
    if (n <= 32) for (let i = 0; i < n; i++) out[at + i] = buf[start + i]!;
    else out.set(buf.subarray(start, end), at);
    this.pos = at + n;
    if (m.aliasTopic !== undefined) this.str(m.aliasTopic);
  }

  /** A packet-list row: the columns its messages do not tell (the last `messages.length` sent;
   *  the first one's connection and direction give Source and Destination). */
  row(r: DissectedRow): void {
    this.room(48 + 3 * r.tcpPrefix.length);
    this.u8(ROW);
    this.u32(r.no);
    this.f64(r.tsSec);
    this.u32(r.tsNsec);
    this.u8(r.tsDigits);
    this.f64(r.first.tsSec);
    this.u32(r.first.tsNsec);
    this.u32(r.length);
    this.str(r.tcpPrefix);
    this.u32(r.messages.length);
  }

  /** A row the sending side wrote as a JSON line itself (its messages are not sent). */
  jsonLine(bytes: Uint8Array, n: number): void {
    this.room(8 + n);
    this.u8(JSON_LINE);
    this.u32(n);
    this.buf.set(bytes.subarray(0, n), this.pos);
    this.pos += n;
  }

  gap(c: ConnectionInfo, dir: Direction, frame: number, time: number, bytes: number): void {
    this.room(32);
    this.u8(GAP);
    this.u32(c.id);
    this.u8(dir === 'c2s' ? 1 : 0);
    this.u32(frame);
    this.f64(time);
    this.f64(bytes);
  }

  close(c: ConnectionInfo, kind: CloseKind, dir: Direction, frame: number, time: number): void {
    this.room(24);
    this.u8(CLOSE);
    this.u32(c.id);
    this.u8((dir === 'c2s' ? 1 : 0) | (kind === 'rst' ? 2 : 0));
    this.u32(frame);
    this.f64(time);
  }

  end(lastFrame: number, lastTime: number): void {
    this.room(16);
    this.u8(END);
    this.u32(lastFrame);
    this.f64(lastTime);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    const pos = this.pos;
    this.reset(bigger);
    this.pos = pos;
  }

  private u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  private u16(v: number): void {
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  private u32(v: number): void {
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  private f64(v: number): void {
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  private str(s: string): void {
    const at = this.pos;
    const buf = this.buf;
    // Addresses and Wireshark's TCP notes are short ASCII (or empty): bytes without a call
    // into the encoder, which costs more than the copy.
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + 2 + i] = c;
    }
    const n = i === s.length ? i : buf.write(s, at + 2, 'utf8');
    this.view.setUint16(at, n, true);
    this.pos = at + 2 + n;
  }
}

/** Closed connections stay known for this many later closes (a late event may still name one). */
const CLOSED_KEPT = 4096;

/**
 * Replays bytes written by EventWriter into a sink, decoding each packet again with the version it
 * was decoded with. Connections are known by id while open, and for a while after they close, so
 * memory follows the open connections.
 */
export class EventReader {
  /** Known connections by id (ids count up from 0: an array, not a Map, for a lookup per message). */
  private readonly conns: (ConnectionInfo | undefined)[] = [];
  private known = 0;
  /** Ids of the last CLOSED_KEPT closes, a ring (a close per FIN or RST, so an id may recur). */
  private readonly closed = new Uint32Array(CLOSED_KEPT);
  private closes = 0;
  /** Messages replayed since the last row (only when the sink takes rows). */
  private readonly unrowed: MqttMessage[] = [];
  private readonly rows: boolean;
  /** The sink keeps neither rows nor messages (JsonLineSink): they are reused, not made anew. */
  private readonly reused: ReusedRows | null;
  /** Reused messages filled since the last row. */
  private queued = 0;
  /** Where the string readStr just read ends. */
  private after = 0;
  /** The capture's first timestamp, one object for every row. */
  private first = { tsSec: 0, tsNsec: 0 };
  /** Malformed packets among those the sender left undecoded (its summary counts the rest). */
  malformed = 0;

  constructor(private readonly sink: DissectionSink & RowSink & JsonLineSink) {
    this.rows = sink.row !== undefined;
    this.reused = this.rows && sink.jsonLine !== undefined && sink.message === undefined ? new ReusedRows() : null;
  }

  /** Connections known so far (they are few: one per MQTT connection of the capture). */
  get size(): number {
    return this.known;
  }

  replay(buf: Uint8Array, len: number): void {
    const view = new DataView(buf.buffer, buf.byteOffset, len);
    const sink = this.sink;
    let p = 0;
    while (p < len) {
      const type = buf[p++]!;
      switch (type) {
        case CONNECTION: {
          const id = view.getUint32(p, true);
          const firstFrame = view.getUint32(p + 4, true);
          const firstTime = view.getFloat64(p + 8, true);
          const flags = buf[p + 16]!;
          p += 17;
          const clientAddr = this.readStr(buf, view, p);
          const a = this.after;
          const clientPort = view.getUint16(a, true);
          const serverAddr = this.readStr(buf, view, a + 2);
          const b = this.after;
          const serverPort = view.getUint16(b, true);
          p = b + 2;
          const c: ConnectionInfo = {
            id,
            client: { addr: clientAddr, port: clientPort },
            server: { addr: serverAddr, port: serverPort },
            firstFrame,
            firstTime,
            sawSyn: (flags & 1) !== 0,
            transport: flags & 2 ? 'tls' : 'mqtt',
          };
          if (this.conns[id] === undefined) this.known++;
          this.conns[id] = c;
          sink.connection?.(c);
          break;
        }
        case MESSAGE: {
          const conn = this.conn(view.getUint32(p, true));
          const flags = buf[p + 4]!;
          const frame = view.getUint32(p + 5, true);
          const time = view.getFloat64(p + 9, true);
          const version = buf[p + 17]! as MqttVersion;
          const connectLevel = buf[p + 18]!;
          const indexInFrame = view.getUint32(p + 19, true);
          const n = view.getUint32(p + 23, true);
          p += 27;
          const reused = this.reused;
          // For a sink that writes rows at once, a plain PUBLISH is not decoded at all: the writer
          // copies its fields from these bytes, which stay put until the replay returns.
          const plain = reused !== null && readPlainPublish(buf, p, p + n, version, reused.plainAt(this.queued));
          const result = plain ? null : decodePacketAt(buf, p, p + n, version);
          p += n;
          if ((flags & 8) === 0 && result !== null && result.status === 'malformed') this.malformed++;
          let aliasTopic: string | undefined;
          if (flags & 4) {
            aliasTopic = this.readStr(buf, view, p);
            p = this.after;
          }
          const dir: Direction = flags & 1 ? 'c2s' : 's2c';
          const versionKnown = (flags & 2) !== 0;
          if (reused !== null) {
            // (Its index is where it is queued; the packet's own index in its frame is the same
            // when the writer sends a row's messages together, as it does.)
            reused.message(this.queued++, conn, dir, frame, time, version, versionKnown, connectLevel, aliasTopic, result).indexInFrame = indexInFrame;
            break;
          }
          const msg: MqttMessage = { conn, dir, frame, time, version, versionKnown, connectLevel, indexInFrame, result: result! }; // (plain only with reuse)
          if (aliasTopic !== undefined) msg.aliasTopic = aliasTopic;
          sink.message?.(msg);
          if (this.rows) this.unrowed.push(msg);
          break;
        }
        case ROW: {
          const no = view.getUint32(p, true);
          const tsSec = view.getFloat64(p + 4, true);
          const tsNsec = view.getUint32(p + 12, true);
          const tsDigits = buf[p + 16]!;
          const firstSec = view.getFloat64(p + 17, true);
          const firstNsec = view.getUint32(p + 25, true);
          if (firstSec !== this.first.tsSec || firstNsec !== this.first.tsNsec) this.first = { tsSec: firstSec, tsNsec: firstNsec };
          const length = view.getUint32(p + 29, true);
          const tcpPrefix = this.readStr(buf, view, p + 33);
          const c = this.after;
          const count = view.getUint32(c, true);
          p = c + 4;
          const u = this.unrowed;
          let messages: MqttMessage[];
          if (this.reused) {
            // A row has the messages queued since the previous one (the writer sends them together).
            messages = this.reused.rowMessages(this.queued - count, this.queued);
            this.queued = 0;
          } else messages = u.length === count ? u.slice() : u.slice(u.length - count);
          // As the dissection fills them: Source and Destination are the first packet's sender and receiver.
          const m0 = messages[0]!;
          const from = m0.dir === 'c2s' ? m0.conn.client : m0.conn.server;
          const to = m0.dir === 'c2s' ? m0.conn.server : m0.conn.client;
          if (this.reused) {
            sink.row!(this.reused.row(no, tsSec, tsNsec, tsDigits, this.first, from.addr, to.addr, from.port, to.port, length, tcpPrefix, messages));
          } else {
            sink.row?.(new DissectedRow(no, tsSec, tsNsec, tsDigits, this.first, from.addr, to.addr, from.port, to.port, length, tcpPrefix, messages));
            u.length = 0;
          }
          break;
        }
        case GAP: {
          const conn = this.conn(view.getUint32(p, true));
          const dir: Direction = buf[p + 4]! & 1 ? 'c2s' : 's2c';
          sink.gap?.(conn, dir, view.getUint32(p + 5, true), view.getFloat64(p + 9, true), view.getFloat64(p + 17, true));
          p += 25;
          break;
        }
        case CLOSE: {
          const conn = this.conn(view.getUint32(p, true));
          const flags = buf[p + 4]!;
          sink.close?.(conn, flags & 2 ? 'rst' : 'fin', flags & 1 ? 'c2s' : 's2c', view.getUint32(p + 5, true), view.getFloat64(p + 9, true));
          p += 17;
          this.closeNoted(conn.id);
          break;
        }
        case JSON_LINE: {
          const n = view.getUint32(p, true);
          sink.jsonLine?.(buf, p + 4, p + 4 + n);
          p += 4 + n;
          break;
        }
        case END:
          sink.end?.(view.getUint32(p, true), view.getFloat64(p + 4, true));
          p += 12;
          break;
        default:
          throw new Error(`event wire: unknown event type ${type} at ${p - 1}`); // a bug, not input
      }
    }
  }

  private conn(id: number): ConnectionInfo {
    const c = this.conns[id];
    if (c === undefined) throw new Error(`event wire: event for unknown connection ${id}`);
    return c;
  }

  /** A connection closed: the one closed CLOSED_KEPT closes ago is forgotten. */
  private closeNoted(id: number): void {
    const at = this.closes++ % CLOSED_KEPT;
    if (this.closes > CLOSED_KEPT) this.forget(this.closed[at]!);
    this.closed[at] = id;
  }

  private forget(id: number): void {
    if (this.conns[id] === undefined) return;
    this.conns[id] = undefined;
    this.known--;
  }

  /** The string at `p` (length-prefixed); sets `after` to where it ends. */
  private readStr(buf: Uint8Array, view: DataView, p: number): string {
    const n = view.getUint16(p, true);
    this.after = p + 2 + n;
    if (n === 0) return '';
    return Buffer.from(buf.buffer, buf.byteOffset + p + 2, n).toString('utf8');
  }
}
