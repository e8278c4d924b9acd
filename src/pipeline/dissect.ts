// The dissection pipeline: capture records → link/IP → TCP streams → MQTT packets, read once,
// front to back. It decides which TCP streams are MQTT, keeps each connection's MQTT version,
// attributes every MQTT packet to the frame that completed it, and hands on events (for the
// analysis) and packet-list rows (for the renderers). Memory follows open connections only.

import type { Frame, CaptureEnd } from '../capture/types.js';
import { readCapture, CaptureOpenError } from '../capture/source.js';
import { NetworkDecoder } from '../link/decode.js';
import { TcpSegment, type LinkOutcome } from '../link/types.js';
import { formatAddress } from '../link/address.js';
import { TcpReassembler, segmentHash } from '../tcp/reassembly.js';
import type { TcpStream, StreamSink } from '../tcp/types.js';
import { WiresharkTcpFlags } from '../tcp/wireshark-flags.js';
import { MqttStreamFramer } from '../mqtt/framing.js';
import { connectLevel, decodePacketAt, looksLikeConnect, looksLikeTlsClientHello } from '../mqtt/decode.js';
import { publishMayHaveTopicAlias, readPlainPublish } from '../mqtt/plain.js';
import { TopicAliasMap } from '../mqtt/info.js';
import type { DecodeResult, MqttVersion } from '../mqtt/types.js';
import type { ConnectionInfo, Direction, DissectionSink, MqttMessage } from './events.js';
import { DissectedRow, ReusedRows, type PacketRow } from './rows.js';
import { UserError } from '../cli/errors.js';
import { END_FRAME, type Shard } from './shard.js';

export const MQTT_PORT = 1883;
export const MQTT_TLS_PORT = 8883;
/** MQTT 3.1.1 when a connection's CONNECT was not captured, as Wireshark does. */
export const DEFAULT_VERSION: MqttVersion = 4;

export interface DissectOptions {
  /** Extra TCP ports to decode as MQTT (Wireshark's Decode As). 1883 always is. */
  ports?: number[];
  /** Version for connections whose CONNECT was not captured. */
  mqttVersion?: MqttVersion;
  onWarning?(message: string): void;
  /** A warning about one connection, with the frame it arose at (default: onWarning). A run split
   *  across workers keeps the earliest, as one thread would have said it. */
  onConnectionWarning?(frameNo: number, message: string): void;
  onProgress?(bytesRead: number, totalBytes?: number): void;
  /** Dissect only this worker's share of the connections (see shard.ts). Then the capture-wide
   *  warnings and counts (frames read, non-TCP frames) come from worker 0 only, and the count of
   *  packets cut short is left to whoever merges the summaries. */
  shard?: Shard;
  /** Asked after each chunk read: true stops the dissection there (our reader went away). */
  stop?: () => boolean;
  /** The raw bytes of each MQTT packet, `buf[start .. end)`, just before its message event (to
   *  send packets to another thread); valid during the call only. */
  onPacketBytes?(buf: Uint8Array, start: number, end: number): void;
  /**
   * Whether to decode the packets of the frame about to complete its first one (default: all).
   * A worker that sends packets on as bytes (onPacketBytes), to be decoded where they are read,
   * decodes only the rows it writes itself: the others carry UNDECODED. A v5 PUBLISH that may
   * carry a Topic Alias is decoded whenever rows are made, as aliases must be followed in
   * capture order.
   */
  decodeFrame?: () => boolean;
  /**
   * The sink keeps no message and no row past the call that hands it over (it encodes them at
   * once, as the worker of dissectInWorker and the one-thread JSON Lines writer do): then the
   * message objects, the row object and its messages array are reused from frame to frame
   * instead of made anew, and a plain PUBLISH (mqtt/plain.ts) is decoded only if its result is
   * read (MqttMessage.plain).
   */
  transient?: boolean;
}

/** The result of a packet left for its receiver to decode (DissectOptions.decodeFrame). */
export const UNDECODED: DecodeResult = { status: 'malformed', reason: 'not decoded', offset: 0, packet: null, headerFlags: 0 };

export interface RowSink {
  row?(r: PacketRow): void;
}

/** Where every frame went: each frame is counted exactly once. */
export interface DissectSummary {
  captureEnd: CaptureEnd;
  bytesRead: number;
  framesRead: number;
  /** Frames that completed at least one MQTT packet (the packet list's rows). */
  mqttFrames: number;
  pdus: number;
  malformedPdus: number;
  /** MQTT connections (TCP streams decoded as MQTT). */
  connections: number;
  /** Connections recognised as MQTT over TLS: counted, not decodable. */
  tlsConnections: number;
  /** Frames not in the packet list, by reason. */
  skipped: Record<string, number>;
  /** Connections whose CONNECT was not captured and which were decoded with the default version. */
  defaultVersionConnections: number;
  /** Bytes that could not become packets: a Remaining Length with a 5th byte, a packet over the
   *  size limit, a packet cut short by the end of its connection or of the capture. */
  framingErrors: { 'malformed-length': number; oversize: number; 'cut-short': number };
}

/** Every event to `a`, then to `b`: one read of the capture feeds several consumers. */
export function fanOut(a: DissectionSink, b: DissectionSink): DissectionSink {
  return {
    connection: (c) => (a.connection?.(c), b.connection?.(c)),
    message: (m) => (a.message?.(m), b.message?.(m)),
    gap: (c, d, f, t, n) => (a.gap?.(c, d, f, t, n), b.gap?.(c, d, f, t, n)),
    close: (c, k, d, f, t) => (a.close?.(c, k, d, f, t), b.close?.(c, k, d, f, t)),
    end: (f, t) => (a.end?.(f, t), b.end?.(f, t)),
  };
}

/** Forwards the dissection events to another sink (so one read feeds several consumers). */
export function forwardTo(target: DissectionSink): DissectionSink {
  return {
    connection: (c) => target.connection?.(c),
    message: (m) => target.message?.(m),
    gap: (c, d, f, t, b) => target.gap?.(c, d, f, t, b),
    close: (c, k, d, f, t) => target.close?.(c, k, d, f, t),
    end: (f, t) => target.end?.(f, t),
  };
}

/** 'port': on an MQTT port, no data seen yet (a TLS ClientHello would make it 'tls');
 *  'undecided': another port, MQTT only if the client opens with a CONNECT. */
type StreamKind = 'port' | 'undecided' | 'mqtt' | 'tls' | 'other';

/** Per TCP stream state, hung on TcpStream.user. */
interface StreamState {
  kind: StreamKind;
  info: ConnectionInfo | null;
  /** Which TCP direction (0 | 1) is client → server. */
  clientDir: 0 | 1;
  version: MqttVersion;
  versionKnown: boolean;
  /** Counted once in defaultVersionConnections. */
  usedDefault: boolean;
  /** Data has been seen in direction 0 / 1. */
  dataSeen: [boolean, boolean];
  /** Raw Protocol Level of the last CONNECT, 0 before one. */
  connectLevel: number;
  tcpFlags: WiresharkTcpFlags;
  /** v5 Topic Alias → topic, for the Info column (created on first use). */
  aliases: TopicAliasMap | null;
  framers: [MqttStreamFramer, MqttStreamFramer];
}

export async function dissectCapture(
  path: string,
  sink: DissectionSink & RowSink,
  opts: DissectOptions = {},
): Promise<DissectSummary> {
  const d = new Dissector(sink, opts);
  let end: CaptureEnd & { bytes: number };
  try {
    end = await readCapture(path, (f) => d.frame(f), {
      onWarning: opts.shard && opts.shard.index !== 0 ? undefined : opts.onWarning,
      onProgress: opts.onProgress,
      stop: opts.stop,
    });
  } catch (err) {
    if (err instanceof CaptureOpenError) throw new UserError(err.message);
    throw err;
  }
  return d.finish(end);
}

class Dissector {
  private readonly net: NetworkDecoder;
  private readonly seg = new TcpSegment();
  private readonly tcp: TcpReassembler;
  private readonly mqttPorts: Set<number>;
  private readonly defaultVersion: MqttVersion;
  private first: Frame | null = null;
  private readonly firstTs = { tsSec: 0, tsNsec: 0 };
  private lastFrameNo = 0;
  private lastTime = 0;
  private currentTime = 0;
  /** Messages completed by the frame being processed. */
  private readonly pending: MqttMessage[] = [];
  /** How many of `pending` belong to the current frame: a reused scratch, so a frame allocates
   *  only its row's exact-size array (a fresh [] grows to 17 slots on its first push). */
  private pendingCount = 0;
  private pendingSrc = '';
  private pendingDst = '';
  private pendingSrcPort = 0;
  private pendingDstPort = 0;
  /** DissectOptions.transient: the messages in `pending` and the rows are these, refilled. */
  private readonly reused: ReusedRows | null;
  private frameTouchedMqtt = false;
  /** Decode the current frame's packets (DissectOptions.decodeFrame). */
  private frameDecoded = true;
  /** Wireshark's TCP analysis text for the current frame ("[TCP ACKed unseen segment] "). */
  private tcpPrefix = '';
  private frameTouchedTls = false;
  /** The current frame carried a Remaining Length that is malformed or over the size limit. */
  private frameFramingError = false;
  /** Kind of the stream the current frame belongs to. */
  private frameKind: StreamKind = 'other';
  private nextConnId = 0;
  /** Where the packets the framer is about to emit belong: set before each feed, so one
   *  callback made once serves every feed (no closure per segment). */
  private feedSt: StreamState | null = null;
  private feedDir: Direction = 'c2s';
  private feedFrame: Frame | null = null;
  private readonly onPdu = (buf: Uint8Array, start: number, end: number): void =>
    this.packet(this.feedSt!, this.feedDir, buf, start, end, this.feedFrame!);
  private warnedDefaultVersion = false;
  private readonly shard: Shard | null;
  /** True while the end of the capture flushes what TCP still holds. */
  private flushing = false;
  readonly summary: Omit<DissectSummary, 'captureEnd' | 'bytesRead'> = {
    framesRead: 0,
    mqttFrames: 0,
    pdus: 0,
    malformedPdus: 0,
    connections: 0,
    tlsConnections: 0,
    skipped: {},
    defaultVersionConnections: 0,
    framingErrors: { 'malformed-length': 0, oversize: 0, 'cut-short': 0 },
  };

  constructor(
    private readonly sink: DissectionSink & RowSink,
    private readonly opts: DissectOptions,
  ) {
    this.mqttPorts = new Set([MQTT_PORT, ...(opts.ports ?? [])]);
    this.defaultVersion = opts.mqttVersion ?? DEFAULT_VERSION;
    this.shard = opts.shard ?? null;
    this.reused = opts.transient === true ? new ReusedRows() : null;
    const capturewide = this.shard === null || this.shard.index === 0;
    this.net = new NetworkDecoder((_code, message) => (capturewide ? opts.onWarning?.(message) : undefined));
    this.tcp = new TcpReassembler(this.streamSink());
  }

  frame(f: Frame): void {
    const shard = this.shard;
    if (shard !== null) shard.passed(f.no);
    this.summary.framesRead++;
    if (this.first === null) {
      this.first = f;
      this.firstTs.tsSec = f.tsSec;
      this.firstTs.tsNsec = f.tsNsec;
    }
    this.lastFrameNo = f.no;
    this.currentTime = f.tsSec + f.tsNsec / 1e9;
    this.lastTime = this.currentTime;
    const outcome: LinkOutcome = this.net.decode(f, this.seg);
    if (outcome !== 'tcp') {
      if (shard === null || shard.index === 0) this.skip(outcome);
      return;
    }
    // The 4-tuple's hash: which worker's connection it is (when split), and TCP's lookup key.
    const hash = segmentHash(this.seg);
    if (shard !== null && !shard.owns(hash)) return; // another worker's connection
    this.frameTouchedMqtt = false;
    this.frameTouchedTls = false;
    this.tcpPrefix = '';
    this.frameKind = 'other';
    this.frameFramingError = false;
    this.tcp.segment(this.seg, f, hash);
    if (this.pendingCount > 0) {
      this.emitRow(f);
    } else {
      this.skip(this.skipReason());
    }
  }

  finish(end: CaptureEnd & { bytes: number }): DissectSummary {
    this.flushing = true;
    this.tcp.end();
    this.shard?.finish();
    const cut = this.summary.framingErrors['cut-short'];
    // (Not when reading stopped early because nobody reads our output any more.)
    if (cut > 0 && this.shard === null && !this.opts.stop?.()) this.opts.onWarning?.(`${cut} MQTT packet(s) cut short by the end of their connection or of the capture`);
    this.sink.end?.(this.lastFrameNo, this.lastTime);
    return { ...this.summary, captureEnd: end, bytesRead: end.bytes };
  }

  /** Why a TCP frame made no row: said in the footer so every frame is accounted for. */
  private skipReason(): string {
    if (this.frameTouchedTls || this.frameKind === 'tls') return 'mqtt-over-tls';
    if (this.frameKind === 'mqtt' || this.frameKind === 'port') {
      if (this.frameFramingError) return 'bad-mqtt-length';
      if (this.frameTouchedMqtt) return 'part-of-a-longer-mqtt-packet';
      return this.seg.len > 0 ? 'tcp-retransmission-or-held' : 'tcp-without-payload';
    }
    return 'other-tcp';
  }

  private skip(reason: string): void {
    this.summary.skipped[reason] = (this.summary.skipped[reason] ?? 0) + 1;
  }

  private emitRow(f: Frame): void {
    const n = this.pendingCount;
    this.pendingCount = 0;
    this.summary.mqttFrames++;
    if (!this.sink.row) return;
    const reused = this.reused;
    if (reused) {
      // (The objects of `pending` are the reused messages.)
      this.sink.row(reused.row(f.no, f.tsSec, f.tsNsec, f.tsDigits, this.firstTs, this.pendingSrc, this.pendingDst,
        this.pendingSrcPort, this.pendingDstPort, f.origLen, this.tcpPrefix, reused.rowMessages(0, n)));
      return;
    }
    const messages = n === 1 ? [this.pending[0]!] : this.pending.slice(0, n);
    // Time and Info are made from these when first read (see DissectedRow).
    const row: PacketRow = new DissectedRow(f.no, f.tsSec, f.tsNsec, f.tsDigits, this.firstTs, this.pendingSrc, this.pendingDst,
      this.pendingSrcPort, this.pendingDstPort, f.origLen, this.tcpPrefix, messages);
    this.sink.row(row);
  }

  private streamSink(): StreamSink {
    return {
      open: (s) => {
        s.user = this.newStreamState(s);
      },
      segment: (s, dir, seg) => {
        const st = s.user as StreamState;
        this.frameKind = st.kind;
        this.tcpPrefix = st.tcpFlags.analyze(dir, seg);
      },
      data: (s, dir, buf, start, end, frame, gapBefore) => this.data(s, dir, buf, start, end, frame, gapBefore),
      release: (s) => this.released(s),
      close: (s, kind, dir, frame) => {
        const st = s.user as StreamState;
        if (st.kind !== 'mqtt' || !st.info) return;
        this.sink.close?.(st.info, kind, this.direction(st, dir), frame.no, frame.tsSec + frame.tsNsec / 1e9);
      },
    };
  }

  /** A framer whose broken lengths and oversize packets are counted (they make no row, as in
   *  Wireshark, but every byte the stream carried must be accounted for). */
  private newFramer(): MqttStreamFramer {
    return new MqttStreamFramer({
      onSkip: (reason) => {
        if (reason === 'malformed-length' || reason === 'oversize') {
          this.summary.framingErrors[reason]++;
          this.frameFramingError = true;
        }
      },
    });
  }

  /** End of a stream: a packet still incomplete was cut short by FIN, RST or the capture's end. */
  private released(s: TcpStream): void {
    const st = s.user as StreamState | undefined;
    if (!st || st.kind !== 'mqtt') return;
    for (const f of st.framers) if (f.flush().pendingBytes > 0) this.summary.framingErrors['cut-short']++;
  }

  private newStreamState(s: TcpStream): StreamState {
    const portA = s.portA;
    const portB = s.portB;
    let kind: StreamKind = 'undecided';
    // The server is the side on an MQTT port; failing that, the receiver of the initial SYN.
    let clientDir: 0 | 1 = s.synFrom ?? 0;
    if (this.mqttPorts.has(portB) && !this.mqttPorts.has(portA)) clientDir = 0;
    else if (this.mqttPorts.has(portA) && !this.mqttPorts.has(portB)) clientDir = 1;
    if (this.mqttPorts.has(portA) || this.mqttPorts.has(portB)) kind = 'port';
    else if (portA === MQTT_TLS_PORT || portB === MQTT_TLS_PORT) {
      kind = 'tls';
      clientDir = portB === MQTT_TLS_PORT ? 0 : 1;
    }
    const st: StreamState = {
      kind,
      info: null,
      clientDir,
      version: this.defaultVersion,
      versionKnown: false,
      usedDefault: false,
      connectLevel: 0,
      dataSeen: [false, false],
      aliases: null,
      tcpFlags: new WiresharkTcpFlags(),
      framers: [this.newFramer(), this.newFramer()],
    };
    if (kind === 'tls') this.becomeTls(st);
    return st;
  }

  private data(s: TcpStream, dir: 0 | 1, buf: Uint8Array, start: number, end: number, frame: Frame, gapBefore: number): void {
    const st = s.user as StreamState;
    if (st.kind === 'other') return;
    if (st.kind === 'tls') {
      this.frameTouchedTls = true;
      return;
    }
    if (st.kind === 'port' || st.kind === 'undecided') {
      // The first bytes tell TLS from MQTT on an MQTT port, and recognise MQTT on any other port
      // (once per stream: a view is fine here).
      const bytes = buf.subarray(start, end);
      if (looksLikeTlsClientHello(bytes)) {
        if (st.kind === 'port') {
          st.clientDir = dir;
          this.becomeTls(st);
          this.frameTouchedTls = true;
        } else st.kind = 'other';
        return;
      }
      if (st.kind === 'undecided') {
        if (gapBefore === 0 && looksLikeConnect(bytes)) st.clientDir = dir;
        else {
          st.kind = 'other';
          return;
        }
      }
      this.becomeMqtt(s, st, frame);
    }
    // A direction joined mid-way starts with an unknown gap: that is the capture starting late
    // (ConnectionInfo.sawSyn says so), not bytes lost, so only later gaps are reported.
    const joined = !st.dataSeen[dir] && gapBefore === -1;
    st.dataSeen[dir] = true;
    if (gapBefore !== 0 && st.info && !joined) {
      this.sink.gap?.(st.info, this.direction(st, dir), frame.no, this.currentTime, gapBefore);
    }
    this.frameTouchedMqtt = true;
    this.feedSt = st;
    this.feedDir = this.direction(st, dir);
    this.feedFrame = frame;
    // (The frame number: packets must stay intact until the frame's row is written.)
    st.framers[dir].feedRange(buf, start, end, gapBefore, this.onPdu, frame.no);
  }

  /** One MQTT packet, `buf[start .. end)`, completed by `frame`. */
  private packet(st: StreamState, dir: Direction, buf: Uint8Array, start: number, end: number, frame: Frame): void {
    const info = st.info!;
    // The version is the Protocol Level of the connection's CONNECT (MQTT-3.1.2-2). Like
    // Wireshark, a later CONNECT on the same connection (itself a violation) replaces it.
    if (buf[start]! >> 4 === 1) {
      const level = connectLevel(buf.subarray(start, end));
      if (level !== null) {
        st.connectLevel = level;
        st.version = level === 5 ? 5 : level === 3 ? 3 : 4;
        st.versionKnown = true;
      }
    }
    if (!st.versionKnown && !st.usedDefault) this.noteDefaultVersion(st, info);
    if (this.pendingCount === 0) this.frameDecoded = this.opts.decodeFrame?.() ?? true;
    // (A v5 PUBLISH is decoded for its Topic Alias when rows are made: see DissectOptions.decodeFrame.)
    const decode = this.frameDecoded ||
      (st.version === 5 && buf[start]! >> 4 === 3 && this.sink.row !== undefined && publishMayHaveTopicAlias(buf, start, end));
    const reused = this.reused;
    // Reused messages go to a sink that writes them at once: a plain PUBLISH is left undecoded
    // for it to copy from these bytes (they stay intact until the frame's row is written).
    const plain = decode && reused !== null && readPlainPublish(buf, start, end, st.version, reused.plainAt(this.pendingCount));
    const result = plain ? null : decode ? decodePacketAt(buf, start, end, st.version) : UNDECODED;
    this.summary.pdus++;
    if (decode && result !== null && result.status === 'malformed') this.summary.malformedPdus++;
    const msg = reused
      ? reused.message(this.pendingCount, info, dir, frame.no, this.currentTime, st.version, st.versionKnown, st.connectLevel, undefined, result)
      : {
      conn: info,
      dir,
      frame: frame.no,
      time: this.currentTime,
      version: st.version,
      versionKnown: st.versionKnown,
      connectLevel: st.connectLevel,
      indexInFrame: this.pendingCount,
      result: result!, // (plain only with reuse)
    } satisfies MqttMessage as MqttMessage;
    if (this.sink.row && !plain) this.resolveAlias(st, msg); // (v5 only: never plain)
    if (this.pendingCount === 0) {
      const from = dir === 'c2s' ? info.client : info.server;
      const to = dir === 'c2s' ? info.server : info.client;
      this.pendingSrc = from.addr;
      this.pendingDst = to.addr;
      this.pendingSrcPort = from.port;
      this.pendingDstPort = to.port;
    }
    this.pending[this.pendingCount++] = msg;
    this.opts.onPacketBytes?.(buf, start, end);
    this.sink.message?.(msg);
  }

  private noteDefaultVersion(st: StreamState, info: ConnectionInfo): void {
    st.usedDefault = true;
    this.summary.defaultVersionConnections++;
    if (this.warnedDefaultVersion) return;
    this.warnedDefaultVersion = true;
    const say = this.opts.onConnectionWarning ?? ((_frameNo: number, message: string) => this.opts.onWarning?.(message));
    const frameNo = this.lastFrameNo;
    const version = st.version;
    const warn = () =>
      say(
        frameNo,
        `no CONNECT captured for stream ${info.id} (${info.client.addr}:${info.client.port} → ${info.server.addr}:${info.server.port}); ` +
          `decoding as MQTT ${versionName(version)} (use --mqtt-version to choose)`,
      );
    // Split across workers, the stream's number may not be settled yet.
    if (this.shard) this.shard.whenNumbered(info, warn);
    else warn();
  }

  /** The topic a v5 PUBLISH's Info shows (msg.aliasTopic): aliases are resolved per connection
   *  in capture order, so here, though the text itself is made later (rowInfo). */
  private resolveAlias(st: StreamState, msg: MqttMessage): void {
    const p = msg.result.packet;
    if (p && p.type === 'PUBLISH' && p.properties) {
      st.aliases ??= new TopicAliasMap();
      const topic = st.aliases.displayTopic(p);
      if (topic !== p.topic) msg.aliasTopic = topic;
    }
  }

  private direction(st: StreamState, dir: 0 | 1): Direction {
    return dir === st.clientDir ? 'c2s' : 's2c';
  }

  private connectionInfo(s: TcpStream, st: StreamState, frame: Frame, transport: 'mqtt' | 'tls'): ConnectionInfo {
    const a = { addr: formatAddress(s.addrA), port: s.portA };
    const b = { addr: formatAddress(s.addrB), port: s.portB };
    return {
      id: this.shard ? 0 : this.nextConnId++, // a shard numbers it in becomeMqtt
      client: st.clientDir === 0 ? a : b,
      server: st.clientDir === 0 ? b : a,
      firstFrame: s.firstFrame,
      firstTime: s.firstTime,
      sawSyn: s.synFrom !== null,
      transport,
    };
  }

  private becomeMqtt(s: TcpStream, st: StreamState, frame: Frame): void {
    st.kind = 'mqtt';
    st.version = this.defaultVersion;
    st.info = this.connectionInfo(s, st, frame, 'mqtt');
    this.shard?.birth(this.flushing ? END_FRAME : this.lastFrameNo, st.info);
    this.summary.connections++;
    this.sink.connection?.(st.info);
  }

  private becomeTls(st: StreamState): void {
    st.kind = 'tls';
    this.summary.tlsConnections++;
  }
}

function versionName(v: MqttVersion): string {
  return v === 3 ? '3.1' : v === 4 ? '3.1.1' : '5.0';
}
